using System.Security.Cryptography.X509Certificates;
using Gateway.Infrastructure.Configuration;

namespace Gateway.Api.Hosting;

/// <summary>Where the gateway listens and what it accepts from clients.</summary>
public sealed class GatewayServerOptions
{
    public const string HostKey = "GATEWAY_HOST";
    public const string PortKey = "GATEWAY_PORT";
    public const string MaxRequestBodySizeKey = "MAX_REQUEST_BODY_SIZE";
    public const string CorsOriginsKey = "CORS_ORIGINS";
    public const string MaxConnectionsKey = "GATEWAY_MAX_CONNECTIONS";
    public const string TlsCertificateKey = "GATEWAY_TLS_CERT";
    public const string TlsKeyKey = "GATEWAY_TLS_KEY";
    public const string H2cPortKey = "GATEWAY_H2C_PORT";

    /// <summary>Descriptors kept for the runtime, listeners, logs, the registry store and health probes.</summary>
    private const long ReservedDescriptors = 128;

    /// <summary>The address to bind: an IP address, or <c>localhost</c>.</summary>
    public string Host { get; set; } = "0.0.0.0";

    public int Port { get; set; } = 8080;

    /// <summary>The certificate <see cref="Port"/> serves HTTPS with (HTTP/1.1 and HTTP/2); null for plain HTTP/1.1.</summary>
    public X509Certificate2? Certificate { get; set; }

    /// <summary>A second cleartext port on <see cref="Host"/> that speaks HTTP/2 with prior knowledge; null for none.</summary>
    public int? H2cPort { get; set; }

    /// <summary>The largest request body in bytes; null for no limit.</summary>
    public long? MaxRequestBodySize { get; set; } = 100 * 1024 * 1024;

    /// <summary>The most client connections open at once; null for no limit.</summary>
    public long? MaxConnections { get; set; } = DefaultMaxConnections(DescriptorLimit.Current);

    /// <summary>Origins allowed cross-origin; <c>*</c> for any.</summary>
    public IReadOnlyList<string> CorsOrigins { get; set; } = ["*"];

    public bool AllowsAnyOrigin => CorsOrigins.Contains("*");

    internal static void Bind(GatewayServerOptions options, IConfiguration configuration)
    {
        var settings = new SettingsReader(configuration);

        options.Host = settings.Text(HostKey) ?? options.Host;
        // The contract's range: 0 would bind a random port, which no client could be told about.
        options.Port = (int)settings.WholeNumber(PortKey, options.Port, 1, 65535);
        options.Certificate = TlsCertificate.Load(settings, TlsCertificateKey, TlsKeyKey);
        if (settings.Text(H2cPortKey) is not null)
        {
            var h2cPort = (int)settings.WholeNumber(H2cPortKey, 0, 1, 65535);
            options.H2cPort = h2cPort == 0 ? null : h2cPort;
        }

        var maxBody = settings.WholeNumber(MaxRequestBodySizeKey, options.MaxRequestBodySize ?? 0, 0, long.MaxValue);
        options.MaxRequestBodySize = maxBody == 0 ? null : maxBody;

        var maxConnections = settings.WholeNumber(MaxConnectionsKey, options.MaxConnections ?? 0, 0, long.MaxValue);
        options.MaxConnections = maxConnections == 0 ? null : maxConnections;

        if (settings.Text(CorsOriginsKey) is { } origins)
        {
            options.CorsOrigins = origins.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        }

        settings.RecordOn(options);
    }

    /// <summary>
    /// Half of what the reserve leaves: each client connection may need an upstream connection of its own while its
    /// request is in flight.
    /// </summary>
    internal static long? DefaultMaxConnections(ulong? descriptorLimit) =>
        descriptorLimit is not { } limit || limit >= long.MaxValue
            ? null
            : Math.Max(16, ((long)limit - ReservedDescriptors) / 2);
}
