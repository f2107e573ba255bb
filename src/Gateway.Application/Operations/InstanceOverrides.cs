using System.Runtime.CompilerServices;
using Gateway.Domain;

namespace Gateway.Application.Operations;

/// <summary>Operators' overrides: set, lifted, and ended by themselves when their time is up.</summary>
/// <remarks>
/// An override lives on its <see cref="Instance"/>, so it survives a configuration reload as the instance does. Its
/// expiry is a timer on the injected clock, kept beside the instance in a weak table, so a removed instance takes its
/// timer with it.
/// </remarks>
public sealed class InstanceOverrides(EventTimeline timeline, TimeProvider time) : IDisposable
{
    private readonly ConditionalWeakTable<Instance, ITimer> _expiries = [];

    public InstanceOverride Set(Service service, Instance instance, string reason, TimeSpan? duration, string by)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(instance);
        var now = time.GetUtcNow();
        var decision = new InstanceOverride(reason, now, now + duration, by);
        instance.SetOverride(decision);
        var expiry = duration is { } after
            ? time.CreateTimer(_ => Expire(service.Name, instance, decision), null, after, Timeout.InfiniteTimeSpan)
            : null;
        Replace(instance, expiry);
        timeline.Record(
            GatewayEventKinds.OverrideSet,
            service.Name,
            instance.Id,
            $"taken out by {by}{(duration is { } d ? $" for {d.TotalMinutes:0.##} min" : " until restored")}: {reason}");
        return decision;
    }

    /// <returns>Whether there was an override to lift.</returns>
    public bool Lift(Service service, Instance instance, string by)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(instance);
        Replace(instance, null);
        if (instance.Override is null || !instance.SetOverride(null))
        {
            return false;
        }

        timeline.Record(GatewayEventKinds.OverrideEnded, service.Name, instance.Id, $"restored by {by}");
        return true;
    }

    public void Dispose()
    {
        foreach (var (_, expiry) in _expiries)
        {
            expiry.Dispose();
        }
    }

    private void Expire(string service, Instance instance, InstanceOverride decision)
    {
        // A later override or a restore replaced this one: its timer has nothing left to end.
        if (ReferenceEquals(instance.Override, decision) && instance.SetOverride(null))
        {
            timeline.Record(GatewayEventKinds.OverrideEnded, service, instance.Id, "expired");
        }
    }

    private void Replace(Instance instance, ITimer? expiry)
    {
        lock (_expiries)
        {
            if (_expiries.TryGetValue(instance, out var previous))
            {
                previous.Dispose();
                _expiries.Remove(instance);
            }

            if (expiry is not null)
            {
                _expiries.Add(instance, expiry);
            }
        }
    }
}
