using System.Net.Sockets;
using Gateway.Infrastructure.Configuration;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;

namespace Gateway.Api.Hosting;

/// <summary>Turns a start-up the operator can fix into the one line on standard error that they need.</summary>
internal static class StartupFailure
{
    /// <summary>The exit code of a refused configuration (EX_CONFIG in sysexits.h).</summary>
    public const int ConfigurationExitCode = 78;

    public static bool TryDescribe(Exception error, out string message)
    {
        message = Describe(error) ?? "";
        return message.Length > 0;
    }

    /// <summary>Whether the error is one <see cref="TryDescribe"/> puts in a line, so that nothing else logs it again.</summary>
    public static bool IsDescribed(Exception error) => Describe(error) is not null;

    private static string? Describe(Exception error)
    {
        var failures = Flatten(error).SelectMany(e => e.Failures).Distinct().ToList();
        if (failures.Count > 0)
        {
            return "Invalid configuration: " + string.Join("; ", failures);
        }

        // A malformed appsettings.json fails while the host is built; the framework's message names the file.
        if (error is InvalidDataException { InnerException: FormatException } configurationFile)
        {
            return $"Invalid configuration: {configurationFile.Message.TrimEnd('.')}: {JsonFileError.Describe(configurationFile)}";
        }

        // Kestrel's message names the address it could not bind, which comes from GATEWAY_HOST and a port setting.
        if (error is IOException { InnerException: AddressInUseException or SocketException } bind)
        {
            return $"Cannot listen: {bind.Message.Split('\n', 2)[0].Trim()} (GATEWAY_HOST, GATEWAY_PORT)";
        }

        return null;
    }

    private static IEnumerable<OptionsValidationException> Flatten(Exception error) => error switch
    {
        OptionsValidationException validation => [validation],
        AggregateException aggregate => aggregate.InnerExceptions.SelectMany(Flatten),
        { InnerException: { } inner } => Flatten(inner),
        _ => [],
    };
}
