using Gateway.Api.Hosting;
using Microsoft.Extensions.Options;
using Serilog;
using Serilog.Events;
using Serilog.Formatting.Compact;

namespace Gateway.Api.Logging;

/// <summary>The one place Serilog is configured.</summary>
internal static class SerilogSetup
{
    private const string TextTemplate =
        "[{Timestamp:HH:mm:ss.fff} {Level:u3}] {TraceId} {SourceContext}: {Message:lj}{NewLine}{Exception}";

    /// <summary>The host's per-request logger: request start and finish lines, and the request's logging scope.</summary>
    private const string HostingDiagnostics = "Microsoft.AspNetCore.Hosting.Diagnostics";

    public static void Configure(IServiceProvider services, LoggerConfiguration logger)
    {
        LoggingOptions options;
        try
        {
            options = services.GetRequiredService<IOptions<LoggingOptions>>().Value;
        }
        catch (OptionsValidationException)
        {
            // The logger is built before start-up validation runs. Falling back to the defaults here lets that
            // validation report a bad LOG_LEVEL together with every other bad setting, in one line.
            options = new LoggingOptions();
        }

        logger
            .MinimumLevel.Is(options.Level)
            // The framework's per-request lines would double the gateway's own; its warnings still come through.
            .MinimumLevel.Override("Microsoft.AspNetCore", Max(options.Level, LogEventLevel.Warning))
            // Off, not raised: while this logger is on at any level, the host opens a logging scope per request. The
            // request's activity, which carries the trace id instead, is started by Telemetry.RequestActivities.
            .MinimumLevel.Override(HostingDiagnostics, LevelAlias.Off)
            .MinimumLevel.Override("Microsoft.Extensions.Http", Max(options.Level, LogEventLevel.Warning))
            .MinimumLevel.Override("System.Net.Http", Max(options.Level, LogEventLevel.Warning))
            // A start-up failure the entry point reports in one line (a busy port) is not also logged with its stack.
            .Filter.ByExcluding(e => e.Exception is { } error && StartupFailure.IsDescribed(error))
            // Sinks and enrichers registered in the container join in: how a host adds its own destinations.
            .ReadFrom.Services(services);

        if (options.Format == LogFormat.Json)
        {
            logger.WriteTo.Console(new CompactJsonFormatter());
        }
        else
        {
            logger.WriteTo.Console(outputTemplate: TextTemplate, formatProvider: System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    private static LogEventLevel Max(LogEventLevel a, LogEventLevel b) => a > b ? a : b;
}
