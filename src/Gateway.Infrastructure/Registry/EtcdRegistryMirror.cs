using System.Text.Json;
using Gateway.Application.Registration;
using Gateway.Domain;
using Microsoft.Extensions.Logging;

namespace Gateway.Infrastructure.Registry;

/// <summary>
/// What the fleet's prefix holds, decoded and kept in step with etcd one put or delete at a time, and the snapshot it
/// makes. Pure: no etcd, no clock; the follower feeds it from its load and its watch, on one thread.
/// </summary>
internal sealed class EtcdRegistryMirror(EtcdKeys keys, ILogger logger)
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    // By etcd key, so that a delete finds what its key held whatever the spelling.
    private readonly Dictionary<string, InstanceEntry> _instances = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (ServiceSettings Value, long ModRevision, string Service)> _settings = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _draining = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (InstanceOverride Value, long ModRevision, string Instance)> _overrides = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (Dictionary<string, int> Value, long ModRevision, string Service)> _splits = new(StringComparer.Ordinal);

    // Within one batch of changes (one etcd revision comes in one batch): leased instances deleted, and the instances
    // whose removal markers were written, by instance key.
    private readonly List<(string Key, InstanceEntry Entry)> _leftInBatch = [];
    private readonly HashSet<string> _removedInBatch = new(StringComparer.Ordinal);

    public int InstanceCount => _instances.Count;

    public void Clear()
    {
        _instances.Clear();
        _settings.Clear();
        _draining.Clear();
        _overrides.Clear();
        _splits.Clear();
        _leftInBatch.Clear();
        _removedInBatch.Clear();
    }

    /// <summary>Takes in a key's new value; one that cannot be decoded is logged and left out.</summary>
    /// <param name="lease">The etcd lease the key is on; 0 for none.</param>
    /// <param name="at">When the change was seen: how long an instance has been registered counts from its first put.</param>
    public void Put(string key, ReadOnlySpan<byte> value, long modRevision, long lease, DateTimeOffset at)
    {
        var since = _instances.TryGetValue(key, out var previous) ? previous.Since : at;
        Forget(key);
        var parsed = keys.Parse(key);
        switch (parsed.Kind)
        {
            case EtcdKeyKind.Instance:
                if (DecodeInstance(key, value, parsed) is { } registration)
                {
                    _instances[key] = new InstanceEntry(registration, modRevision, lease, since);
                }

                break;
            case EtcdKeyKind.Drain:
                _draining[key] = RegistrySnapshot.DrainKey(parsed.Service, parsed.InstanceId);
                break;
            case EtcdKeyKind.Settings:
                if (Decode<ServiceSettings>(key, value) is { } settings)
                {
                    _settings[key] = (settings, modRevision, parsed.Service);
                }

                break;
            case EtcdKeyKind.Override:
                if (Decode<InstanceOverride>(key, value) is { } decision)
                {
                    _overrides[key] = (decision, modRevision, RegistrySnapshot.DrainKey(parsed.Service, parsed.InstanceId));
                }

                break;
            case EtcdKeyKind.Split:
                if (Decode<Dictionary<string, int>>(key, value) is { } weights)
                {
                    _splits[key] = (weights, modRevision, parsed.Service);
                }

                break;
            case EtcdKeyKind.Removal:
                _removedInBatch.Add(keys.Instance(parsed.Service, parsed.InstanceId));
                break;
            default:
                EtcdRegistrationStore.Log.Undecodable(logger, key, "it is not an instance, drain mark, override, service setting or split");
                break;
        }
    }

    /// <summary>Forgets a deleted key.</summary>
    public void Delete(string key)
    {
        if (_instances.TryGetValue(key, out var entry) && entry.Lease != 0)
        {
            _leftInBatch.Add((key, entry));
        }

        Forget(key);
    }

    /// <summary>
    /// Ends a batch of changes: the snapshot of what the prefix now holds, with the leased instances that left in the
    /// batch without a removal marker and without coming back under another spelling, which is what a lease running
    /// out looks like.
    /// </summary>
    public RegistrySnapshot EndBatch(DateTimeOffset at)
    {
        var snapshot = Snapshot();
        if (_leftInBatch.Count > 0)
        {
            var expired = new List<LeaseExpiry>();
            foreach (var (key, entry) in _leftInBatch)
            {
                var registration = entry.Registration;
                if (!_removedInBatch.Contains(key) && !Holds(snapshot, registration))
                {
                    expired.Add(new LeaseExpiry(registration.Service, registration.Id, registration.TtlSeconds ?? 0, at - entry.Since));
                }
            }

            snapshot = snapshot with { Expired = expired };
        }

        _leftInBatch.Clear();
        _removedInBatch.Clear();
        return snapshot;
    }

    /// <summary>
    /// The snapshot of what the prefix holds. Keys that differ only in case name one instance or service (two replicas
    /// can race to register both spellings); the latest write wins, so that the registry never sees a duplicate.
    /// </summary>
    public RegistrySnapshot Snapshot()
    {
        var instances = _instances.Values
            .GroupBy(entry => RegistrySnapshot.DrainKey(entry.Registration.Service, entry.Registration.Id), StringComparer.OrdinalIgnoreCase)
            .Select(group => group.MaxBy(entry => entry.ModRevision)!.Registration)
            .OrderBy(registration => registration.Service, StringComparer.OrdinalIgnoreCase)
            .ThenBy(registration => registration.Id, StringComparer.OrdinalIgnoreCase)
            .ToList();
        var settings = new Dictionary<string, ServiceSettings>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in _settings.Values.OrderBy(entry => entry.ModRevision))
        {
            settings[entry.Service] = entry.Value;
        }

        var overrides = new Dictionary<string, InstanceOverride>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in _overrides.Values.OrderBy(entry => entry.ModRevision))
        {
            overrides[entry.Instance] = entry.Value;
        }

        var splits = new Dictionary<string, IReadOnlyDictionary<string, int>>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in _splits.Values.OrderBy(entry => entry.ModRevision))
        {
            splits[entry.Service] = entry.Value;
        }

        var draining = new HashSet<string>(_draining.Values, StringComparer.OrdinalIgnoreCase);
        return new RegistrySnapshot(instances, settings, draining) { Overrides = overrides, Splits = splits };
    }

    private static bool Holds(RegistrySnapshot snapshot, InstanceRegistration registration) =>
        snapshot.Services.TryGetValue(registration.Service, out var instances)
        && instances.Any(other => string.Equals(other.Id, registration.Id, StringComparison.OrdinalIgnoreCase));

    private void Forget(string key)
    {
        _instances.Remove(key);
        _settings.Remove(key);
        _draining.Remove(key);
        _overrides.Remove(key);
        _splits.Remove(key);
    }

    private InstanceRegistration? DecodeInstance(string key, ReadOnlySpan<byte> value, EtcdKey parsed)
    {
        if (Decode<InstanceRegistration>(key, value) is not { } registration)
        {
            return null;
        }

        if (registration.Service is null || registration.Host is null || registration.Scheme is null)
        {
            EtcdRegistrationStore.Log.Undecodable(logger, key, "the registration lacks its service, host or scheme");
            return null;
        }

        if (!ServiceName.Comparer.Equals(registration.Service, parsed.Service)
            || !string.Equals(registration.Id, parsed.InstanceId, StringComparison.OrdinalIgnoreCase))
        {
            EtcdRegistrationStore.Log.Undecodable(logger, key, $"it registers {registration.Service} {registration.Id}, not what its key names");
            return null;
        }

        return registration;
    }

    private T? Decode<T>(string key, ReadOnlySpan<byte> value)
        where T : class
    {
        try
        {
            var decoded = JsonSerializer.Deserialize<T>(value, Json);
            if (decoded is null)
            {
                EtcdRegistrationStore.Log.Undecodable(logger, key, "its value is null");
            }

            return decoded;
        }
        catch (JsonException error)
        {
            EtcdRegistrationStore.Log.Undecodable(logger, key, error.Message);
            return null;
        }
    }

    /// <summary>A decoded registration with the revision it was written at, its lease, and when it was first seen.</summary>
    private sealed record InstanceEntry(InstanceRegistration Registration, long ModRevision, long Lease, DateTimeOffset Since);
}
