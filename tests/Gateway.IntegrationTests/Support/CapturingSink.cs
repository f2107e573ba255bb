using System.Collections.Concurrent;
using Serilog.Core;
using Serilog.Events;

namespace Gateway.IntegrationTests.Support;

/// <summary>A Serilog sink that keeps every event the gateway logs, for tests to read.</summary>
public sealed class CapturingSink : ILogEventSink
{
    public ConcurrentQueue<LogEvent> Events { get; } = new();

    public void Emit(LogEvent logEvent) => Events.Enqueue(logEvent);

    /// <summary>Each event as text: its rendered message, then every property, as a log collector would store it.</summary>
    public IEnumerable<string> Rendered() => Events.Select(e =>
        e.RenderMessage(System.Globalization.CultureInfo.InvariantCulture) + " " +
        string.Join(" ", e.Properties.Select(p => $"{p.Key}={p.Value}")) + " " + e.TraceId + " " + e.Exception);
}
