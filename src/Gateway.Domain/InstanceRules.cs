using System.Diagnostics.CodeAnalysis;

namespace Gateway.Domain;

/// <summary>
/// What an instance's host, port, weight and scheme, and a service's health-check path, must be: each rule stated once,
/// with its limits and the one wording of its problem, whether the value comes from the registry file, the admin API
/// or a shared store.
/// </summary>
/// <remarks>
/// A problem is worded to follow the value it is about, as every caller writes it: <c>'a b' is not a host name or
/// address</c>, <c>70000 is outside 1-65535</c>.
/// </remarks>
public static class InstanceRules
{
    public const int MinPort = 1;
    public const int MaxPort = 65535;

    /// <summary>The smallest weight; there is no largest (the contract asks for an integer of at least 1).</summary>
    public const int MinWeight = 1;

    /// <summary>The scheme of an instance spoken to in cleartext HTTP/2 with prior knowledge (RFC 9113 §3.3).</summary>
    public const string H2c = "h2c";

    public const string DefaultHealthCheckPath = "/health";

    public const string HostProblem = "is not a host name or address";
    public const string PortProblem = "is outside 1-65535";
    public const string WeightProblem = "is below 1";
    public const string SchemeProblem = "is not http, https or h2c";
    public const string HealthCheckPathProblem = "does not start with '/'";

    /// <summary>
    /// A DNS name or an IP address (an IPv6 one with or without its brackets), with nothing that would make it part of
    /// a path, query, user or a second host: <c>localhost:8001</c>, <c>local%host</c> and <c>[::1</c> are not hosts.
    /// </summary>
    public static bool IsHost([NotNullWhen(true)] string? host) =>
        !string.IsNullOrWhiteSpace(host)
        && !host.Any(c => char.IsWhiteSpace(c) || c is '/' or '?' or '#' or '@')
        && host.StartsWith('[') == host.EndsWith(']')
        && Uri.CheckHostName(host.Trim('[', ']')) is var kind && kind != UriHostNameType.Unknown
        && (kind == UriHostNameType.IPv6 || !host.StartsWith('['));

    public static bool IsPort(int port) => port is >= MinPort and <= MaxPort;

    public static bool IsWeight(int weight) => weight >= MinWeight;

    /// <summary>Whether a lower-case scheme is one an instance may have: <c>http</c>, <c>https</c> or <c>h2c</c>.</summary>
    public static bool IsScheme([NotNullWhen(true)] string? scheme) => scheme is "http" or "https" or H2c;

    public static bool IsHealthCheckPath([NotNullWhen(true)] string? path) => path is { Length: > 0 } && path[0] == '/';
}
