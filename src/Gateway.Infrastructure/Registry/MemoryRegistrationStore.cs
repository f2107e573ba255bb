using System.Collections.Immutable;
using Gateway.Application.Registration;
using Gateway.Domain;
using Microsoft.Extensions.Logging;

namespace Gateway.Infrastructure.Registry;

/// <summary>Registrations kept in this process: one gateway, nothing to install. Leases run on the injected clock.</summary>
/// <remarks>
/// Every change costs its own service, not the registry: what snapshots hand out is held in persistent maps, so a
/// snapshot shares everything but the changed service with the one before it, and leases wait in a set ordered by
/// expiry, so the timer finds the next one without looking at the others.
/// </remarks>
internal sealed partial class MemoryRegistrationStore : IRegistrationStore, IDisposable
{
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<MemoryRegistrationStore> _logger;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Lease> _leases = new(StringComparer.OrdinalIgnoreCase);
    private readonly SortedSet<(DateTimeOffset ExpiresAt, string Key)> _expiries = new(Comparer<(DateTimeOffset ExpiresAt, string Key)>.Create(
        static (a, b) => a.ExpiresAt != b.ExpiresAt ? a.ExpiresAt.CompareTo(b.ExpiresAt) : StringComparer.OrdinalIgnoreCase.Compare(a.Key, b.Key)));
    private readonly ITimer _expiry;
    private readonly RegistrySnapshotFeed _feed;
    private ImmutableDictionary<string, IReadOnlyList<InstanceRegistration>> _services =
        ImmutableDictionary.Create<string, IReadOnlyList<InstanceRegistration>>(StringComparer.OrdinalIgnoreCase);
    private ImmutableDictionary<string, ServiceSettings> _settings = ImmutableDictionary.Create<string, ServiceSettings>(StringComparer.OrdinalIgnoreCase);
    private ImmutableDictionary<string, IReadOnlyDictionary<string, int>> _splits =
        ImmutableDictionary.Create<string, IReadOnlyDictionary<string, int>>(StringComparer.OrdinalIgnoreCase);
    private ImmutableHashSet<string> _draining = ImmutableHashSet.Create<string>(StringComparer.OrdinalIgnoreCase);
    private ImmutableDictionary<string, InstanceOverride> _overrides = ImmutableDictionary.Create<string, InstanceOverride>(StringComparer.OrdinalIgnoreCase);

    public MemoryRegistrationStore(TimeProvider timeProvider, ILogger<MemoryRegistrationStore> logger)
    {
        _timeProvider = timeProvider;
        _logger = logger;
        _feed = new RegistrySnapshotFeed(logger);
        _expiry = timeProvider.CreateTimer(_ => Expire(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public StoreState State { get; } = new("memory", true, null, null);

    public RegistrySnapshot Current => _feed.Current;

    public event Action<RegistrySnapshot>? SnapshotChanged
    {
        add => _feed.Subscribe(value);
        remove => _feed.Unsubscribe(value);
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            Publish(changed: null);
        }

        // Nothing to follow: every change happens here, and leases end by the timer.
        await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    public Task RegisterAsync(InstanceRegistration registration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(registration);
        lock (_lock)
        {
            var key = RegistrySnapshot.DrainKey(registration.Service, registration.Id);
            var now = _timeProvider.GetUtcNow();
            var expiresAt = registration.TtlSeconds is { } ttl ? now.AddSeconds(ttl) : (DateTimeOffset?)null;
            var registeredAt = _leases.TryGetValue(key, out var previous) ? previous.RegisteredAt : now;
            SetLease(key, new Lease(registration, expiresAt, registeredAt));

            var instances = (ImmutableList<InstanceRegistration>?)_services.GetValueOrDefault(registration.Service) ?? [];
            var index = instances.FindIndex(existing => string.Equals(existing.Id, registration.Id, StringComparison.OrdinalIgnoreCase));
            _services = _services.SetItem(
                registration.Service, index < 0 ? instances.Add(registration) : instances.SetItem(index, registration));

            // Registering again is a fresh start: a drain in progress is called off.
            _draining = _draining.Remove(key);
            ScheduleExpiry();
            Publish(registration.Service);
        }

        return Task.CompletedTask;
    }

    public Task<bool> RenewAsync(string service, string instanceId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var key = RegistrySnapshot.DrainKey(service, instanceId);
            if (!_leases.TryGetValue(key, out var lease) || IsExpired(lease.ExpiresAt))
            {
                return Task.FromResult(false);
            }

            if (lease.Registration.TtlSeconds is { } ttl)
            {
                SetLease(key, lease with { ExpiresAt = _timeProvider.GetUtcNow().AddSeconds(ttl) });
                ScheduleExpiry();
            }

            return Task.FromResult(true);
        }
    }

    public Task<bool> RemoveAsync(string service, string instanceId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var key = RegistrySnapshot.DrainKey(service, instanceId);
            _draining = _draining.Remove(key);
            if (!_leases.TryGetValue(key, out var lease))
            {
                return Task.FromResult(false);
            }

            Forget(key, lease);
            ScheduleExpiry();
            Publish(lease.Registration.Service);
            return Task.FromResult(true);
        }
    }

    public Task MarkDrainingAsync(string service, string instanceId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var draining = _draining.Add(RegistrySnapshot.DrainKey(service, instanceId));
            if (!ReferenceEquals(draining, _draining))
            {
                _draining = draining;
                Publish(service);
            }
        }

        return Task.CompletedTask;
    }

