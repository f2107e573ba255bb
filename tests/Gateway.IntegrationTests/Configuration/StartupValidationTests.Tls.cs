using Gateway.IntegrationTests.Support;

namespace Gateway.IntegrationTests.Configuration;

/// <summary>The contract's "TLS, HTTP/2 and gRPC" settings: a pair that cannot serve HTTPS stops start-up.</summary>
public sealed partial class StartupValidationTests
{
    [Fact]
    public async Task TlsCertificate_Missing_StopsStartupNamingTheSettingAndPath()
    {
        using var certificate = TestCertificate.Create();
        var missing = Path.Combine(_directory.FullName, "missing.crt");

        var outcome = await RunAsync(new() { ["GATEWAY_TLS_CERT"] = missing, ["GATEWAY_TLS_KEY"] = certificate.KeyPath });

        ShouldHaveRefused(outcome, "GATEWAY_TLS_CERT", missing);
    }

    [Fact]
    public async Task TlsKey_Unreadable_StopsStartupNamingTheSettingAndPath()
    {
        using var certificate = TestCertificate.Create();
        // A directory: unreadable as a file even to root, whom file permissions do not stop.
        var unreadable = _directory.FullName;

        var outcome = await RunAsync(new() { ["GATEWAY_TLS_CERT"] = certificate.CertificatePath, ["GATEWAY_TLS_KEY"] = unreadable });

        ShouldHaveRefused(outcome, "GATEWAY_TLS_KEY", unreadable);
    }

    [Theory]
    [InlineData("GATEWAY_TLS_CERT")]
    [InlineData("GATEWAY_TLS_KEY")]
    public async Task Tls_OnlyOneOfThePairSet_StopsStartupNamingIt(string key)
    {
        using var certificate = TestCertificate.Create();
        var path = key == "GATEWAY_TLS_CERT" ? certificate.CertificatePath : certificate.KeyPath;

        var outcome = await RunAsync(new() { [key] = path });

        ShouldHaveRefused(outcome, key, path);
    }

    [Fact]
    public async Task TlsKey_OfAnotherCertificate_StopsStartupNamingTheKey()
    {
        using var certificate = TestCertificate.Create();
        using var other = TestCertificate.Create();

        var outcome = await RunAsync(new() { ["GATEWAY_TLS_CERT"] = certificate.CertificatePath, ["GATEWAY_TLS_KEY"] = other.KeyPath });

        ShouldHaveRefused(outcome, "GATEWAY_TLS_KEY", other.KeyPath);
    }

    [Fact]
    public async Task TlsCertificate_NotPem_StopsStartupNamingTheCertificate()
    {
        using var certificate = TestCertificate.Create();
        var notPem = Path.Combine(_directory.FullName, "not.crt");
        await File.WriteAllTextAsync(notPem, "not a certificate");

        var outcome = await RunAsync(new() { ["GATEWAY_TLS_CERT"] = notPem, ["GATEWAY_TLS_KEY"] = certificate.KeyPath });

        ShouldHaveRefused(outcome, "GATEWAY_TLS_CERT", notPem);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("70000")]
    [InlineData("h2c")]
    public async Task H2cPort_Invalid_StopsStartupNamingIt(string value)
    {
        var outcome = await RunAsync(new() { ["GATEWAY_H2C_PORT"] = value });

        ShouldHaveRefused(outcome, "GATEWAY_H2C_PORT", value);
    }

    [Fact]
    public async Task H2cPort_SameAsGatewayPort_StopsStartupNamingIt()
    {
        var port = _port.ToString(System.Globalization.CultureInfo.InvariantCulture);

        var outcome = await RunAsync(new() { ["GATEWAY_H2C_PORT"] = port });

        ShouldHaveRefused(outcome, "GATEWAY_H2C_PORT", port);
    }

    [Fact]
    public async Task RegistryFile_InstanceAtTheGatewaysH2cPort_StopsStartupNamingIt()
    {
        var h2cPort = UnusedPort();
        var file = WriteRegistry($$"""{ "loop": { "Instances": [ { "Host": "127.0.0.1", "Port": {{h2cPort}}, "Scheme": "h2c" } ] } }""");

        var outcome = await RunAsync(new()
        {
            ["GATEWAY_REGISTRY_FILE"] = file,
            ["GATEWAY_H2C_PORT"] = h2cPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });

        ShouldHaveRefused(outcome, "loop.Instances[0]", $"127.0.0.1:{h2cPort}");
    }

    [Fact]
    public async Task RegistryFile_UnknownScheme_StopsStartupNamingIt()
    {
        var file = WriteRegistry("""{ "grpc": { "Instances": [ { "Host": "127.0.0.1", "Port": 9000, "Scheme": "grpc" } ] } }""");

        var outcome = await RunAsync(new() { ["GATEWAY_REGISTRY_FILE"] = file });

        ShouldHaveRefused(outcome, "grpc.Instances[0].Scheme", "grpc");
    }
}
