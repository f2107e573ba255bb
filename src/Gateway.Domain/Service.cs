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
        foreach (var instance in instances)
        {
            instance.AttachTo(this);
        }

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
