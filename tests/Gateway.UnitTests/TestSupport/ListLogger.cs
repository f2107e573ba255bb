using Microsoft.Extensions.Logging;

namespace Gateway.UnitTests.TestSupport;

/// <summary>An <see cref="ILogger{T}"/> that keeps what is logged, at every level, for tests to read back.</summary>
/// <remarks>Safe to log to from several threads; <see cref="Entries"/> is a snapshot.</remarks>
internal sealed class ListLogger<T> : ILogger<T>
{
    private readonly Lock _lock = new();
    private readonly List<LogEntry> _entries = [];

    public IReadOnlyList<LogEntry> Entries
    {
        get
        {
            lock (_lock)
            {
                return [.. _entries];
            }
        }
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

    public void Log<TState>(
        LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        var properties = state is IEnumerable<KeyValuePair<string, object?>> pairs
            ? pairs.ToDictionary(pair => pair.Key, pair => pair.Value)
            : [];
        var entry = new LogEntry(logLevel, formatter(state, exception), properties, exception);
        lock (_lock)
        {
            _entries.Add(entry);
        }
    }
}
