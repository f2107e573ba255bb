using Microsoft.Extensions.Logging;

namespace Gateway.UnitTests.TestSupport;

/// <summary>One call to <see cref="ListLogger{T}"/>: the level, the rendered message and its named properties.</summary>
/// <param name="Properties">The message template's named values, e.g. <c>Service</c> or <c>InstanceId</c>.</param>
internal sealed record LogEntry(
    LogLevel Level,
    string Message,
    IReadOnlyDictionary<string, object?> Properties,
    Exception? Exception);
