using System.Security.Cryptography;
using System.Text;
using Gateway.Application.Edge;

namespace Gateway.UnitTests.Application.Edge;

public sealed class ApiKeyAuthenticatorTests
{
    private readonly ApiKeyAuthenticator _authenticator = new([Key("mobile", "k-mobile"), Key("batch", "k-batch")]);

    [Theory]
    [InlineData("k-mobile", "mobile")]
    [InlineData("k-batch", "batch")]
    public void Authenticate_KnownKey_ReturnsItsName(string presented, string expected)
    {
        var name = _authenticator.Authenticate(presented);

        name.ShouldBe(expected);
    }

    [Theory]
    [InlineData("")]
    [InlineData("k-mobil")]
    [InlineData("K-MOBILE")]
    [InlineData("k-mobile ")]
    public void Authenticate_AnythingElse_ReturnsNull(string presented)
    {
        var name = _authenticator.Authenticate(presented);

        name.ShouldBeNull();
    }

    [Fact]
    public void Authenticate_TheHashItself_ReturnsNull()
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("k-mobile")));

        _authenticator.Authenticate(hash).ShouldBeNull();
    }

    internal static ApiKeyEntry Key(string name, string key) => new(name, SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}
