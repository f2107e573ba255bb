using System.Collections.Immutable;
using System.Collections.ObjectModel;
using System.Diagnostics.CodeAnalysis;
using Gateway.Domain.LoadBalancing;
using Gateway.Domain.Traffic;

namespace Gateway.Domain;

/// <summary>The one source of truth about services and their instances.</summary>
/// <remarks>
/// Every proxied request reads the registry, so readers never lock: the services live in an immutable snapshot that
/// writers swap in whole. Writers are rare (start-up, registrations) and take a lock among themselves. The snapshot is
/// a persistent map, so a change to one service builds a new snapshot in time logarithmic in the number of services,
/// sharing the rest, rather than copying every service.
/// An instance or strategy that survives a change is carried over as the same object, so its health, in-flight
/// count and rotation go on undisturbed.
/// </remarks>
public sealed class ServiceRegistry
{
    private readonly LoadBalancerFactory _loadBalancers;
    private readonly Lock _writeLock = new();
    private volatile ImmutableDictionary<string, Service> _services = ImmutableDictionary.Create<string, Service>(ServiceName.Comparer);

    public ServiceRegistry(LoadBalancerFactory loadBalancers, IEnumerable<ServiceDefinition>? services = null)
    {
        ArgumentNullException.ThrowIfNull(loadBalancers);
        _loadBalancers = loadBalancers;
        if (services is not null)
        {
            ReplaceAll(services);
        }
    }

    /// <summary>The services as of now, in no particular order.</summary>
    public IEnumerable<Service> Services => _services.Values;

    public int Count => _services.Count;

    public bool TryGetService(string name, [NotNullWhen(true)] out Service? service) =>
        _services.TryGetValue(name, out service);

    /// <summary>Replaces every service with the given ones.</summary>
    /// <exception cref="ArgumentException">A name, strategy or instance is invalid, or a name or instance repeats.</exception>
    public void ReplaceAll(IEnumerable<ServiceDefinition> services)
    {
        ArgumentNullException.ThrowIfNull(services);
        lock (_writeLock)
        {
            var current = _services;
            var next = ImmutableDictionary.CreateBuilder<string, Service>(ServiceName.Comparer);
            foreach (var definition in services)
            {
                if (next.ContainsKey(definition.Name))
                {
                    throw new ArgumentException($"Service '{definition.Name}' is defined twice.", nameof(services));
                }

                next[definition.Name] = Build(definition, current.GetValueOrDefault(definition.Name));
            }

            _services = next.ToImmutable();

            // Only now that every definition built and the snapshot is live may its services take over the instances.
            foreach (var service in next.Values)
            {
                service.ClaimInstances();
            }
        }
    }

    /// <summary>Adds a service, or replaces the one with the same name.</summary>
    public Service Upsert(ServiceDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        lock (_writeLock)
        {
            var current = _services;
            var service = Build(definition, current.GetValueOrDefault(definition.Name));
            _services = current.SetItem(definition.Name, service);
            service.ClaimInstances();
            return service;
        }
    }

    /// <summary>Removes a service; false if there was none by that name.</summary>
    public bool Remove(string name)
    {
        lock (_writeLock)
        {
            var current = _services;
            if (!current.ContainsKey(name))
            {
                return false;
            }

            _services = current.Remove(name);
            return true;
        }
    }

