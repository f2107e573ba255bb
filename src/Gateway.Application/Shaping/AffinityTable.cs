using System.Collections.Frozen;
using Gateway.Domain;

namespace Gateway.Application.Shaping;

/// <summary>The affinity values of one version of a service's instances, both ways.</summary>
/// <remarks>
/// Built when the service changes, never per request: the registry builds a new <see cref="Domain.Service"/> for each
/// change of its instances, so the table belongs to one such object. The header values to send are built here too,
/// so that marking a response costs no string.
/// </remarks>
internal sealed class AffinityTable
{
    private readonly FrozenDictionary<string, Instance>.AlternateLookup<ReadOnlySpan<char>> _byToken;
    private readonly Dictionary<Instance, Marks> _marks;

    public AffinityTable(Service service, AffinitySettings settings, byte[] key)
    {
        Service = service;
        var byToken = new Dictionary<string, Instance>(StringComparer.Ordinal);
        _marks = new Dictionary<Instance, Marks>(ReferenceEqualityComparer.Instance);
        foreach (var instance in service.Instances)
        {
            var token = AffinityTokens.For(key, service.Name, instance.Id);
            byToken[token] = instance;
            _marks[instance] = settings.Carrier == AffinityCarrier.Cookie
                ? CookieMarks(settings.Name, token, service.PathPrefix)
                : new Marks(new(settings.Name, token, false), new(settings.Name, token, false));
        }

        _byToken = byToken.ToFrozenDictionary(StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public Service Service { get; }

    public Instance? Find(ReadOnlySpan<char> token) => _byToken.TryGetValue(token, out var instance) ? instance : null;

    public AffinityMark MarkOf(Instance instance, bool secure) =>
        _marks.TryGetValue(instance, out var marks) ? (secure ? marks.Secure : marks.Plain) : throw new ArgumentException(
            $"Instance '{instance.Id}' is not one of service '{Service.Name}'.", nameof(instance));

    /// <summary>
    /// Scoped to the service's path, so that the browser sends it with that service's requests only; out of reach of
    /// scripts; and sent on cross-site navigations but not cross-site subrequests.
    /// </summary>
    private static Marks CookieMarks(string name, string token, string path)
    {
        var cookie = $"{name}={token}; Path={path}; HttpOnly; SameSite=Lax";
        return new Marks(new("Set-Cookie", cookie, true), new("Set-Cookie", cookie + "; Secure", true));
    }

    /// <param name="Secure">For a client that came over HTTPS: a cookie it will send over HTTPS only.</param>
    private sealed record Marks(AffinityMark Plain, AffinityMark Secure);
}
