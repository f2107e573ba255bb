using System.Diagnostics.Metrics;
using BenchmarkDotNet.Attributes;
using Gateway.Application.Telemetry;
using Gateway.Domain;
using Gateway.Domain.LoadBalancing;
using Prometheus;

namespace Gateway.Benchmarks.Telemetry;

/// <summary>
/// What recording one proxied request's metrics costs: with nobody listening, and with the Prometheus exporter
/// listening as it does in the gateway (prometheus-net's meter adapter into a registry of its own).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(QuickRunConfig))]
public class MetricsBenchmarks : IDisposable
{
    private const int Operations = 1024;

    private MeterFactory _meters = null!;
    private GatewayMetrics _metrics = null!;
    private Service _service = null!;
    private Instance _instance = null!;
    private IDisposable? _adapter;

    [Params(false, true)]
    public bool PrometheusListening { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var registry = new ServiceRegistry(
            new LoadBalancerFactory(),
            [new ServiceDefinition("orders", LoadBalancerNames.RoundRobin, "/health", [new InstanceDefinition("10.0.0.1", 8080)])]);
        registry.TryGetService("orders", out var service);
        _service = service!;
        _instance = _service.Instances[0];
        _meters = new MeterFactory();
        if (PrometheusListening)
        {
            var prometheus = Metrics.NewCustomRegistry();
            _adapter = MeterAdapter.StartListening(new MeterAdapterOptions
            {
                Registry = prometheus,
                MetricFactory = Metrics.WithCustomRegistry(prometheus),
                InstrumentFilterPredicate = instrument => instrument.Meter.Name == GatewayMetrics.MeterName,
            });
        }

        _metrics = new GatewayMetrics(_meters, registry);
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _adapter?.Dispose();
        _meters.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>The counter and the histogram a proxied request records, as the forwarding handler calls them.</summary>
    [Benchmark(OperationsPerInvoke = Operations)]
    public void RequestForwarded()
    {
        for (var i = 0; i < Operations; i++)
        {
            _metrics.RequestForwarded(_service, _instance, "GET", 200, TimeSpan.FromMilliseconds(3));
        }
    }

    private sealed class MeterFactory : IMeterFactory
    {
        private readonly List<Meter> _created = [];

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter(options);
            _created.Add(meter);
            return meter;
        }

        public void Dispose() => _created.ForEach(meter => meter.Dispose());
    }
}
