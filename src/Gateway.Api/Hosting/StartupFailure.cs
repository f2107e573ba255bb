using Microsoft.Extensions.Options;

namespace Gateway.Api.Hosting;

/// <summary>Turns invalid settings into the one line on standard error that the operator needs.</summary>
internal static class StartupFailure
{
    /// <summary>The exit code of a refused configuration (EX_CONFIG in sysexits.h).</summary>
    public const int ConfigurationExitCode = 78;

    public static bool TryDescribe(Exception error, out string message)
    {
        var failures = Flatten(error).SelectMany(e => e.Failures).Distinct().ToList();
        message = failures.Count == 0 ? "" : "Invalid configuration: " + string.Join("; ", failures);
        return failures.Count > 0;
    }

    private static IEnumerable<OptionsValidationException> Flatten(Exception error) => error switch
    {
        OptionsValidationException validation => [validation],
        AggregateException aggregate => aggregate.InnerExceptions.SelectMany(Flatten),
        { InnerException: { } inner } => Flatten(inner),
        _ => [],
    };
}
