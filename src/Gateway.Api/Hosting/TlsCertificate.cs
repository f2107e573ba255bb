using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gateway.Infrastructure.Configuration;

namespace Gateway.Api.Hosting;

/// <summary>Loads the certificate and key the gateway serves HTTPS with, naming the setting at fault when it cannot.</summary>
internal static class TlsCertificate
{
    /// <summary>The certificate with its private key, or null when neither path is set or a failure was recorded.</summary>
    public static X509Certificate2? Load(SettingsReader settings, string certificateKey, string keyKey)
    {
        var certificatePath = settings.Text(certificateKey);
        var keyPath = settings.Text(keyKey);
        if (certificatePath is null && keyPath is null)
        {
            return null;
        }

        if (certificatePath is null || keyPath is null)
        {
            var (set, missing) = certificatePath is null ? (keyKey, certificateKey) : (certificateKey, keyKey);
            settings.Fail(set, settings.Text(set), $"is set without {missing}: HTTPS needs both the certificate and its key");
            return null;
        }

        var certificatePem = Read(settings, certificateKey, certificatePath);
        var keyPem = Read(settings, keyKey, keyPath);
        if (certificatePem is null || keyPem is null)
        {
            return null;
        }

        try
        {
            // Read once here rather than by Kestrel on each start, so that a bad pair stops start-up with one line.
            using var certificate = X509Certificate2.CreateFromPem(certificatePem);
        }
        catch (CryptographicException error)
        {
            settings.Fail(certificateKey, certificatePath, $"holds no PEM certificate ({error.Message})");
            return null;
        }

        try
        {
            return X509Certificate2.CreateFromPem(certificatePem, keyPem);
        }
        catch (Exception error) when (error is CryptographicException or ArgumentException)
        {
            settings.Fail(keyKey, keyPath, $"is not an unencrypted PEM private key of the certificate in {certificateKey} ({error.Message})");
            return null;
        }
    }

    private static string? Read(SettingsReader settings, string key, string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            settings.Fail(key, path, $"cannot be read ({error.Message})");
            return null;
        }
    }
}
