using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Gateway.Application.Edge;
using Gateway.Application.Forwarding;
using Gateway.Infrastructure.Edge;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Primitives;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Gateway.Benchmarks.Edge;

/// <summary>
/// What a service's edge policy adds to one request, before an instance is picked: the check itself and the
/// command and headers it hands on. Times and allocations are per request.
/// </summary>
/// <remarks>
/// <c>NoPolicy</c> is what every request of a service without policies pays: the lookup. <c>JwtRepeatedToken</c> is
/// the usual case, a client sending the same token until it expires (remembered by its hash);
/// <c>JwtFirstSight</c> builds a validator (with the keys already read) per call, so the token is never remembered:
/// parsing and the RS256 signature check.
/// </remarks>
[MemoryDiagnoser]
[Config(typeof(InProcessRunConfig))]
public class EdgePolicyBenchmarks : IDisposable
{
    private const string Issuer = "https://issuer.bench";
    private const string Audience = "bench-api";

    private readonly EdgePolicies _none = new((_, _, _) => throw new NotSupportedException("No policy is ever set here."));
    private EdgePolicy _rateLimit = null!;
    private EdgePolicy _apiKey = null!;
    private EdgePolicy _jwt = null!;
    private JwtSettings _jwtSettings = null!;
    private string _jwksFile = null!;
    private JwksKeySource _keys = null!;
    private string _token = null!;
    private RSA? _rsa;
    private ForwardRequestCommand _anonymous = null!;
    private ForwardRequestCommand _withKey = null!;
    private ForwardRequestCommand _withToken = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _rsa = RSA.Create(2048);
        var key = new RsaSecurityKey(_rsa) { KeyId = "bench-1" };
        var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(_rsa.ExportParameters(false)) { KeyId = key.KeyId });
        _jwksFile = Path.GetTempFileName();
        await File.WriteAllTextAsync(_jwksFile, JsonSerializer.Serialize(new { keys = new[] { new { kty = "RSA", kid = jwk.Kid, use = "sig", n = jwk.N, e = jwk.E } } }));
        _token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            Expires = DateTime.UtcNow.AddHours(1),
            Claims = new Dictionary<string, object> { ["sub"] = "user-42", ["scope"] = "bench.read" },
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.RsaSha256),
        });

        var limit = new RateLimitSettings(1_000_000_000, 1_000_000_000, PartitionKey.ClientIp, 0);
        _rateLimit = new EdgePolicy("bench", new EdgeSettings(null, null, true, limit), null, TrustedProxies.None, TimeProvider.System);
        _apiKey = new EdgePolicy(
            "bench",
            new EdgeSettings(new ApiKeySettings("X-Api-Key", [new ApiKeyEntry("mobile", SHA256.HashData(Encoding.UTF8.GetBytes("bench-key-0123456789")))]), null, true, null),
            null,
            TrustedProxies.None,
            TimeProvider.System);
        _keys = JwksKeySource.FromFile(_jwksFile, TimeProvider.System, NullLogger.Instance);
        _jwtSettings = new JwtSettings(Issuer, [Audience], null, _jwksFile, ["RS256"], TimeSpan.FromSeconds(30), ["bench.read"], [new("sub", "X-User-Id")]);
        _jwt = new EdgePolicy("bench", new EdgeSettings(null, _jwtSettings, true, null), new Factory(), TrustedProxies.None, TimeProvider.System);

        _anonymous = Command(("Accept", "application/json"));
        _withKey = Command(("Accept", "application/json"), ("X-Api-Key", "bench-key-0123456789"));
        _withToken = Command(("Accept", "application/json"), ("Authorization", $"Bearer {_token}"));

        using var admitted = await _jwt.AdmitAsync(_withToken, CancellationToken.None);
        if (admitted.Verdict != EdgeVerdict.Admitted)
        {
            throw new InvalidOperationException($"The bench token was refused: {admitted.Detail}");
        }
    }

    [Benchmark(Baseline = true)]
    public EdgePolicy? NoPolicy() => _none.For("bench");

    [Benchmark]
    public async Task<EdgeVerdict> RateLimit()
    {
        using var admission = await _rateLimit.AdmitAsync(_anonymous, CancellationToken.None);
        return admission.Verdict;
    }

    [Benchmark]
    public async Task<EdgeVerdict> ApiKey()
    {
        using var admission = await _apiKey.AdmitAsync(_withKey, CancellationToken.None);
        return admission.Verdict;
    }

    [Benchmark]
    public async Task<EdgeVerdict> JwtRepeatedToken()
    {
        using var admission = await _jwt.AdmitAsync(_withToken, CancellationToken.None);
        return admission.Verdict;
    }

    [Benchmark]
    public async Task<bool> JwtFirstSight()
    {
        var validator = new JwtTokenValidator(_jwtSettings, ["sub"], _keys, TimeProvider.System);
        return (await validator.ValidateAsync(_token, CancellationToken.None)).IsValid;
    }

    public void Dispose()
    {
        _rateLimit?.Dispose();
        _apiKey?.Dispose();
        _jwt?.Dispose();
        _rsa?.Dispose();
        if (_jwksFile is not null)
        {
            File.Delete(_jwksFile);
        }

        GC.SuppressFinalize(this);
    }

    private static ForwardRequestCommand Command(params (string Name, string Value)[] headers) =>
        new(
            "bench",
            "GET",
            "/json",
            headers.Select(h => new KeyValuePair<string, StringValues>(h.Name, h.Value)).ToDictionary(StringComparer.OrdinalIgnoreCase),
            Body: null,
            ContentLength: null,
            Client: new ClientInfo("203.0.113.7", "http", "gateway.bench"));

    private sealed class Factory : IJwtValidatorFactory
    {
        public IJwtValidator Create(string service, JwtSettings settings, IReadOnlyList<string> claims) =>
            new JwtTokenValidator(settings, claims, JwksKeySource.FromFile(settings.JwksFile!, TimeProvider.System, NullLogger.Instance), TimeProvider.System);
    }
}
