namespace Gateway.Application.Shaping;

/// <summary>A service's <c>Transforms</c>.</summary>
/// <param name="RequestHeaders">Changes to the request's headers before it is forwarded.</param>
/// <param name="ResponseHeaders">Changes to the instance's response headers before the client sees them.</param>
/// <param name="PathPrefix">Put before the forwarded path (<c>/api</c> + <c>/users</c>); null for none.</param>
public sealed record ServiceTransforms(HeaderTransforms? RequestHeaders, HeaderTransforms? ResponseHeaders, string? PathPrefix);
