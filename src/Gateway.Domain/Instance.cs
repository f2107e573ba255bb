using System.Collections.ObjectModel;

namespace Gateway.Domain;

/// <summary>
/// One running copy of a service: where it listens, how much traffic it should get, whether it may get any now,
/// and how many requests it is serving.
/// </summary>
/// <remarks>
/// The address and weight never change: a different weight is a different <see cref="Instance"/>. Health and the
/// in-flight count are live and shared by every registry snapshot the instance appears in.
/// </remarks>
public sealed class Instance
{
    private readonly Lock _stateLock = new();
    private int _activeRequests;
    private int _passiveFailures;
    private volatile InstanceHealth _health = InstanceHealth.Initial;
    private volatile CircuitState _circuit = CircuitState.Closed;
    private volatile bool _draining;
    private volatile InstanceOverride? _override;
    private Service? _owner;
    private CancellationTokenSource? _retirement;
    private TrafficWindow? _traffic;

    public Instance(string host, int port, int weight = 1, string scheme = "http", bool isDynamic = false)
    {
        IsDynamic = isDynamic;
        if (!InstanceRules.IsHost(host))
        {
            throw new ArgumentException($"Host '{host}' {InstanceRules.HostProblem}.", nameof(host));
        }

        if (!InstanceRules.IsPort(port))
        {
            throw new ArgumentOutOfRangeException(nameof(port), port, $"Port {port} {InstanceRules.PortProblem}.");
        }

        if (!InstanceRules.IsWeight(weight))
        {
            throw new ArgumentOutOfRangeException(nameof(weight), weight, $"Weight {weight} {InstanceRules.WeightProblem}.");
        }

        var normalizedScheme = scheme?.ToLowerInvariant();
        if (!InstanceRules.IsScheme(normalizedScheme))
        {
            throw new ArgumentException($"Scheme '{scheme}' {InstanceRules.SchemeProblem}.", nameof(scheme));
        }

        // An IPv6 literal needs brackets in an authority; a bare one would read as host:port pairs.
        var authority = host.Contains(':') && !host.StartsWith('[') ? $"[{host}]:{port}" : $"{host}:{port}";
        // h2c is a way to speak to the instance, not a URI scheme: its address is an http one.
        var origin = $"{(normalizedScheme == InstanceRules.H2c ? "http" : normalizedScheme)}://{authority}";

        // Uri has the last word on what a host is: should it refuse one the rule lets through, the error still names
        // the value rather than being a UriFormatException.
        if (!Uri.TryCreate(origin + "/", UriKind.Absolute, out var baseAddress))
        {
            throw new ArgumentException($"Host '{host}' {InstanceRules.HostProblem}.", nameof(host));
        }

        Host = host;
        Port = port;
        Weight = weight;
        Scheme = normalizedScheme;
        Authority = authority;
        Id = $"{host}:{port}";
        Origin = origin;
        BaseAddress = baseAddress;
    }

    /// <summary>The instance's key within its service: <c>host:port</c>, as the registry wrote it.</summary>
    public string Id { get; }

    public string Host { get; }

    public int Port { get; }

    public string Scheme { get; }

    /// <summary>Whether requests go over HTTP/2 with prior knowledge, never HTTP/1.1.</summary>
    public bool IsH2c => Scheme == InstanceRules.H2c;

    public int Weight { get; }

    /// <summary><c>host:port</c> in the form a Host header or URI needs.</summary>
    public string Authority { get; }

    /// <summary><c>scheme://host:port</c>, to which a request's path and query are appended.</summary>
    public string Origin { get; }

    public Uri BaseAddress { get; }

    /// <summary>Requests sent to this instance whose responses have not finished yet.</summary>
    public int ActiveRequests => Volatile.Read(ref _activeRequests);

    public InstanceHealth Health => _health;

    /// <summary>Whether the load balancers may choose this instance now: healthy, circuit not open, not draining, not overridden.</summary>
    public bool IsAvailable => _health.IsHealthy && _circuit != CircuitState.Open && !_draining && _override is null;

    public CircuitState Circuit => _circuit;

    /// <summary>Healthy and not draining, kept out of rotation by its open circuit alone.</summary>
    public bool IsOutOnlyByCircuit => _circuit == CircuitState.Open && _health.IsHealthy && !_draining && _override is null;

    /// <summary>Registered at run time through the admin API, rather than configured.</summary>
    public bool IsDynamic { get; }

    /// <summary>The version of the service this instance runs, or null when it names none.</summary>
    public string? Version { get; init; }

    /// <summary>Free-form labels of the instance (zone, build); shown, never used for routing or metrics.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = ReadOnlyDictionary<string, string>.Empty;

    /// <summary>Being drained: no new requests, while those in flight finish.</summary>
    public bool IsDraining => _draining;

    /// <summary>The operator's override keeping it out of rotation, if any.</summary>
    public InstanceOverride? Override => _override;

    /// <summary>Takes the instance out by an operator's decision (replacing any earlier one), or lifts it with null.</summary>
    /// <returns>Whether the override changed.</returns>
    public bool SetOverride(InstanceOverride? value)
    {
        lock (_stateLock)
        {
            if (ReferenceEquals(_override, value))
            {
                return false;
            }

            _override = value;
        }

        NotifyOwner();
        return true;
    }

    /// <summary>Stops new requests to the instance, or lets them come again.</summary>
    /// <returns>Whether the state changed.</returns>
    public bool SetDraining(bool draining)
    {
        lock (_stateLock)
        {
            if (_draining == draining)
            {
                return false;
            }

            _draining = draining;
        }

        NotifyOwner();
        return true;
    }

