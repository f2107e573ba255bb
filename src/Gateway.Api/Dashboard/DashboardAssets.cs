using System.Collections.Frozen;
using System.Security.Cryptography;

namespace Gateway.Api.Dashboard;

/// <summary>
/// The dashboard's page, script and style sheet, embedded in the assembly: the gateway serves them itself, offline,
/// with nothing to build or fetch besides.
/// </summary>
internal static class DashboardAssets
{
    /// <summary>
    /// Only the page's own files run, style and fetch: no inline script or style, no other origin, no framing. What
    /// the page shows comes from the registry and from the admin API's callers, so a service or reason written to
    /// look like markup must stay text.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private const string ResourcePrefix = "Gateway.Api.Dashboard.Assets.";

    private static readonly FrozenDictionary<string, Asset> Assets = new Dictionary<string, Asset>
    {
        ["index.html"] = Load("index.html", "text/html; charset=utf-8"),
        ["app.js"] = Load("app.js", "text/javascript; charset=utf-8"),
        ["app.css"] = Load("app.css", "text/css; charset=utf-8"),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    public static bool TryGet(string name, out Asset asset) => Assets.TryGetValue(name, out asset!);

    private static Asset Load(string name, string contentType)
    {
        using var stream = typeof(DashboardAssets).Assembly.GetManifestResourceStream(ResourcePrefix + name)
            ?? throw new InvalidOperationException($"The dashboard's {name} is not embedded in the assembly.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        var content = copy.ToArray();
        return new Asset(content, contentType, $"\"{Convert.ToHexStringLower(SHA256.HashData(content)[..8])}\"");
    }

    /// <param name="ETag">The content's hash: a page reloaded after an upgrade gets the new files, otherwise a 304.</param>
    public sealed record Asset(byte[] Content, string ContentType, string ETag);
}