    private Service Build(ServiceDefinition definition, Service? previous)
    {
        ServiceName.ThrowIfInvalid(definition.Name);
        var canonicalStrategy = LoadBalancerNames.Parse(definition.LoadBalancer);
        var healthCheckPath = string.IsNullOrEmpty(definition.HealthCheckPath) ? InstanceRules.DefaultHealthCheckPath : definition.HealthCheckPath;
        if (!InstanceRules.IsHealthCheckPath(healthCheckPath))
        {
            throw new ArgumentException(
                $"Health check path '{definition.HealthCheckPath}' of service '{definition.Name}' {InstanceRules.HealthCheckPathProblem}.",
                nameof(definition));
        }

        if (definition.UnhealthyThreshold < 1 || definition.HealthyThreshold < 1)
        {
            throw new ArgumentException($"Health thresholds of service '{definition.Name}' must be at least 1.", nameof(definition));
        }

        var instances = new Instance[definition.Instances.Count];
        var ids = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < instances.Length; i++)
        {
            var wanted = definition.Instances[i];
            var instance = Reuse(previous, wanted)
                ?? new Instance(wanted.Host, wanted.Port, wanted.Weight, wanted.Scheme, wanted.IsDynamic)
                {
                    Version = wanted.Version,
                    Metadata = wanted.Metadata ?? ReadOnlyDictionary<string, string>.Empty,
                };
            if (!ids.Add(instance.Id))
            {
                throw new ArgumentException(
                    $"Instance '{instance.Id}' appears twice in service '{definition.Name}'.", nameof(definition));
            }

            instances[i] = instance;
        }

        var loadBalancer = previous is not null && previous.LoadBalancer.Name == canonicalStrategy
            ? previous.LoadBalancer
            : _loadBalancers.Create(canonicalStrategy);
        var thresholds = new ThresholdOverrides(definition.UnhealthyThreshold, definition.HealthyThreshold);
        if (definition.RequestTimeout is { } timeout && timeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"Request timeout of service '{definition.Name}' must be positive.", nameof(definition));
        }

        if (definition.StreamIdleTimeout is { } idle && idle <= TimeSpan.Zero)
        {
            throw new ArgumentException($"Stream idle timeout of service '{definition.Name}' must be positive.", nameof(definition));
        }

        return new Service(
            definition.Name,
            loadBalancer,
            healthCheckPath,
            instances,
            thresholds,
            definition.RequestTimeout,
            definition.StreamIdleTimeout,
            BuildVersions(definition, instances, canonicalStrategy, previous?.Versions));
    }

    /// <summary>
    /// Each version's instances, once per change rather than per request; null when nothing about the service is
    /// versioned, so that a plain service's requests pay no more than the check for null.
    /// </summary>
    private ServiceVersions? BuildVersions(ServiceDefinition definition, Instance[] instances, string strategy, ServiceVersions? previous)
    {
        if (definition.Versioning is null && definition.Split is null && !Array.Exists(instances, static instance => instance.Version is not null))
        {
            return null;
        }

        var versions = instances
            .Where(instance => instance.Version is not null)
            .GroupBy(instance => instance.Version!, StringComparer.OrdinalIgnoreCase)
            .OrderBy(group => group.Key, StringComparer.Ordinal)
            .Select(group =>
            {
                // A version's strategy survives the change like the service's, keeping its rotation.
                var kept = previous?.Find(group.Key)?.LoadBalancer;
                return new ServiceVersion(group.Key, [.. group], kept is not null && kept.Name == strategy ? kept : _loadBalancers.Create(strategy));
            })
            .ToArray();
        return new ServiceVersions(definition.Versioning ?? VersionRouting.Standard, definition.Split, versions);
    }

    private static Instance? Reuse(Service? previous, InstanceDefinition wanted)
    {
        var existing = previous?.FindInstance($"{wanted.Host}:{wanted.Port}");
        return existing is not null
            && existing.Weight == wanted.Weight
            && existing.IsDynamic == wanted.IsDynamic
            && string.Equals(existing.Version, wanted.Version, StringComparison.Ordinal)
            && SameMetadata(existing.Metadata, wanted.Metadata)
            && string.Equals(existing.Scheme, wanted.Scheme, StringComparison.OrdinalIgnoreCase)
            && string.Equals(existing.Host, wanted.Host, StringComparison.Ordinal)
                ? existing
                : null;
    }

    private static bool SameMetadata(IReadOnlyDictionary<string, string> existing, IReadOnlyDictionary<string, string>? wanted) =>
        existing.Count == (wanted?.Count ?? 0)
        && existing.All(entry => wanted!.TryGetValue(entry.Key, out var value) && value == entry.Value);
}