    /// <summary>Moves the circuit breaker's state, and the instance in or out of rotation with it.</summary>
    /// <returns>Whether the state changed.</returns>
    public bool SetCircuit(CircuitState state)
    {
        lock (_stateLock)
        {
            if (_circuit == state)
            {
                return false;
            }

            _circuit = state;
        }

        NotifyOwner();
        return true;
    }

    /// <summary>Counts a request in flight; pair every call with one <see cref="EndRequest"/>.</summary>
    public void BeginRequest() => Interlocked.Increment(ref _activeRequests);

    public void EndRequest() => Interlocked.Decrement(ref _activeRequests);

    /// <summary>
    /// Cancelled when a drain stops waiting for the instance: exchanges that may outlive any drain (upgraded
    /// connections) watch it and end then.
    /// </summary>
    public CancellationToken Retirement
    {
        get
        {
            var source = Volatile.Read(ref _retirement);
            if (source is null)
            {
                var created = new CancellationTokenSource();
                source = Interlocked.CompareExchange(ref _retirement, created, null) ?? created;
            }

            return source.Token;
        }
    }

    /// <summary>Ends the exchanges watching <see cref="Retirement"/>; exchanges that start afterwards get a fresh token.</summary>
    public void Retire() => Interlocked.Exchange(ref _retirement, null)?.Cancel();

    /// <summary>The last minutes of its proxied traffic; null until its first request ends.</summary>
    public TrafficWindow? Traffic => Volatile.Read(ref _traffic);

    /// <summary>Counts a proxied request that ended in <paramref name="period"/> (see <see cref="TrafficWindow.Record"/>).</summary>
    public void RecordTraffic(long period, TimeSpan latency, bool failed)
    {
        // Made with the first request rather than with the instance: one that never takes traffic keeps no ring.
        var traffic = Volatile.Read(ref _traffic);
        if (traffic is null)
        {
            var created = new TrafficWindow();
            traffic = Interlocked.CompareExchange(ref _traffic, created, null) ?? created;
        }

        traffic.Record(period, latency, failed);
    }

    /// <summary>Proxied requests in a row that failed (no response, or a 5xx) since the last that did not.</summary>
    public int ConsecutivePassiveFailures => Volatile.Read(ref _passiveFailures);

    /// <summary>Notes a proxied request the instance answered properly, ending any run of failures.</summary>
    public void RecordPassiveSuccess()
    {
        // A read first: the common case, no failures, then writes nothing and keeps the cache line shared.
        if (Volatile.Read(ref _passiveFailures) != 0)
        {
            Interlocked.Exchange(ref _passiveFailures, 0);
        }
    }

    /// <summary>Notes a proxied request that failed.</summary>
    /// <returns>How many have failed in a row, this one included.</returns>
    public int RecordPassiveFailure() => Interlocked.Increment(ref _passiveFailures);

    /// <summary>Records the outcome of an active health check and applies the thresholds.</summary>
    /// <returns>Whether the instance changed between healthy and unhealthy.</returns>
    public bool RecordCheck(HealthCheckResult result, HealthThresholds thresholds)
    {
        ArgumentNullException.ThrowIfNull(result);
        bool changed;
        lock (_stateLock)
        {
            changed = Publish(_health.WithCheck(result, thresholds));
        }

        NotifyOwnerIf(changed);
        return changed;
    }

    /// <summary>Takes the instance out of rotation, or puts it back, for a reason other than a health check.</summary>
    /// <returns>Whether the instance changed between healthy and unhealthy.</returns>
    public bool SetHealth(bool healthy, DateTimeOffset at, HealthSource source, string? cause = null)
    {
        bool changed;
        lock (_stateLock)
        {
            if (_health.IsHealthy == healthy)
            {
                return false;
            }

            var next = _health with
            {
                IsHealthy = healthy,
                Since = at,
                Source = healthy ? null : source,
                Cause = healthy ? null : cause,
                ConsecutiveFailures = 0,
                ConsecutiveSuccesses = 0,
            };
            changed = Publish(next);
        }

        NotifyOwnerIf(changed);
        return changed;
    }

    // Exchange and the barrier in NotifyOwner are full fences: the registry attaching a new owner and a health change
    // racing with it must not both read before the other's write, or neither would refresh the new owner.
    internal void AttachTo(Service owner) => Interlocked.Exchange(ref _owner, owner);

    /// <summary>Installs new health under the state lock.</summary>
    private bool Publish(InstanceHealth next)
    {
        var changed = next.IsHealthy != _health.IsHealthy;
        _health = next;
        if (changed && next.IsHealthy)
        {
            // Back in rotation with a clean slate: failures from before it was taken out no longer count.
            Interlocked.Exchange(ref _passiveFailures, 0);
        }

        return changed;
    }

    private void NotifyOwnerIf(bool changed)
    {
        if (changed)
        {
            NotifyOwner();
        }
    }

    /// <summary>
    /// Tells the owning service to rebuild its available list after any change of health, circuit or drain: its
    /// choice depends on all three (see <see cref="Service.AvailableInstances"/>), and a rebuild that changes nothing
    /// publishes nothing. Called outside the state lock: the service takes its own lock and may call back into this
    /// instance (a passive ejection), so holding ours here could deadlock.
    /// </summary>
    private void NotifyOwner()
    {
        Interlocked.MemoryBarrier();
        Volatile.Read(ref _owner)?.RefreshAvailableInstances();
    }

    public override string ToString() => Id;
}
