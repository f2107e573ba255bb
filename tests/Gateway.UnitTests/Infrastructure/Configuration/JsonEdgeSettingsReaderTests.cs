using System.Text.Json;
using Gateway.Application.Edge;
using Gateway.Infrastructure.Configuration;

namespace Gateway.UnitTests.Infrastructure.Configuration;

/// <summary>The admin API's <c>auth</c> and <c>rateLimit</c> objects, read with the registry's rules.</summary>
public sealed class JsonEdgeSettingsReaderTests
{
    private const string Hash = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    private readonly JsonEdgeSettingsReader _reader = new();

    [Fact]
    public void Read_ApiKeyAndRateLimitInCamelCase_ReadsEverySetting()
    {
        var read = _reader.Read(
            Json($$"""{ "type": "api_key", "header": "X-Key", "keys": [ { "name": "mobile", "sha256": "{{Hash}}" } ], "forwardAuthorization": false }"""),
            Json("""{ "permitsPerSecond": 2.5, "burst": 5, "partitionBy": "api_key", "maxConcurrent": 3 }"""));

        read.Problem.ShouldBeNull();
        var settings = read.Settings.ShouldNotBeNull();
        settings.ApiKey.ShouldNotBeNull().Header.ShouldBe("X-Key");
        settings.ApiKey.Keys.ShouldHaveSingleItem().Name.ShouldBe("mobile");
        settings.ApiKey.Keys[0].Sha256.ShouldBe(Convert.FromHexString(Hash));
        settings.ForwardAuthorization.ShouldBeFalse();
        settings.RateLimit.ShouldBe(new RateLimitSettings(2.5, 5, new PartitionKey(PartitionKind.ApiKey, null), 3));
    }

    [Fact]
    public void Read_NeitherObject_IsNoSettingsAndNoProblem()
    {
        _reader.Read(null, Json("null")).ShouldBe(default);
    }

    [Fact]
    public void Read_RateLimitAlone_DefaultsAsTheRegistryDoes()
    {
        var read = _reader.Read(null, Json("""{ "PermitsPerSecond": 3 }"""));

        read.Settings.ShouldBe(new EdgeSettings(null, null, true, new RateLimitSettings(3, 3, PartitionKey.ClientIp, 0)));
    }

    [Theory]
    [InlineData("""{ "type": "jwt", "issuer": "https://i", "audiences": ["a"], "jwksUrl": "ftp://keys" }""", null, "auth.jwksUrl", "'ftp://keys' is not an absolute http or https URL")]
    [InlineData("""{ "type": "jwt", "issuer": "https://i", "audiences": ["a"], "jwksUrl": "http://k", "algorithms": ["HS256"] }""", null, "auth.algorithms", null)]
    [InlineData("""{ "type": "basic" }""", null, "auth.type", null)]
    [InlineData("{}", null, "auth.type", null)]
    [InlineData("""{ "type": "api_key" }""", null, "auth.keys", null)]
    [InlineData("""{ "type": "api_key", "keys": [ { "name": "m", "sha256": "the-key-itself" } ] }""", null, "auth.keys[0].sha256", null)]
    [InlineData("""{ "type": "api_key", "keys": [ { "name": "m", "sha256": "x" } ], "issuer": "i" }""", null, "auth.issuer", null)]
    [InlineData("\"jwt\"", null, "auth", "must be an object")]
    [InlineData(null, """{ "burst": 2 }""", "rateLimit.permitsPerSecond", "missing")]
    [InlineData(null, """{ "permitsPerSecond": 0 }""", "rateLimit.permitsPerSecond", null)]
    [InlineData(null, """{ "permitsPerSecond": 1, "partitionBy": "api_key" }""", "rateLimit.partitionBy", "'api_key' needs Auth.Type api_key")]
    [InlineData(null, """{ "permitsPerSecond": 1, "partitionBy": "moon" }""", "rateLimit.partitionBy", null)]
    [InlineData(null, "[1]", "rateLimit", "must be an object")]
    public void Read_Invalid_NamesTheFieldAsTheAdminApiSpellsIt(string? auth, string? rateLimit, string field, string? message)
    {
        var read = _reader.Read(auth is null ? null : Json(auth), rateLimit is null ? null : Json(rateLimit));

        read.Settings.ShouldBeNull();
        var problem = read.Problem.ShouldNotBeNull();
        problem.Field.ShouldBe(field);
        if (message is not null)
        {
            problem.Message.ShouldBe(message);
        }
    }

    [Fact]
    public void Read_BadKeyHash_DoesNotRepeatIt()
    {
        var read = _reader.Read(Json("""{ "type": "api_key", "keys": [ { "name": "m", "sha256": "s3cret-key-pasted-by-mistake" } ] }"""), null);

        read.Problem.ShouldNotBeNull().Message.ShouldNotContain("s3cret");
    }

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement.Clone();
}
