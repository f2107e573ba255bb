using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Gateway.Benchmarks;

/// <summary>
/// <see cref="QuickRunConfig"/>'s job, run inside the benchmark process instead of a generated one.
/// </summary>
/// <remarks>
/// The forward-path benchmark hosts the gateway through <c>WebApplicationFactory</c>, which needs the gateway's deps
/// file and content root next to the running assembly. The Mvc.Testing package puts them in this project's output,
/// not in the project BenchmarkDotNet would generate, so the benchmark runs here. Operations of tens of
/// microseconds and more lose nothing to in-process measurement; the process's GC mode (workstation) is the one
/// used, not the gateway's server GC, which changes timings a little and allocations not at all.
/// </remarks>
public sealed class InProcessRunConfig : ManualConfig
{
    public InProcessRunConfig()
    {
        AddJob(QuickRunConfig.QuickJob
            .WithId("InProcess")
            .WithToolchain(InProcessEmitToolchain.Instance));

        AddColumn(StatisticColumn.Median);
    }
}
