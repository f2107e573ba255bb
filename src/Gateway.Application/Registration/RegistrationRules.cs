using Gateway.Domain;
using Gateway.Domain.LoadBalancing;
using Gateway.Domain.Traffic;

namespace Gateway.Application.Registration;

/// <summary>What a registration must satisfy, checked once for the admin API and again for what a shared store holds.</summary>
public static class RegistrationRules
{
    public const int MaxTtlSeconds = 86_400;

    /// <summary>The first problem with a registration, as the field and a message; null when it is valid.</summary>
    public static (string Field, string Message)? Check(InstanceRegistration registration)
    {
        ArgumentNullException.ThrowIfNull(registration);
        if (!ServiceName.IsValid(registration.Service, out var nameError))
        {
            return ("name", nameError);
        }

        if (string.IsNullOrWhiteSpace(registration.Host)
            || registration.Host.Any(c => char.IsWhiteSpace(c) || c is '/' or '?' or '#' or '@')
            || Uri.CheckHostName(registration.Host.Trim('[', ']')) == UriHostNameType.Unknown)
        {
            return ("host", $"'{registration.Host}' is not a host name or address");
        }

        if (registration.Port is < 1 or > 65535)
        {
            return ("port", $"{registration.Port} is outside 1-65535");
        }

        if (registration.Weight is < 1 or > 10_000)
        {
            return ("weight", $"{registration.Weight} is outside 1-10000");
        }

        if (!Instance.IsScheme(registration.Scheme))
        {
            return ("scheme", $"'{registration.Scheme}' is not http, https or h2c");
        }

        if (registration.TtlSeconds is < 1 or > MaxTtlSeconds)
        {
            return ("ttlSeconds", $"{registration.TtlSeconds} is outside 1-{MaxTtlSeconds}");
        }

        if (registration.Version is not null && !TrafficSplit.IsVersionName(registration.Version))
        {
            return ("version", $"'{registration.Version}' is not a version: letters, digits, '.', '-' or '_', at most {TrafficSplit.MaxVersionLength}");
        }

        if (registration.Metadata is { } metadata)
        {
            if (metadata.Count > InstanceMetadata.MaxEntries)
            {
                return ("metadata", $"has {metadata.Count} entries, more than {InstanceMetadata.MaxEntries}");
            }

            foreach (var (key, value) in metadata)
            {
                if (InstanceMetadata.Check(key, value) is { } problem)
                {
                    return ($"metadata.{key}", problem);
                }
            }
        }

        return null;
    }

    public static (string Field, string Message)? Check(ServiceSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.LoadBalancer is not null && !LoadBalancerNames.TryParse(settings.LoadBalancer, out _))
        {
            return ("loadBalancer", $"'{settings.LoadBalancer}' is not one of {string.Join(", ", LoadBalancerNames.All)}");
        }

        if (settings.HealthCheckPath is not null && !settings.HealthCheckPath.StartsWith('/'))
        {
            return ("healthCheckPath", $"'{settings.HealthCheckPath}' does not start with '/'");
        }

        return null;
    }
}
