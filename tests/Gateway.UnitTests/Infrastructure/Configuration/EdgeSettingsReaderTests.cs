using Gateway.Application.Edge;
using Gateway.Infrastructure.Configuration;
using Microsoft.Extensions.Options;
using static Gateway.UnitTests.TestSupport.RegistrySettings;

namespace Gateway.UnitTests.Infrastructure.Configuration;

/// <summary>The registry's <c>Auth</c> and <c>RateLimit</c> keys as the registry loader reads them.</summary>
public sealed class EdgeSettingsReaderTests : IDisposable
{
    private const string Hash = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("edge-settings-");

    public void Dispose() => _directory.Delete(recursive: true);

    [Fact]
    public void Bind_FullJwtAndRateLimit_ReadsEverySetting()
    {
        var options = Bind(Service(
            ("Auth:Type", "jwt"),
            ("Auth:Issuer", "https://issuer.example"),
            ("Auth:Audiences:0", "orders-api"),
            ("Auth:JwksUrl", "http://127.0.0.1:9000/.well-known/jwks.json"),
            ("Auth:Algorithms:0", "RS256"),
            ("Auth:Algorithms:1", "ES256"),
            ("Auth:ClockSkewSeconds", "30"),
            ("Auth:RequiredScopes:0", "orders.read"),
            ("Auth:ForwardClaims:sub", "X-User-Id"),
            ("Auth:ForwardAuthorization", "false"),
            ("RateLimit:PermitsPerSecond", "10"),
            ("RateLimit:Burst", "20"),
            ("RateLimit:PartitionBy", "claim:sub"),
            ("RateLimit:MaxConcurrent", "5")));

        var edge = options.Edge["orders"];
        edge.AuthType.ShouldBe("jwt");
        edge.ForwardAuthorization.ShouldBeFalse();
        var jwt = edge.Jwt.ShouldNotBeNull();
        jwt.Issuer.ShouldBe("https://issuer.example");
        jwt.Audiences.ShouldBe(["orders-api"]);
        jwt.Algorithms.ShouldBe(["RS256", "ES256"]);
        jwt.ClockSkew.ShouldBe(TimeSpan.FromSeconds(30));
        jwt.RequiredScopes.ShouldBe(["orders.read"]);
        jwt.ForwardClaims.ShouldBe([new KeyValuePair<string, string>("sub", "X-User-Id")]);
        edge.RateLimit.ShouldBe(new RateLimitSettings(10, 20, new PartitionKey(PartitionKind.Claim, "sub"), 5));
    }

    [Fact]
    public void Bind_ApiKey_ReadsHashesAndDefaultsTheHeader()
    {
        var options = Bind(Service(("Auth:Type", "api_key"), ("Auth:Keys:0:Name", "mobile"), ("Auth:Keys:0:Sha256", Hash)));

        var apiKey = options.Edge["orders"].ApiKey.ShouldNotBeNull();
        apiKey.Header.ShouldBe("X-Api-Key");
        apiKey.Keys.ShouldHaveSingleItem().Name.ShouldBe("mobile");
        options.Edge["orders"].RateLimit.ShouldBeNull();
    }

    [Fact]
    public void Bind_RateLimitAlone_DefaultsBurstAndPartition()
    {
        var options = Bind(Service(("RateLimit:PermitsPerSecond", "2.5")));

        options.Edge["orders"].ShouldBe(new EdgeSettings(null, null, true, new RateLimitSettings(2.5, 3, PartitionKey.ClientIp, 0)));
    }

