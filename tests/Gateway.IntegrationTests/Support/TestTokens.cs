using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Gateway.IntegrationTests.Support;

/// <summary>An issuer for tests: RSA and ECDSA signing keys, their JWKS, and tokens good and bad.</summary>
public sealed class TestTokens : IDisposable
{
    public const string Issuer = "https://issuer.test";
    public const string Audience = "orders-api";

    private static readonly JsonWebTokenHandler Handler = new();

    private readonly RSA _rsa = RSA.Create(2048);
    private readonly ECDsa _ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public TestTokens(string rsaKeyId = "rsa-1", string ecKeyId = "ec-1")
    {
        Rsa = new RsaSecurityKey(_rsa) { KeyId = rsaKeyId };
        Ec = new ECDsaSecurityKey(_ecdsa) { KeyId = ecKeyId };
    }

    public RsaSecurityKey Rsa { get; }

    public ECDsaSecurityKey Ec { get; }

    /// <summary>The public halves of both keys, as an issuer publishes them.</summary>
    public string Jwks => JwksOf(Rsa, Ec);

    public static string JwksOf(params SecurityKey[] keys)
    {
        var jwks = keys.Select(key => key switch
        {
            RsaSecurityKey rsa => (object)PublicJwk(JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(rsa.Rsa.ExportParameters(false)) { KeyId = rsa.KeyId }), "RS256"),
            ECDsaSecurityKey ec => PublicJwk(JsonWebKeyConverter.ConvertFromECDsaSecurityKey(ec), "ES256"),
            _ => throw new ArgumentException("Only RSA and EC keys.", nameof(keys)),
        });
        return JsonSerializer.Serialize(new { keys = jwks });
    }

    public string Rs256(Action<SecurityTokenDescriptor>? change = null) => Mint(new SigningCredentials(Rsa, SecurityAlgorithms.RsaSha256), change);

    public string Es256(Action<SecurityTokenDescriptor>? change = null) => Mint(new SigningCredentials(Ec, SecurityAlgorithms.EcdsaSha256), change);

    public static string Mint(SigningCredentials credentials, Action<SecurityTokenDescriptor>? change = null)
    {
        var now = DateTime.UtcNow;
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            IssuedAt = now,
            NotBefore = now.AddMinutes(-1),
            Expires = now.AddMinutes(10),
            // RS256 signatures are deterministic and times have whole seconds: without an id of its own, a token
            // minted twice in a second would be the same string, and the gateway remembers tokens it has accepted.
            Claims = new Dictionary<string, object> { ["sub"] = "user-42", ["scope"] = "orders.read profile", ["jti"] = Guid.NewGuid().ToString("N") },
            SigningCredentials = credentials,
        };
        change?.Invoke(descriptor);
        return Handler.CreateToken(descriptor);
    }

    /// <summary>A token with <c>alg: none</c> and no signature, claiming what a good token claims.</summary>
    public static string AlgNone() =>
        $"{Segment(new { alg = "none", typ = "JWT" })}.{Segment(GoodPayload())}.";

    /// <summary>The classic confusion attack: HS256 with the RSA public key as the shared secret.</summary>
    public string Hs256WithRsaPublicKey()
    {
        var signed = $"{Segment(new { alg = "HS256", typ = "JWT", kid = Rsa.KeyId })}.{Segment(GoodPayload())}";
        var secret = Encoding.ASCII.GetBytes(_rsa.ExportSubjectPublicKeyInfoPem());
        var signature = HMACSHA256.HashData(secret, Encoding.ASCII.GetBytes(signed));
        return $"{signed}.{Base64UrlEncoder.Encode(signature)}";
    }

    /// <summary>A good token whose payload was changed after signing.</summary>
    public string Tampered()
    {
        var parts = Rs256().Split('.');
        var payload = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(Base64UrlEncoder.Decode(parts[1]))!;
        payload["sub"] = JsonSerializer.SerializeToElement("admin");
        return $"{parts[0]}.{Base64UrlEncoder.Encode(JsonSerializer.Serialize(payload))}.{parts[2]}";
    }

    public void Dispose()
    {
        _rsa.Dispose();
        _ecdsa.Dispose();
    }

    private static Dictionary<string, object> PublicJwk(JsonWebKey key, string algorithm)
    {
        var jwk = new Dictionary<string, object> { ["kty"] = key.Kty, ["kid"] = key.Kid, ["use"] = "sig", ["alg"] = algorithm };
        if (key.Kty == "RSA")
        {
            jwk["n"] = key.N;
            jwk["e"] = key.E;
        }
        else
        {
            jwk["crv"] = key.Crv;
            jwk["x"] = key.X;
            jwk["y"] = key.Y;
        }

        return jwk;
    }

    private static Dictionary<string, object> GoodPayload()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        return new Dictionary<string, object>
        {
            ["iss"] = Issuer,
            ["aud"] = Audience,
            ["sub"] = "user-42",
            ["scope"] = "orders.read",
            ["nbf"] = now - 60,
            ["exp"] = now + 600,
        };
    }

    private static string Segment(object value) => Base64UrlEncoder.Encode(JsonSerializer.Serialize(value));
}
