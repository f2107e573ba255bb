namespace Gateway.Application.Registration;

/// <summary>A registration the store removed because no heartbeat renewed its lease in time.</summary>
/// <param name="RegisteredFor">How long it had been registered (for a shared store: since this replica first saw it).</param>
public sealed record LeaseExpiry(string Service, string InstanceId, int TtlSeconds, TimeSpan RegisteredFor)
{
    /// <summary>Why it left, as the event timeline says it.</summary>
    public string Cause => $"lease expired: no heartbeat within its {TtlSeconds} s lease, {RegisteredFor.TotalSeconds:0} s after it registered";
}
