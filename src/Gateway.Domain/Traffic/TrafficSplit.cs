namespace Gateway.Domain.Traffic;

/// <summary>How requests that name no version are shared across versions.</summary>
/// <param name="Weights">Each version's share, in a fixed order (ordinal by version), so that every replica cuts the same ranges.</param>
/// <param name="StickyBy">What keeps one client on one version; null to choose at random per request.</param>
public sealed record TrafficSplit(IReadOnlyList<VersionWeight> Weights, StickyKey? StickyBy)
{
    /// <summary>The longest version name: versions are metric labels and path segments.</summary>
    public const int MaxVersionLength = 64;

    public static TrafficSplit Create(IEnumerable<KeyValuePair<string, int>> weights, StickyKey? stickyBy) =>
        new([.. weights.Select(weight => new VersionWeight(weight.Key, weight.Value)).OrderBy(weight => weight.Version, StringComparer.Ordinal)], stickyBy);

    /// <summary>Whether a version name is one a registry may use: letters, digits, <c>.</c>, <c>-</c>, <c>_</c>.</summary>
    public static bool IsVersionName(string? version) =>
        version is { Length: > 0 and <= MaxVersionLength }
        && version.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_');

    /// <summary>The first problem with a set of weights, as the field under <c>weights</c> and a message; null when valid.</summary>
    public static (string Field, string Message)? Check(IEnumerable<KeyValuePair<string, int>>? weights)
    {
        if (weights is null)
        {
            return ("weights", "is required");
        }

        var any = false;
        foreach (var (version, weight) in weights)
        {
            if (!IsVersionName(version))
            {
                return ($"weights.{version}", $"'{version}' is not a version: letters, digits, '.', '-' or '_', at most {MaxVersionLength}");
            }

            if (weight < 0)
            {
                return ($"weights.{version}", $"{weight} is negative: a weight is a whole number of at least 0");
            }

            any |= weight > 0;
        }

        return any ? null : ("weights", "needs at least one version with a weight above 0");
    }
}

/// <summary>One version's share of a split.</summary>
public sealed record VersionWeight(string Version, int Weight);
