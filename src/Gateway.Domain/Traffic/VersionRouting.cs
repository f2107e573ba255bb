namespace Gateway.Domain.Traffic;

/// <summary>Where a request names the version it wants, and the version for those that name none.</summary>
/// <param name="Header">The request header carrying the version; null for none.</param>
/// <param name="Query">The query parameter carrying the version; null for none.</param>
/// <param name="PathSegment">Whether a first path segment <c>v&lt;version&gt;</c> names it (and is removed).</param>
/// <param name="Default">The version of requests that name none and meet no split; null for any instance.</param>
public sealed record VersionRouting(string? Header, string? Query, bool PathSegment, string? Default)
{
    public const string DefaultHeader = "Api-Version";

    /// <summary>What a service whose instances carry versions gets when it says nothing: the header only.</summary>
    public static VersionRouting Standard { get; } = new(DefaultHeader, null, false, null);
}
