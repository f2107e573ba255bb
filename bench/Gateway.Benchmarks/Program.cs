using BenchmarkDotNet.Running;

// Pick what to run on the command line, e.g. --filter '*LoadBalancer*'; see bench/README.md.
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
