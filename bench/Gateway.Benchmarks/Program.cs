using BenchmarkDotNet.Running;

namespace Gateway.Benchmarks;

/// <summary>
/// The entry point. Not top-level statements: those would declare a second global <c>Program</c>, and the forward-path
/// benchmark starts the gateway's own <c>Program</c>.
/// </summary>
public static class BenchmarkProgram
{
    // Pick what to run on the command line, e.g. --filter '*LoadBalancer*'; see bench/README.md.
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(BenchmarkProgram).Assembly).Run(args);
}
