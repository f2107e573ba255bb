using BenchmarkDotNet.Attributes;
using Gateway.Application.Operations;
using Gateway.Domain;

namespace Gateway.Benchmarks.Telemetry;

/// <summary>
/// What keeping the dashboard's history costs a proxied request: <see cref="TrafficHistory.Record"/>, which the
/// forwarding handler calls once per attempt, against the in-flight count's increment and decrement that every
/// request already pays. Times and allocations are per request.
/// </summary>
/// <remarks>
/// Latencies cycle through values in different bins, and the clock is the real one, so the ring moves to a new slot
/// every two seconds during a run, as it does in the gateway. In process: nothing here needs a process of its own,
/// and building the generated project can outlast BenchmarkDotNet's build timeout on a busy machine.
/// </remarks>
[MemoryDiagnoser]
[Config(typeof(InProcessRunConfig))]
public class TrafficHistoryBenchmarks
{
    private const int Operations = 1024;

    private static readonly TimeSpan[] Latencies = [.. new[] { 0.4, 3, 12, 40, 180, 700 }.Select(TimeSpan.FromMilliseconds)];

    private readonly TrafficHistory _history = new(TimeProvider.System);
    private readonly Instance _instance = new("10.0.0.1", 8080);

    [Benchmark(Baseline = true, OperationsPerInvoke = Operations)]
    public void InFlightCount()
    {
        for (var i = 0; i < Operations; i++)
        {
            _instance.BeginRequest();
            _instance.EndRequest();
        }
    }

    [Benchmark(OperationsPerInvoke = Operations)]
    public void Record()
    {
        for (var i = 0; i < Operations; i++)
        {
            _history.Record(_instance, Latencies[i % Latencies.Length], failed: (i & 15) == 0);
        }
    }
}
