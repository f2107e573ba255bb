using Gateway.Application.Operations;
using Gateway.Domain;
using Gateway.Domain.LoadBalancing;
using Gateway.Domain.Traffic;
using Microsoft.Extensions.Logging;

namespace Gateway.Application.Registration;

/// <summary>
/// Makes the live registry the configured services plus whatever the store's latest snapshot registers, and
/// marks the instances being drained.
/// </summary>
/// <remarks>
/// Each service is composed from the snapshot alone, never patched from what the registry held, so that every
/// replica that sees the same snapshot ends with the same registry, whatever it saw before. A snapshot that names
/// the services it changed rebuilds those only, so a registration costs its own service rather than the whole
/// registry; any other rebuilds every service. Instances and strategies that survive are carried over by the
/// registry as the same objects, so health, in-flight counts and rotations are undisturbed.
/// </remarks>
public sealed partial class RegistryComposer(
    ServiceRegistry registry, StaticServices statics, EventTimeline timeline, InstanceOverrides overrides, ILogger<RegistryComposer> logger)
{
    private readonly Lock _applyLock = new();
    private const string StoreCause = "registration store";

    private bool _appliedWhole;
    private RegistrySnapshot _latest = RegistrySnapshot.Empty;

    public void Apply(RegistrySnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        lock (_applyLock)
        {
            _latest = snapshot;
            // A change is relative to the snapshot before it, so it is applied alone only on top of a whole one.
            if (snapshot.Changed is { } changed && _appliedWhole)
            {
                foreach (var name in changed)
                {
                    var before = InstancesOf(name);
                    if (Compose(snapshot, name) is { } definition)
                    {
                        var service = registry.Upsert(definition);
                        RecordChanges(name, before, service.Instances, StoreCause, snapshot.Expired);
                        MarkDraining(snapshot, service);
                        ApplyOverrides(snapshot, service);
                    }
                    else
                    {
                        registry.Remove(name);
                        RecordChanges(name, before, [], StoreCause, snapshot.Expired);
                    }
                }

                return;
            }

            ApplyWhole(snapshot, StoreCause);
        }
    }

    /// <summary>After the configured services changed: the registry again, from them and the store's latest snapshot.</summary>
    public void Recompose()
    {
        lock (_applyLock)
        {
            // The expiries were the latest snapshot's news, already on the timeline.
            ApplyWhole(_latest with { Expired = [] }, "configuration reloaded");
        }
    }

    private void ApplyWhole(RegistrySnapshot snapshot, string cause)
    {
        var before = registry.Services.ToDictionary(service => service.Name, service => service.Instances, ServiceName.Comparer);
        var names = new HashSet<string>(statics.Definitions.Select(definition => definition.Name), ServiceName.Comparer);
        names.UnionWith(snapshot.Services.Keys);
        registry.ReplaceAll(names.Select(name => Compose(snapshot, name)).OfType<ServiceDefinition>().ToList());
        foreach (var service in registry.Services)
        {
            RecordChanges(service.Name, before.GetValueOrDefault(service.Name) ?? [], service.Instances, cause, snapshot.Expired);
            MarkDraining(snapshot, service);
            ApplyOverrides(snapshot, service);
            before.Remove(service.Name);
        }

        foreach (var (name, removed) in before)
        {
            RecordChanges(name, removed, [], cause, snapshot.Expired);
        }

        _appliedWhole = true;
    }

    private IReadOnlyList<Instance> InstancesOf(string service) =>
        registry.TryGetService(service, out var existing) ? existing.Instances : [];

    /// <summary>
    /// Puts the instances that came and went on the timeline; those that stayed are the same objects. One whose lease
    /// ran out says so, rather than the change's cause.
    /// </summary>
    private void RecordChanges(
        string service, IReadOnlyList<Instance> before, IReadOnlyList<Instance> after, string cause, IReadOnlyList<LeaseExpiry> expired)
    {
        var gone = new HashSet<Instance>(before, ReferenceEqualityComparer.Instance);
        foreach (var instance in after)
        {
            if (!gone.Remove(instance))
            {
                timeline.Record(GatewayEventKinds.Registered, service, instance.Id, cause);
            }
        }

        foreach (var instance in gone)
        {
            var expiry = expired.Count == 0 ? null : expired.FirstOrDefault(e =>
                ServiceName.Comparer.Equals(e.Service, service) && string.Equals(e.InstanceId, instance.Id, StringComparison.OrdinalIgnoreCase));
            timeline.Record(GatewayEventKinds.Removed, service, instance.Id, expiry?.Cause ?? cause);
        }
    }

    /// <summary>A service as the configuration and the snapshot make it; null when neither has it.</summary>
    private ServiceDefinition? Compose(RegistrySnapshot snapshot, string name)
    {
        var registered = new List<InstanceDefinition>();
        string? spelling = null;
        foreach (var registration in snapshot.Services.GetValueOrDefault(name) ?? [])
        {
            if (RegistrationRules.Check(registration) is { } problem)
            {
                LogSkipped(logger, registration.Service, registration.Id, $"{problem.Field}: {problem.Message}");
                continue;
            }

            spelling ??= registration.Service;
            registered.Add(new InstanceDefinition(registration.Host, registration.Port, registration.Weight, registration.Scheme, IsDynamic: true)
            {
                Version = registration.Version,
                Metadata = registration.Metadata,
            });
        }

        if (statics.Find(name) is { } configured)
        {
            var configuredAddresses = new HashSet<string>(configured.Instances.Select(Address), StringComparer.OrdinalIgnoreCase);
            return configured with
            {
                Instances = [.. configured.Instances, .. registered.Where(r => !configuredAddresses.Contains(Address(r)))],
                Split = SplitOf(snapshot, name, configured.Split),
            };
        }

        if (spelling is null)
        {
            return null;
        }

        var settings = snapshot.Settings.GetValueOrDefault(name);
        var loadBalancer = settings?.LoadBalancer is { } wanted && LoadBalancerNames.TryParse(wanted, out var canonical)
            ? canonical
            : LoadBalancerNames.RoundRobin;
        var path = InstanceRules.IsHealthCheckPath(settings?.HealthCheckPath) ? settings.HealthCheckPath : InstanceRules.DefaultHealthCheckPath;
        return new ServiceDefinition(spelling, loadBalancer, path, registered) { Split = SplitOf(snapshot, name, null) };
    }

    /// <summary>The split set at run time in place of the configured one's weights (its sticky key stays).</summary>
    private TrafficSplit? SplitOf(RegistrySnapshot snapshot, string name, TrafficSplit? configured)
    {
        if (snapshot.Splits.GetValueOrDefault(name) is not { } weights)
        {
            return configured;
        }

        if (TrafficSplit.Check(weights) is { } problem)
        {
            LogSplitSkipped(logger, name, $"{problem.Field}: {problem.Message}");
            return configured;
        }

        return TrafficSplit.Create(weights, configured?.StickyBy);
    }

    private void MarkDraining(RegistrySnapshot snapshot, Service service)
    {
        foreach (var instance in service.Instances)
        {
            if (instance.SetDraining(snapshot.Draining.Contains(RegistrySnapshot.DrainKey(service.Name, instance.Id))) && instance.IsDraining)
            {
                timeline.Record(GatewayEventKinds.DrainStarted, service.Name, instance.Id, "drain requested: no new requests while those in flight finish");
            }
        }
    }

    /// <summary>Puts the store's overrides on the service's instances, and lifts those the store no longer holds.</summary>
    private void ApplyOverrides(RegistrySnapshot snapshot, Service service)
    {
        foreach (var instance in service.Instances)
        {
            if (snapshot.Overrides.GetValueOrDefault(RegistrySnapshot.DrainKey(service.Name, instance.Id)) is { } decision)
            {
                overrides.Apply(service, instance, decision);
            }
            else if (instance.Override is not null)
            {
                overrides.Lift(service, instance, "restored through another replica");
            }
        }
    }

    private static string Address(InstanceDefinition instance) => $"{instance.Host}:{instance.Port}";

    [LoggerMessage(Level = LogLevel.Warning, Message = "The split of {Service} in the store is invalid and ignored: {Problem}")]
    private static partial void LogSplitSkipped(ILogger logger, string service, string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Registration {Service} {InstanceId} in the store is invalid and ignored: {Problem}")]
    private static partial void LogSkipped(ILogger logger, string service, string instanceId, string problem);
}
