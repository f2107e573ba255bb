namespace Gateway.Domain;

/// <summary>An operator's decision to keep an instance out of rotation, whatever its health says.</summary>
/// <param name="Until">When it ends by itself; null to last until it is lifted.</param>
/// <param name="By">Who decided: the fingerprint of the admin key used, never the key.</param>
public sealed record InstanceOverride(string Reason, DateTimeOffset At, DateTimeOffset? Until, string By);
