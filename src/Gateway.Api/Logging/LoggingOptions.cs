using Gateway.Infrastructure.Configuration;
using Serilog.Events;

namespace Gateway.Api.Logging;

/// <summary>How much the gateway logs, and in which format.</summary>
public sealed class LoggingOptions
{
    public const string LevelKey = "LOG_LEVEL";
    public const string FormatKey = "LOG_FORMAT";

    public LogEventLevel Level { get; set; } = LogEventLevel.Information;

    public LogFormat Format { get; set; } = LogFormat.Text;

    internal static void Bind(LoggingOptions options, IConfiguration configuration)
    {
        var settings = new SettingsReader(configuration);
        options.Level = settings.Choice(
            LevelKey, options.Level, ParseLevel, "Verbose, Debug, Information, Warning, Error, Fatal (or INFO, WARN, DEBUG)");
        options.Format = settings.Choice(
            FormatKey, options.Format, value => Enum.TryParse<LogFormat>(value, ignoreCase: true, out var f) ? f : null, "text, json");
        settings.RecordOn(options);
    }

    /// <summary>Serilog's level names, and the short and .NET spellings operators carry over from elsewhere.</summary>
    private static LogEventLevel? ParseLevel(string value) => value.ToUpperInvariant() switch
    {
        "VERBOSE" or "TRACE" => LogEventLevel.Verbose,
        "DEBUG" => LogEventLevel.Debug,
        "INFORMATION" or "INFO" => LogEventLevel.Information,
        "WARNING" or "WARN" => LogEventLevel.Warning,
        "ERROR" => LogEventLevel.Error,
        "FATAL" or "CRITICAL" => LogEventLevel.Fatal,
        _ => null,
    };
}

public enum LogFormat
{
    Text,
    Json,
}
