using System.Diagnostics.CodeAnalysis;

namespace Gateway.Domain.LoadBalancing;

/// <summary>The strategies' canonical names (the original gateway's spellings) and the one parser of their aliases.</summary>
public static class LoadBalancerNames
{
    public const string RoundRobin = "round_robin";
    public const string LeastConnections = "least_connections";
    public const string Random = "random";
    public const string WeightedRoundRobin = "weighted_round_robin";
    public const string PowerOfTwoChoices = "power_of_two_choices";

    public static readonly IReadOnlyList<string> All =
        [RoundRobin, LeastConnections, Random, WeightedRoundRobin, PowerOfTwoChoices];

    /// <summary>
    /// Accepts <c>round_robin</c>, <c>RoundRobin</c>, <c>round-robin</c> and other spellings that differ only in case
    /// and in '_' or '-' between words.
    /// </summary>
    public static bool TryParse(string? name, [NotNullWhen(true)] out string? canonical)
    {
        canonical = null;
        if (string.IsNullOrWhiteSpace(name))
        {
            return false;
        }

        Span<char> folded = stackalloc char[64];
        var length = 0;
        foreach (var c in name.Trim())
        {
            if (c is '_' or '-')
            {
                continue;
            }

            if (length == folded.Length)
            {
                return false;
            }

            folded[length++] = char.ToLowerInvariant(c);
        }

        canonical = folded[..length] switch
        {
            "roundrobin" => RoundRobin,
            "leastconnections" or "leastconnection" or "leastconn" => LeastConnections,
            "random" => Random,
            "weightedroundrobin" => WeightedRoundRobin,
            "poweroftwochoices" or "poweroftwo" or "p2c" => PowerOfTwoChoices,
            _ => null,
        };
        return canonical is not null;
    }

    /// <exception cref="ArgumentException">The name is none of the strategies'; the message names it.</exception>
    public static string Parse(string? name) =>
        TryParse(name, out var canonical)
            ? canonical
            : throw new ArgumentException(
                $"Unknown load balancer '{name}': expected one of {string.Join(", ", All)}.", nameof(name));
}