    public Task ConfigureServiceAsync(string service, ServiceSettings settings, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _settings = _settings.SetItem(service, settings);
            Publish(service);
        }

        return Task.CompletedTask;
    }

    public Task SetSplitAsync(string service, IReadOnlyDictionary<string, int> weights, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _splits = _splits.SetItem(service, weights);
            Publish(service);
        }

        return Task.CompletedTask;
    }

    public Task SetOverrideAsync(string service, string instanceId, InstanceOverride decision, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(decision);
        lock (_lock)
        {
            // Every replica (here, the one) ends a timed override by its own clock; the store only forgets it later.
            var now = _timeProvider.GetUtcNow();
            _overrides = _overrides
                .RemoveRange(_overrides.Where(entry => entry.Value.Until <= now).Select(entry => entry.Key))
                .SetItem(RegistrySnapshot.DrainKey(service, instanceId), decision);
            Publish(service);
        }

        return Task.CompletedTask;
    }

    public Task<bool> LiftOverrideAsync(string service, string instanceId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var overrides = _overrides.Remove(RegistrySnapshot.DrainKey(service, instanceId));
            if (ReferenceEquals(overrides, _overrides))
            {
                return Task.FromResult(false);
            }

            _overrides = overrides;
            Publish(service);
            return Task.FromResult(true);
        }
    }

    public void Dispose() => _expiry.Dispose();

    private void Expire()
    {
        lock (_lock)
        {
            var changed = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            var expired = new List<LeaseExpiry>();
            while (_expiries.Count > 0 && IsExpired(_expiries.Min.ExpiresAt))
            {
                var key = _expiries.Min.Key;
                var lease = _leases[key];
                _draining = _draining.Remove(key);
                Forget(key, lease);
                changed.Add(lease.Registration.Service);
                var expiry = new LeaseExpiry(
                    lease.Registration.Service, lease.Registration.Id, lease.Registration.TtlSeconds ?? 0, _timeProvider.GetUtcNow() - lease.RegisteredAt);
                expired.Add(expiry);
                LogLeaseExpired(_logger, expiry.Service, expiry.InstanceId, expiry.TtlSeconds, expiry.RegisteredFor.TotalSeconds);
            }

            ScheduleExpiry();
            if (changed.Count > 0)
            {
                Publish(changed, expired);
            }
        }
    }

    /// <summary>Installs a lease, keeping the expiry order in step; called under the lock.</summary>
    private void SetLease(string key, Lease lease)
    {
        if (_leases.TryGetValue(key, out var previous) && previous.ExpiresAt is { } before)
        {
            _expiries.Remove((before, key));
        }

        _leases[key] = lease;
        if (lease.ExpiresAt is { } after)
        {
            _expiries.Add((after, key));
        }
    }

    /// <summary>Drops a lease and its registration; called under the lock.</summary>
    private void Forget(string key, Lease lease)
    {
        _leases.Remove(key);
        if (lease.ExpiresAt is { } at)
        {
            _expiries.Remove((at, key));
        }

        var service = lease.Registration.Service;
        var instances = ((ImmutableList<InstanceRegistration>)_services[service])
            .RemoveAll(existing => string.Equals(existing.Id, lease.Registration.Id, StringComparison.OrdinalIgnoreCase));
        _services = instances.IsEmpty ? _services.Remove(service) : _services.SetItem(service, instances);
    }

    private bool IsExpired(DateTimeOffset? expiresAt) => expiresAt <= _timeProvider.GetUtcNow();

    /// <summary>Sets the timer for the lease that ends first; called under the lock.</summary>
    private void ScheduleExpiry()
    {
        // Only a lease's due time is clamped: InfiniteTimeSpan is -1 ms, and clamped to zero it would fire the timer at
        // once and again after every run, for as long as no lease is left.
        var due = _expiries.Count > 0
            ? TimeSpan.FromTicks(Math.Max((_expiries.Min.ExpiresAt - _timeProvider.GetUtcNow()).Ticks, 0))
            : Timeout.InfiniteTimeSpan;
        _expiry.Change(due, Timeout.InfiniteTimeSpan);
    }

    private void Publish(string service) => Publish(new HashSet<string>([service], StringComparer.OrdinalIgnoreCase));

    /// <summary>Hands a snapshot to the listeners; under the lock, so that they see changes in order.</summary>
    private void Publish(IReadOnlySet<string>? changed, IReadOnlyList<LeaseExpiry>? expired = null) =>
        _feed.Publish(new RegistrySnapshot(_services, _settings, _draining, changed)
        {
            Expired = expired ?? [],
            Overrides = _overrides,
            Splits = _splits,
        });

    /// <param name="RegisteredAt">When the instance first registered; registering again keeps it.</param>
    private sealed record Lease(InstanceRegistration Registration, DateTimeOffset? ExpiresAt, DateTimeOffset RegisteredAt);

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "{Service} {InstanceId} removed: no heartbeat within its {TtlSeconds} s lease, {RegisteredSeconds:0} s after it registered")]
    private static partial void LogLeaseExpired(ILogger logger, string service, string instanceId, int ttlSeconds, double registeredSeconds);
}
