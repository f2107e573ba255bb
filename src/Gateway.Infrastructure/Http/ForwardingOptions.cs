using Gateway.Infrastructure.Configuration;
using Microsoft.Extensions.Configuration;

namespace Gateway.Infrastructure.Http;

/// <summary>How the gateway talks to instances.</summary>
public sealed class ForwardingOptions
{
    public const string RequestTimeoutKey = "REQUEST_TIMEOUT";
    public const string StreamIdleTimeoutKey = "STREAM_IDLE_TIMEOUT";

    /// <summary>How long to wait for an instance's response headers before answering 504.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long an upgraded exchange or a streaming response may pass no byte either way before it is closed.</summary>
    public TimeSpan StreamIdleTimeout { get; set; } = TimeSpan.FromSeconds(600);

    /// <summary>How long to wait for a TCP (and TLS) connection; never longer than the request timeout.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    internal static void Bind(ForwardingOptions options, IConfiguration configuration)
    {
        var settings = new SettingsReader(configuration);
        options.RequestTimeout = settings.Seconds(RequestTimeoutKey, 30);
        options.StreamIdleTimeout = settings.Seconds(StreamIdleTimeoutKey, 600);
        options.ConnectTimeout = options.RequestTimeout < options.ConnectTimeout ? options.RequestTimeout : options.ConnectTimeout;
        settings.RecordOn(options);
    }
}
