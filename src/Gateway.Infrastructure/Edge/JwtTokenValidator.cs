using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Gateway.Application.Edge;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Gateway.Infrastructure.Edge;

/// <summary>Validates one service's bearer tokens with Microsoft.IdentityModel's <see cref="JsonWebTokenHandler"/>.</summary>
/// <remarks>
/// A signature check costs tens of microseconds, and clients send the same token many times, so a token that passed
/// is remembered by its SHA-256 until it expires: the token itself is not kept. The cache is bounded; when full, the
/// expired entries go, and if that frees nothing, all of them.
/// </remarks>
internal sealed class JwtTokenValidator : IJwtValidator
{
    public const int CacheCapacity = 10_000;

    /// <summary>Far beyond any real token; a larger one is refused before it is hashed or parsed.</summary>
    private const int MaxTokenLength = 16 * 1024;

    private static readonly JsonWebTokenHandler Handler = new();

    private readonly JwtSettings _settings;
    private readonly string[] _claims;
    private readonly JwksKeySource _keys;
    private readonly TimeProvider _time;
    private readonly TokenValidationParameters _parameters;
    private readonly ConcurrentDictionary<TokenHash, Cached> _cache = new();

    public JwtTokenValidator(JwtSettings settings, IReadOnlyList<string> claims, JwksKeySource keys, TimeProvider time)
    {
        _settings = settings;
        _claims = [.. claims];
        _keys = keys;
        _time = time;
        _parameters = new TokenValidationParameters
        {
            ValidIssuer = settings.Issuer,
            ValidAudiences = settings.Audiences,
            ValidAlgorithms = settings.Algorithms,
            ClockSkew = settings.ClockSkew,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            // The keys of the moment: a refresh between two requests is seen by the next one.
            IssuerSigningKeyResolver = (_, _, _, _) => _keys.Current,
            LifetimeValidator = ValidateLifetime,
        };
    }

    public async ValueTask<JwtValidation> ValidateAsync(string token, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(token);
        if (token.Length is 0 or > MaxTokenLength)
        {
            return JwtValidation.Invalid("The token is malformed.");
        }

        var hash = TokenHash.Of(token);
        var now = _time.GetUtcNow();
        if (_cache.TryGetValue(hash, out var cached))
        {
            if (cached.Expires > now)
            {
                return cached.Validation;
            }

            _cache.TryRemove(hash, out _);
        }

        JsonWebToken jwt;
        try
        {
            jwt = Handler.ReadJsonWebToken(token);
        }
        catch (ArgumentException)
        {
            return JwtValidation.Invalid("The token is malformed.");
        }

        await _keys.EnsureKeyAsync(string.IsNullOrEmpty(jwt.Kid) ? null : jwt.Kid, cancellationToken);
        var result = await Handler.ValidateTokenAsync(jwt, _parameters);
        if (!result.IsValid)
        {
            return JwtValidation.Invalid(Describe(result.Exception));
        }

        var validation = Read(result.ClaimsIdentity);
        Remember(hash, new Cached(new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero), validation), now);
        return validation;
    }

    private JwtValidation Read(ClaimsIdentity identity)
    {
        var scopes = new List<string>();
        var values = new string?[_claims.Length];
        foreach (var claim in identity.Claims)
        {
            if (claim.Type is "scope" or "scp")
            {
                scopes.Add(claim.Value);
            }

            var index = Array.IndexOf(_claims, claim.Type);
            if (index >= 0)
            {
                values[index] ??= claim.Value;
            }
        }

        return new JwtValidation(true, null, scopes, values);
    }

    private void Remember(TokenHash hash, Cached entry, DateTimeOffset now)
    {
        if (_cache.Count >= CacheCapacity)
        {
            foreach (var (key, value) in _cache)
            {
                if (value.Expires <= now)
                {
                    _cache.TryRemove(key, out _);
                }
            }

            if (_cache.Count >= CacheCapacity)
            {
                _cache.Clear();
            }
        }

        _cache[hash] = entry;
    }

    /// <summary>Lifetime on the injected clock, with the configured skew; a token must say when it expires.</summary>
    private bool ValidateLifetime(DateTime? notBefore, DateTime? expires, SecurityToken token, TokenValidationParameters parameters)
    {
        var now = _time.GetUtcNow().UtcDateTime;
        if (expires is null)
        {
            throw new SecurityTokenNoExpirationException("The token has no expiry.");
        }

        if (notBefore is { } from && from > now + _settings.ClockSkew)
        {
            throw new SecurityTokenNotYetValidException("The token is not valid yet.") { NotBefore = from };
        }

        if (expires.Value < now - _settings.ClockSkew)
        {
            throw new SecurityTokenExpiredException("The token has expired.") { Expires = expires.Value };
        }

        return true;
    }

    /// <summary>What the client may know of why its token failed: the kind of failure, nothing of the keys.</summary>
    private static string Describe(Exception? error) => error switch
    {
        SecurityTokenExpiredException => "The token has expired.",
        SecurityTokenNotYetValidException => "The token is not valid yet.",
        SecurityTokenNoExpirationException => "The token has no expiry.",
        SecurityTokenInvalidIssuerException => "The token's issuer is not accepted.",
        SecurityTokenInvalidAudienceException => "The token's audience is not accepted.",
        SecurityTokenInvalidAlgorithmException => "The token's signature algorithm is not accepted.",
        SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException => "The token's signature does not verify.",
        _ => "The token is not valid.",
    };

    private sealed record Cached(DateTimeOffset Expires, JwtValidation Validation);

    /// <summary>A token's SHA-256 as four words: a dictionary key that neither keeps the token nor allocates.</summary>
    private readonly record struct TokenHash(ulong A, ulong B, ulong C, ulong D)
    {
        public static TokenHash Of(string token)
        {
            var length = Encoding.UTF8.GetByteCount(token);
            var rented = length <= 2048 ? null : new byte[length];
            Span<byte> utf8 = rented ?? stackalloc byte[length];
            Encoding.UTF8.GetBytes(token, utf8);
            Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(utf8, digest);
            var words = MemoryMarshal.Cast<byte, ulong>(digest);
            return new TokenHash(words[0], words[1], words[2], words[3]);
        }
    }
}
