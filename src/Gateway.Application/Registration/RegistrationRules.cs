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

        if (!InstanceRules.IsHost(registration.Host))
        {
            return ("host", $"'{registration.Host}' {InstanceRules.HostProblem}");
        }

        if (!InstanceRules.IsPort(registration.Port))
        {
            return ("port", $"{registration.Port} {InstanceRules.PortProblem}");
        }

        if (!InstanceRules.IsWeight(registration.Weight))
        {
            return ("weight", $"{registration.Weight} {InstanceRules.WeightProblem}");
        }

        if (!InstanceRules.IsScheme(registration.Scheme))
        {
            return ("scheme", $"'{registration.Scheme}' {InstanceRules.SchemeProblem}");
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

        if (settings.HealthCheckPath is not null && !InstanceRules.IsHealthCheckPath(settings.HealthCheckPath))
        {
            return ("healthCheckPath", $"'{settings.HealthCheckPath}' {InstanceRules.HealthCheckPathProblem}");
        }

        return null;
    }
}