    [Fact]
    public void Bind_NoPolicies_LeavesTheServiceOutOfEdge()
    {
        var options = Bind(Service());

        options.Edge.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("orders.Auth.Type: 'oauth'", "Auth:Type", "oauth")]
    [InlineData("orders.Auth.JwksUrl: missing", "Auth:Type", "jwt", "Auth:Issuer", "i", "Auth:Audiences:0", "a")]
    [InlineData("orders.Auth.Algorithms: 'none' is not allowed", "Auth:Type", "jwt", "Auth:Issuer", "i", "Auth:Audiences:0", "a", "Auth:JwksUrl", "http://x/jwks", "Auth:Algorithms:0", "none")]
    [InlineData("orders.Auth.Algorithms: 'HS256' is not allowed", "Auth:Type", "jwt", "Auth:Issuer", "i", "Auth:Audiences:0", "a", "Auth:JwksUrl", "http://x/jwks", "Auth:Algorithms:0", "HS256")]
    [InlineData("orders.Auth.Issuer: missing", "Auth:Type", "jwt", "Auth:Audiences:0", "a", "Auth:JwksUrl", "http://x/jwks")]
    [InlineData("orders.Auth.JwksUrl: 'ftp://x/jwks'", "Auth:Type", "jwt", "Auth:Issuer", "i", "Auth:Audiences:0", "a", "Auth:JwksUrl", "ftp://x/jwks")]
    [InlineData("orders.Auth.ClockSkewSeconds: '900'", "Auth:Type", "jwt", "Auth:Issuer", "i", "Auth:Audiences:0", "a", "Auth:JwksUrl", "http://x/jwks", "Auth:ClockSkewSeconds", "900")]
    [InlineData("orders.Auth.Keys: missing", "Auth:Type", "api_key")]
    [InlineData("orders.Auth.Header: 'Bad Header'", "Auth:Type", "api_key", "Auth:Header", "Bad Header", "Auth:Keys:0:Name", "m", "Auth:Keys:0:Sha256", Hash)]
    [InlineData("orders.Auth.Issuer: unknown setting for Type api_key", "Auth:Type", "api_key", "Auth:Issuer", "i", "Auth:Keys:0:Name", "m", "Auth:Keys:0:Sha256", Hash)]
    [InlineData("orders.RateLimit.PermitsPerSecond: '0'", "RateLimit:PermitsPerSecond", "0")]
    [InlineData("orders.RateLimit.PermitsPerSecond: missing", "RateLimit:Burst", "5")]
    [InlineData("orders.RateLimit.PartitionBy: 'cookie:x'", "RateLimit:PermitsPerSecond", "1", "RateLimit:PartitionBy", "cookie:x")]
    [InlineData("orders.RateLimit.PartitionBy: 'api_key' needs Auth.Type api_key", "RateLimit:PermitsPerSecond", "1", "RateLimit:PartitionBy", "api_key")]
    [InlineData("orders.RateLimit.PartitionBy: 'claim:sub' needs Auth.Type jwt", "RateLimit:PermitsPerSecond", "1", "RateLimit:PartitionBy", "claim:sub")]
    [InlineData("orders.RateLimit.MaxConcurrent: '-1'", "RateLimit:PermitsPerSecond", "1", "RateLimit:MaxConcurrent", "-1")]
    [InlineData("orders.RateLimit.Window: unknown setting", "RateLimit:PermitsPerSecond", "1", "RateLimit:Window", "60")]
    public void Bind_Invalid_FailsNamingTheKeyAndValue(string expected, params string[] settings)
    {
        var pairs = settings.Chunk(2).Select(pair => (pair[0], pair[1])).ToArray();

        var error = Should.Throw<OptionsValidationException>(() => Bind(Service(pairs)));

        error.Failures.ShouldContain(failure => failure.StartsWith(expected, StringComparison.Ordinal), string.Join(" | ", error.Failures));
    }

    [Fact]
    public void Bind_BadHash_FailsWithoutShowingTheValue()
    {
        const string PastedKey = "this-is-the-raw-key-not-its-hash";

        var error = Should.Throw<OptionsValidationException>(() => Bind(Service(
            ("Auth:Type", "api_key"), ("Auth:Keys:0:Name", "mobile"), ("Auth:Keys:0:Sha256", PastedKey))));

        var failure = error.Failures.ShouldHaveSingleItem();
        failure.ShouldStartWith("orders.Auth.Keys[0].Sha256:");
        failure.ShouldNotContain(PastedKey);
    }

    [Fact]
    public void Bind_JwksFile_MustExistAndHoldKeys()
    {
        var empty = Path.Combine(_directory.FullName, "empty.json");
        File.WriteAllText(empty, """{ "keys": [] }""");
        var jwt = new[] { ("Auth:Type", "jwt"), ("Auth:Issuer", "i"), ("Auth:Audiences:0", "a") };

        var missing = Should.Throw<OptionsValidationException>(() => Bind(Service([.. jwt, ("Auth:JwksFile", "/nonexistent/jwks.json")])));
        var keyless = Should.Throw<OptionsValidationException>(() => Bind(Service([.. jwt, ("Auth:JwksFile", empty)])));

        missing.Failures.ShouldHaveSingleItem().ShouldBe("orders.Auth.JwksFile: '/nonexistent/jwks.json' does not exist");
        keyless.Failures.ShouldHaveSingleItem().ShouldContain("holds no RSA or EC signing key");
    }

    [Theory]
    [InlineData("10.0.0.0/8, 192.168.1.1", 2)]
    [InlineData("", 0)]
    public void EdgeOptions_TrustedProxies_AreParsed(string value, int expected)
    {
        var options = new EdgeOptions();

        EdgeOptions.Bind(options, ConfigurationOf(("GATEWAY_TRUSTED_PROXIES", value)));

        options.TrustedProxies.Networks.Count.ShouldBe(expected);
    }

    [Fact]
    public void EdgeOptions_BadCidr_FailsNamingIt()
    {
        var error = Should.Throw<OptionsValidationException>(() =>
            Load<EdgeOptions>(EdgeOptions.Bind, ConfigurationOf(("GATEWAY_TRUSTED_PROXIES", "10.0.0.0/8, 10.0.0.1/8"))));

        error.Failures.ShouldHaveSingleItem().ShouldStartWith("GATEWAY_TRUSTED_PROXIES: '10.0.0.1/8'");
    }
}
