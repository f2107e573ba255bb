using Gateway.Domain.LoadBalancing;

namespace Gateway.Domain.Traffic;

/// <summary>The instances of a service that run one version, with a strategy of their own.</summary>
/// <remarks>
/// A strategy's state (a rotation, a weighted schedule) is for one set of candidates; sharing the service's between
/// versions would have a weighted schedule rebuilt whenever requests alternate between them.
/// </remarks>
public sealed class ServiceVersion
{
    private volatile Instance[] _available = [];
    private int _withoutShare;

    internal ServiceVersion(string name, Instance[] instances, ILoadBalancer loadBalancer)
    {
        Name = name;
        Instances = instances;
        LoadBalancer = loadBalancer;
    }

    public string Name { get; }

    public IReadOnlyList<Instance> Instances { get; }

    public ILoadBalancer LoadBalancer { get; }

    /// <summary>The version's share of the service's available instances, in registry order.</summary>
    public IReadOnlyList<Instance> AvailableInstances => _available;

    public Instance? PickInstance() => LoadBalancer.Pick(_available);

    /// <summary>As <see cref="Service.PickInstanceOtherThan"/>, within this version.</summary>
    public Instance? PickInstanceOtherThan(IReadOnlyCollection<Instance> tried)
    {
        ArgumentNullException.ThrowIfNull(tried);
        return LoadBalancer.Pick(Array.FindAll(_available, instance => !tried.Contains(instance)));
    }

    /// <summary>Records whether the version has a share of its split now.</summary>
    /// <returns>Whether that changed since the last call, so that the change is told once.</returns>
    public bool NoteShare(bool hasShare)
    {
        // Read before writing: every split-routed request notes every share, and a write each time would have the
        // cores contend for the line even while nothing changes.
        var value = hasShare ? 0 : 1;
        return Volatile.Read(ref _withoutShare) != value && Interlocked.Exchange(ref _withoutShare, value) != value;
    }

    internal void Refresh(Instance[] serviceAvailable)
    {
        var available = Array.FindAll(serviceAvailable, instance => string.Equals(instance.Version, Name, StringComparison.OrdinalIgnoreCase));
        if (!available.AsSpan().SequenceEqual(_available))
        {
            _available = available;
        }
    }

    public override string ToString() => Name;
}
