using Gateway.Application.Registration;

namespace Gateway.Infrastructure.Registry;

/// <summary>Registrations kept in this process: one gateway, nothing to install. Leases run on the injected clock.</summary>
internal sealed class MemoryRegistrationStore : IRegistrationStore, IDisposable
{
    private readonly TimeProvider _timeProvider;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, (InstanceRegistration Registration, DateTimeOffset? ExpiresAt)> _instances =
        new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, ServiceSettings> _settings = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _draining = new(StringComparer.OrdinalIgnoreCase);
    private readonly ITimer _expiry;

    public MemoryRegistrationStore(TimeProvider timeProvider)
    {
        _timeProvider = timeProvider;
        _expiry = timeProvider.CreateTimer(_ => Expire(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public StoreState State { get; } = new("memory", true, null, null);

    public event Action<RegistrySnapshot>? SnapshotChanged;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            Publish();
        }

        // Nothing to follow: every change happens here, and leases end by the timer.
        await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    public Task RegisterAsync(InstanceRegistration registration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(registration);
        lock (_lock)
        {
            var expiresAt = registration.TtlSeconds is { } ttl ? _timeProvider.GetUtcNow().AddSeconds(ttl) : (DateTimeOffset?)null;
            _instances[RegistrySnapshot.DrainKey(registration.Service, registration.Id)] = (registration, expiresAt);
            // Registering again is a fresh start: a drain in progress is called off.
            _draining.Remove(RegistrySnapshot.DrainKey(registration.Service, registration.Id));
            ScheduleExpiry();
            Publish();
        }

        return Task.CompletedTask;
    }

    public Task<bool> RenewAsync(string service, string instanceId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var key = RegistrySnapshot.DrainKey(service, instanceId);
            if (!_instances.TryGetValue(key, out var entry) || IsExpired(entry.ExpiresAt))
            {
                return Task.FromResult(false);
            }

            if (entry.Registration.TtlSeconds is { } ttl)
            {
                _instances[key] = entry with { ExpiresAt = _timeProvider.GetUtcNow().AddSeconds(ttl) };
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
            _draining.Remove(key);
            var removed = _instances.Remove(key);
            if (removed)
            {
                Publish();
            }

            return Task.FromResult(removed);
        }
    }

    public Task MarkDrainingAsync(string service, string instanceId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_draining.Add(RegistrySnapshot.DrainKey(service, instanceId)))
            {
                Publish();
            }
        }

        return Task.CompletedTask;
    }

    public Task ConfigureServiceAsync(string service, ServiceSettings settings, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _settings[service] = settings;
            Publish();
        }

        return Task.CompletedTask;
    }

    public void Dispose() => _expiry.Dispose();

    private void Expire()
    {
        lock (_lock)
        {
            var expired = _instances.Where(entry => IsExpired(entry.Value.ExpiresAt)).Select(entry => entry.Key).ToList();
            foreach (var key in expired)
            {
                _instances.Remove(key);
                _draining.Remove(key);
            }

            ScheduleExpiry();
            if (expired.Count > 0)
            {
                Publish();
            }
        }
    }

    private bool IsExpired(DateTimeOffset? expiresAt) => expiresAt <= _timeProvider.GetUtcNow();

    /// <summary>Sets the timer for the lease that ends first; called under the lock.</summary>
    private void ScheduleExpiry()
    {
        var next = _instances.Values.Min(entry => entry.ExpiresAt);

        // Only a lease's due time is clamped: InfiniteTimeSpan is -1 ms, and clamped to zero it would fire the timer at
        // once and again after every run, for as long as no lease is left.
        var due = next is { } at ? TimeSpan.FromTicks(Math.Max((at - _timeProvider.GetUtcNow()).Ticks, 0)) : Timeout.InfiniteTimeSpan;
        _expiry.Change(due, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Hands a snapshot to the listeners; under the lock, so that they see changes in order.</summary>
    private void Publish() => SnapshotChanged?.Invoke(new RegistrySnapshot(
        [.. _instances.Values.Select(entry => entry.Registration)],
        new Dictionary<string, ServiceSettings>(_settings, StringComparer.OrdinalIgnoreCase),
        new HashSet<string>(_draining, StringComparer.OrdinalIgnoreCase)));
}
