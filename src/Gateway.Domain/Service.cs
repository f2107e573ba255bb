using Gateway.Domain.LoadBalancing;

namespace Gateway.Domain;

/// <summary>A named service: its instances, the strategy that spreads requests over them, and where to check their health.</summary>
public sealed class Service
{
    private readonly Instance[] _instances;
    private readonly Lock _refreshLock = new();
    private volatile Instance[] _available;

    internal Service(string name, ILoadBalancer loadBalancer, string healthCheckPath, Instance[] instances)
    {
        Name = name;
        LoadBalancer = loadBalancer;
        HealthCheckPath = healthCheckPath;
        _instances = instances;
        _available = [];
        RefreshAvailableInstances();
    }

    public string Name { get; }

    public ILoadBalancer LoadBalancer { get; }

    public string HealthCheckPath { get; }

    public IReadOnlyList<Instance> Instances => _instances;

    /// <summary>The instances the strategy may choose from now, in registry order.</summary>
    public IReadOnlyList<Instance> AvailableInstances => _available;

    /// <summary>Asks the strategy for an instance; null when none is available.</summary>
    public Instance? PickInstance() => LoadBalancer.Pick(_available);

    public Instance? FindInstance(string id)
    {
        foreach (var instance in _instances)
        {
            if (string.Equals(instance.Id, id, StringComparison.OrdinalIgnoreCase))
            {
                return instance;
            }
        }

        return null;
    }

    /// <summary>Makes this service the one its instances tell about health changes.</summary>
    /// <remarks>
    /// The registry calls this once the service is live, not from the constructor: a service built for a change that
    /// then fails (a later definition is invalid) must not take its instances from the live service, which would stop
    /// seeing their health changes. The refresh catches any change reported to the old owner in between.
    /// </remarks>
    internal void ClaimInstances()
    {
        foreach (var instance in _instances)
        {
            instance.AttachTo(this);
        }

        RefreshAvailableInstances();
    }

    /// <summary>Rebuilds the list of available instances after one of them changed.</summary>
    /// <remarks>
    /// Changes are rare and readers never lock: each change builds a new array and publishes it. The lock only
    /// orders concurrent rebuilds, so the last one published has seen every change made before it started.
    /// </remarks>
    internal void RefreshAvailableInstances()
    {
        lock (_refreshLock)
        {
            var available = Array.FindAll(_instances, static instance => instance.IsAvailable);
            if (!available.AsSpan().SequenceEqual(_available))
            {
                _available = available;
            }
        }
    }

    public override string ToString() => Name;
}
