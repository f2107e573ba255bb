using Gateway.Application.Edge;
using Gateway.Application.Forwarding;
using Gateway.Domain;

namespace Gateway.Application.Shaping;

/// <summary>One service's session affinity and transforms, ready for the request path.</summary>
public sealed class ShapingPolicy
{
    private readonly TrustedProxies _proxies;

    public ShapingPolicy(ShapingSettings settings, byte[] affinityKey, TrustedProxies proxies)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(affinityKey);
        ArgumentNullException.ThrowIfNull(proxies);
        _proxies = proxies;
        Affinity = settings.Affinity is { } affinity ? new SessionAffinity(affinity, affinityKey) : null;
        RequestHeaders = settings.Transforms?.RequestHeaders;
        ResponseHeaders = settings.Transforms?.ResponseHeaders;
        PathPrefix = settings.Transforms?.PathPrefix;
    }

    public SessionAffinity? Affinity { get; }

    public HeaderTransforms? RequestHeaders { get; }

    public HeaderTransforms? ResponseHeaders { get; }

    public string? PathPrefix { get; }

    public TransformContext ContextOf(UpstreamRequest request) => new(request, _proxies);

    /// <summary>What to change in the response of <paramref name="answered"/>; null when nothing.</summary>
    /// <param name="sticky">The instance the request's affinity value named, if it named one that could take it.</param>
    public ShapedResponse? Respond(UpstreamRequest answered, Instance? sticky)
    {
        ArgumentNullException.ThrowIfNull(answered);
        // Retried elsewhere, or tied to nothing yet: the client is tied to the instance that answered.
        AffinityMark? mark = Affinity is not null && !ReferenceEquals(answered.Instance, sticky)
            ? Affinity.Mark(answered.Service, answered.Instance, IsHttps(answered.Command.Client.Scheme))
            : null;
        return mark is null && ResponseHeaders is null ? null : new ShapedResponse(ResponseHeaders, ContextOf(answered), mark);
    }

    private static bool IsHttps(string scheme) => string.Equals(scheme, "https", StringComparison.OrdinalIgnoreCase);
}
