using System.Diagnostics.Metrics;
using BenchmarkDotNet.Attributes;
using Gateway.Application.Telemetry;
using Gateway.Domain;
using Gateway.Domain.LoadBalancing;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using Prometheus;

namespace Gateway.Benchmarks.Telemetry;

/// <summary>
/// What recording one proxied request's metrics costs with each way of exporting them to Prometheus listening, against
/// the same calls with nothing listening: prometheus-net's meter adapter (with and without its default exemplars) and
/// the OpenTelemetry SDK with its Prometheus exporter.
/// </summary>
/// <remarks>
/// Every case runs in the same process and run, so the ratios hold even when a shared machine makes the absolute
/// figures drift. Each exporter is set up as the gateway would run it: listening to the gateway's meter only, with the
/// duration buckets the instrument advises, and with its series already created, as they are after the first requests.
/// </remarks>
[MemoryDiagnoser]
[Config(typeof(QuickRunConfig))]
public class MetricsExporterBenchmarks : IDisposable
{
    private const int Operations = 1024;

    private readonly List<IDisposable> _owned = [];
    private GatewayMetrics _metrics = null!;
    private Service _service = null!;
    private Instance _instance = null!;

    [GlobalSetup(Target = nameof(NothingListening))]
    public void SetupNothingListening() => CreateMetrics();

    [GlobalSetup(Target = nameof(PrometheusNetAdapter))]
    public void SetupPrometheusNetAdapter() => ListenWithPrometheusNet(exemplars: true);

    [GlobalSetup(Target = nameof(PrometheusNetAdapterWithoutExemplars))]
    public void SetupPrometheusNetAdapterWithoutExemplars() => ListenWithPrometheusNet(exemplars: false);

    [GlobalSetup(Target = nameof(OpenTelemetryPrometheus))]
    public void SetupOpenTelemetryPrometheus()
    {
        _owned.Add(Sdk.CreateMeterProviderBuilder()
            .AddMeter(GatewayMetrics.MeterName)
            // The gateway's own series limit (PrometheusSetup.MaxSeriesPerMetric), which sizes the SDK's tables.
            .AddView(_ => new MetricStreamConfiguration { CardinalityLimit = 20_000 })
            .SetExemplarFilter(ExemplarFilterType.AlwaysOff)
            .AddPrometheusExporter()
            .Build());
        CreateMetrics();
    }

    [GlobalCleanup]
    public void Dispose()
    {
        // Listeners first, so that none of them sees the meters go.
        _owned.Reverse();
        _owned.ForEach(owned => owned.Dispose());
        _owned.Clear();
        GC.SuppressFinalize(this);
    }

    /// <summary>The baseline: the instruments' own cost when no listener is enabled on them.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Operations)]
    public void NothingListening() => RecordRequests();

    /// <summary>Before: the gateway's exporter until now, prometheus-net's meter adapter as configured by default.</summary>
    [Benchmark(OperationsPerInvoke = Operations)]
    public void PrometheusNetAdapter() => RecordRequests();

    /// <summary>prometheus-net's adapter fed by a metric factory that takes no exemplars.</summary>
    [Benchmark(OperationsPerInvoke = Operations)]
    public void PrometheusNetAdapterWithoutExemplars() => RecordRequests();

    /// <summary>The OpenTelemetry SDK's meter provider with its Prometheus exporter as the reader.</summary>
    [Benchmark(OperationsPerInvoke = Operations)]
    public void OpenTelemetryPrometheus() => RecordRequests();

    /// <summary>Everything the forwarding handler records for one proxied request.</summary>
    private void RecordRequests()
    {
        for (var i = 0; i < Operations; i++)
        {
            _metrics.RequestForwarded(_service, _instance, "GET", 200, TimeSpan.FromMilliseconds(3));
        }
    }

    private void ListenWithPrometheusNet(bool exemplars)
    {
        var registry = Metrics.NewCustomRegistry();
        var factory = Metrics.WithCustomRegistry(registry);
        if (!exemplars)
        {
            factory.ExemplarBehavior = ExemplarBehavior.NoExemplars();
        }

        _owned.Add(MeterAdapter.StartListening(new MeterAdapterOptions
        {
            Registry = registry,
            MetricFactory = factory,
            InstrumentFilterPredicate = instrument => instrument.Meter.Name == GatewayMetrics.MeterName,
            ResolveHistogramBuckets = _ => [.. GatewayMetrics.DurationBuckets],
        }));
        CreateMetrics();
    }

    private void CreateMetrics()
    {
        var registry = new ServiceRegistry(
            new LoadBalancerFactory(),
            [new ServiceDefinition("orders", LoadBalancerNames.RoundRobin, "/health", [new InstanceDefinition("10.0.0.1", 8080)])]);
        registry.TryGetService("orders", out var service);
        _service = service!;
        _instance = _service.Instances[0];
        var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        _owned.Insert(0, services);
        _metrics = new GatewayMetrics(services.GetRequiredService<IMeterFactory>(), registry);
        RecordRequests();
    }
}
