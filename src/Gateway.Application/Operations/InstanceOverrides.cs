using System.Runtime.CompilerServices;
using Gateway.Domain;

namespace Gateway.Application.Operations;

/// <summary>Operators' overrides on this replica's instances: installed, lifted, and ended by themselves when their time is up.</summary>
/// <remarks>
/// The registration store holds the decisions, so that every replica applies the same ones (see
/// <see cref="Registration.RegistryComposer"/>); this class puts them on the instances. An override lives on its
/// <see cref="Instance"/>, so it survives a configuration reload as the instance does. Its expiry is a timer on the
/// injected clock, kept beside the instance in a weak table, so a removed instance takes its timer with it.
/// </remarks>
public sealed class InstanceOverrides(EventTimeline timeline, TimeProvider time) : IDisposable
{
    private readonly ConditionalWeakTable<Instance, ITimer> _expiries = [];

    /// <summary>A decision taken now, for <paramref name="duration"/> or (null) until lifted.</summary>
    public InstanceOverride Decide(string reason, TimeSpan? duration, string by)
    {
        var now = time.GetUtcNow();
        return new InstanceOverride(reason, now, now + duration, by);
    }

    /// <summary>Keeps an instance out by a decision, unless it already is by that one or the decision's time is up.</summary>
    /// <returns>Whether the decision was installed.</returns>
    public bool Apply(Service service, Instance instance, InstanceOverride decision)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(instance);
        ArgumentNullException.ThrowIfNull(decision);
        var left = decision.Until - time.GetUtcNow();
        if (Equals(instance.Override, decision) || left <= TimeSpan.Zero)
        {
            return false;
        }

        instance.SetOverride(decision);
        var expiry = left is { } after
            ? time.CreateTimer(_ => Expire(service.Name, instance, decision), null, after, Timeout.InfiniteTimeSpan)
            : null;
        Replace(instance, expiry);
        timeline.Record(
            GatewayEventKinds.OverrideSet,
            service.Name,
            instance.Id,
            $"taken out by {decision.By}{(decision.Until - decision.At is { } d ? $" for {d.TotalMinutes:0.##} min" : " until restored")}: {decision.Reason}");
        return true;
    }

    /// <returns>Whether there was an override to lift.</returns>
    public bool Lift(Service service, Instance instance, string cause)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(instance);
        Replace(instance, null);
        if (instance.Override is null || !instance.SetOverride(null))
        {
            return false;
        }

        timeline.Record(GatewayEventKinds.OverrideEnded, service.Name, instance.Id, cause);
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
