using Microsoft.Extensions.Primitives;

namespace Gateway.Application.Shaping;

/// <summary>What a service's shaping changes in one forwarded response: its header transforms and the affinity mark.</summary>
public sealed class ShapedResponse(HeaderTransforms? transforms, TransformContext context, AffinityMark? affinity)
{
    /// <summary>The affinity header to send, when the client is not tied to the instance that answered yet.</summary>
    public AffinityMark? Affinity { get; } = affinity;

    /// <summary>Changes the response's headers, after the instance's have been copied in.</summary>
    public void Apply(IDictionary<string, StringValues> headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        transforms?.Apply(headers, context);
        if (Affinity is { } mark)
        {
            headers[mark.Header] = mark.Appended && headers.TryGetValue(mark.Header, out var existing)
                ? StringValues.Concat(existing, mark.Value)
                : mark.Value;
        }
    }
}
