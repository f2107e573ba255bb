using Gateway.Domain;

namespace Gateway.Api.Status;

/// <summary>An operator's override as <c>GET /services</c> and the admin API show it.</summary>
public sealed record OverrideView(bool Out, string Reason, DateTimeOffset At, DateTimeOffset? Until, string By)
{
    public static OverrideView From(InstanceOverride decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        return new(true, decision.Reason, decision.At, decision.Until, decision.By);
    }
}
