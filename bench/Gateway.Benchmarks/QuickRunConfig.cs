using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using Perfolizer.Horology;

namespace Gateway.Benchmarks;

/// <summary>One launch, 5 warm-ups and 20 measured iterations of a quarter second each, with no overhead run.</summary>
/// <remarks>
/// The default job (several launches, up to 100 iterations) takes about an hour over the load-balancer grid, and
/// ShortRun's three iterations leave an error bar as wide as the nanosecond differences we want to see on a small,
/// shared machine. Twenty short iterations keep a run of the whole grid to about ten minutes. The empty-method
/// overhead run is skipped because the benchmarks batch their operations (<c>OperationsPerInvoke</c>), which makes
/// the call overhead a rounding error; measuring it anyway only adds its noise to every result.
/// </remarks>
public sealed class QuickRunConfig : ManualConfig
{
    public QuickRunConfig()
    {
        AddJob(QuickJob.WithId("Quick"));

        // On a shared machine the odd slow iteration pulls the mean up; the median shows the typical pick.
        AddColumn(StatisticColumn.Median);
    }

    /// <summary>The job's settings, for configurations that run it another way.</summary>
    public static Job QuickJob { get; } = Job.Default
        .WithLaunchCount(1)
        .WithWarmupCount(5)
        .WithIterationCount(20)
        .WithIterationTime(TimeInterval.FromMilliseconds(250))
        .WithEvaluateOverhead(false);
}
