using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Gateway.IntegrationTests.Support;

/// <summary>A self-signed certificate for 127.0.0.1 and localhost, written as the PEM files GATEWAY_TLS_* name.</summary>
public sealed class TestCertificate : IDisposable
{
    private readonly DirectoryInfo _directory;

    private TestCertificate(DirectoryInfo directory, X509Certificate2 certificate, string certificatePath, string keyPath)
    {
        _directory = directory;
        Certificate = certificate;
        CertificatePath = certificatePath;
        KeyPath = keyPath;
    }

    public X509Certificate2 Certificate { get; }

    public string CertificatePath { get; }

    public string KeyPath { get; }

    public static TestCertificate Create()
    {
        var directory = Directory.CreateTempSubdirectory("gateway-tls-");
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        var now = DateTimeOffset.UtcNow;
        var certificate = request.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));

        var certificatePath = Path.Combine(directory.FullName, "gateway.crt");
        var keyPath = Path.Combine(directory.FullName, "gateway.key");
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return new TestCertificate(directory, certificate, certificatePath, keyPath);
    }

    /// <summary>A handler that trusts this certificate, and no other, for the gateway's TLS port.</summary>
    public SocketsHttpHandler CreateHandler() => new()
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        UseCookies = false,
        SslOptions =
        {
            RemoteCertificateValidationCallback = (_, presented, _, _) =>
                presented is not null && presented.GetCertHashString() == Certificate.GetCertHashString(),
        },
    };

    public void Dispose()
    {
        Certificate.Dispose();
        _directory.Delete(recursive: true);
    }
}
