using Gateway.Domain.LoadBalancing;
using Gateway.Domain.Traffic;

namespace Gateway.Domain;

/// <summary>A named service: its instances, the strategy that spreads requests over them, and where to check their health.</summary>
public sealed class Service
{
    private readonly Instance[] _instances;
    private readonly Dictionary<string, Instance> _instancesById;
    private readonly Lock _refreshLock = new();
    private readonly ThresholdOverrides _thresholds;
    private volatile Instance[] _available;
    private volatile bool _routesOpenCircuits;

    internal Service(
        string name,
        ILoadBalancer loadBalancer,
        string healthCheckPath,
        Instance[] instances,
        ThresholdOverrides? thresholds = null,
        TimeSpan? requestTimeout = null,
        TimeSpan? streamIdleTimeout = null,
        ServiceVersions? versions = null)
    {
        Versions = versions;
        RequestTimeout = requestTimeout;
        StreamIdleTimeout = streamIdleTimeout;
        Name = name;
        PathPrefix = "/" + name;
        LoadBalancer = loadBalancer;
        HealthCheckPath = healthCheckPath;
        _thresholds = thresholds ?? ThresholdOverrides.None;
        _instances = instances;
        // Read-only once built, so concurrent readers need no lock. The registry looks up every instance of a service
        // when it rebuilds it, which a scan would make quadratic in the service's size.
        _instancesById = new Dictionary<string, Instance>(instances.Length, StringComparer.OrdinalIgnoreCase);
        foreach (var instance in instances)
        {
            _instancesById.TryAdd(instance.Id, instance);
        }

        _available = [];
        RefreshAvailableInstances();
    }

    public string Name { get; }

    /// <summary><c>/{Name}</c>: the path the service is reached under, made once rather than per request.</summary>
    public string PathPrefix { get; }

    public ILoadBalancer LoadBalancer { get; }

    public string HealthCheckPath { get; }

    /// <summary>How long to wait for this service's response headers; null to use the gateway's timeout.</summary>
    public TimeSpan? RequestTimeout { get; }

    /// <summary>How long an upgraded or streaming exchange may pass no byte either way; null to use the gateway's.</summary>
    public TimeSpan? StreamIdleTimeout { get; }

    /// <summary>The service's versions and how requests choose one; null for a service whose instances name none.</summary>
    public ServiceVersions? Versions { get; }

    /// <summary>The thresholds that apply to this service: its own where it sets them, the gateway's elsewhere.</summary>
    public HealthThresholds ThresholdsOver(HealthThresholds gatewayDefaults)
    {
        ArgumentNullException.ThrowIfNull(gatewayDefaults);
        return _thresholds == ThresholdOverrides.None
            ? gatewayDefaults
            : new HealthThresholds(
                _thresholds.Unhealthy ?? gatewayDefaults.UnhealthyThreshold,
                _thresholds.Healthy ?? gatewayDefaults.HealthyThreshold);
    }

    public IReadOnlyList<Instance> Instances => _instances;

    /// <summary>
    /// The instances the strategy may choose from now, in registry order: the available ones, and, while none of them
    /// has a closed circuit, those out only because their circuit is open.
    /// </summary>
    public IReadOnlyList<Instance> AvailableInstances => _available;

    /// <summary>Whether <see cref="AvailableInstances"/> holds instances whose circuit is open (panic routing).</summary>
    public bool RoutesOpenCircuits => _routesOpenCircuits;

    /// <summary>Asks the strategy for an instance; null when none is available.</summary>
    public Instance? PickInstance() => LoadBalancer.Pick(_available);

    public Instance? FindInstance(string id) => _instancesById.GetValueOrDefault(id);

    /// <summary>
    /// Takes an instance out of rotation because its requests kept failing, unless no other instance is available.
    /// </summary>
    /// <remarks>
    /// Like Envoy's panic threshold: when every other instance is out too, ejecting the last one would turn a partly
    /// failing service into a wholly unavailable one (503 for everything), so it keeps its traffic and the active
    /// check stays the judge. The check and the ejection happen under the service's refresh lock, so two instances
    /// failing at once cannot both see the other as available and both leave.
    /// </remarks>
    /// <returns>Whether the instance was taken out by this call.</returns>
    public bool TryEjectPassively(Instance instance, DateTimeOffset at, string cause)
    {
        ArgumentNullException.ThrowIfNull(instance);
        lock (_refreshLock)
        {
            if (!instance.IsAvailable || !HasOtherAvailable(instance))
            {
                return false;
            }

            return instance.SetHealth(false, at, HealthSource.Passive, cause);
        }
    }

    private bool HasOtherAvailable(Instance instance)
    {
        foreach (var other in _instances)
        {
            if (!ReferenceEquals(other, instance) && other.IsAvailable)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Asks the strategy for an available instance other than those already tried.</summary>
    /// <remarks>The retry path only: it builds a smaller list, where <see cref="PickInstance"/> allocates nothing.</remarks>
    public Instance? PickInstanceOtherThan(IReadOnlyCollection<Instance> tried)
    {
        ArgumentNullException.ThrowIfNull(tried);
        var candidates = Array.FindAll(_available, instance => !tried.Contains(instance));
        return LoadBalancer.Pick(candidates);
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
            var routesOpenCircuits = false;
            if (!Array.Exists(available, static instance => instance.Circuit == CircuitState.Closed))
            {
                // Panic routing, as Envoy's panic threshold: while no instance with a closed circuit is left, those
                // kept out by their open circuit alone keep the traffic too. A circuit opens on passive signals (5xx,
                // refusals), which never take out a service's last instance: its clients see its own answers rather
                // than 503 for everything, and a half-open trial does not leave a lone instance turning requests away.
                var withOpen = Array.FindAll(_instances, static instance => instance.IsAvailable || instance.IsOutOnlyByCircuit);
                if (withOpen.Length > available.Length)
                {
                    available = withOpen;
                    routesOpenCircuits = true;
                }
            }

            _routesOpenCircuits = routesOpenCircuits;
            if (!available.AsSpan().SequenceEqual(_available))
            {
                _available = available;
            }

            Versions?.Refresh(available);
        }
    }

    public override string ToString() => Name;
}
