using Gateway.Domain;
using Gateway.Domain.LoadBalancing;
using Microsoft.Extensions.Logging;

namespace Gateway.Application.Registration;

/// <summary>
/// Makes the live registry the configured services plus whatever the store's latest snapshot registers, and
/// marks the instances being drained.
/// </summary>
/// <remarks>
/// The whole registry is rebuilt from each snapshot rather than patched, so that every replica that sees the same
/// snapshot ends with the same registry, whatever it saw before. Instances and strategies that survive are carried
/// over by the registry as the same objects, so health, in-flight counts and rotations are undisturbed.
/// </remarks>
public sealed partial class RegistryComposer(ServiceRegistry registry, StaticServices statics, ILogger<RegistryComposer> logger)
{
    private readonly Lock _applyLock = new();

    public void Apply(RegistrySnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        lock (_applyLock)
        {
            var dynamic = new Dictionary<string, List<InstanceDefinition>>(ServiceName.Comparer);
            foreach (var registration in snapshot.Instances)
            {
                if (RegistrationRules.Check(registration) is { } problem)
                {
                    LogSkipped(logger, registration.Service, registration.Id, $"{problem.Field}: {problem.Message}");
                    continue;
                }

                if (!dynamic.TryGetValue(registration.Service, out var list))
                {
                    dynamic[registration.Service] = list = [];
                }

                list.Add(new InstanceDefinition(registration.Host, registration.Port, registration.Weight, registration.Scheme, IsDynamic: true));
            }

            var definitions = new List<ServiceDefinition>();
            foreach (var configured in statics.Definitions)
            {
                var added = dynamic.Remove(configured.Name, out var registered)
                    ? registered.Where(r => !configured.Instances.Any(c => SameAddress(c, r)))
                    : [];
                definitions.Add(configured with { Instances = [.. configured.Instances, .. added] });
            }

            foreach (var (name, instances) in dynamic)
            {
                var settings = snapshot.Settings.GetValueOrDefault(name);
                var loadBalancer = settings?.LoadBalancer is { } wanted && LoadBalancerNames.TryParse(wanted, out var canonical)
                    ? canonical
                    : LoadBalancerNames.RoundRobin;
                var path = settings?.HealthCheckPath is { Length: > 0 } p && p[0] == '/' ? p : "/health";
                definitions.Add(new ServiceDefinition(name, loadBalancer, path, instances));
            }

            registry.ReplaceAll(definitions);
            foreach (var service in registry.Services)
            {
                foreach (var instance in service.Instances)
                {
                    instance.SetDraining(snapshot.Draining.Contains(RegistrySnapshot.DrainKey(service.Name, instance.Id)));
                }
            }
        }
    }

    public static bool IsStatic(StaticServices statics, string service) =>
        statics.Definitions.Any(definition => ServiceName.Comparer.Equals(definition.Name, service));

    private static bool SameAddress(InstanceDefinition a, InstanceDefinition b) =>
        a.Port == b.Port && string.Equals(a.Host, b.Host, StringComparison.OrdinalIgnoreCase);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Registration {Service} {InstanceId} in the store is invalid and ignored: {Problem}")]
    private static partial void LogSkipped(ILogger logger, string service, string instanceId, string problem);
}
