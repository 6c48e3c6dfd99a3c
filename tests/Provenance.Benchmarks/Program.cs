using BenchmarkDotNet.Running;
using Provenance.Benchmarks;

// `loop SECONDS BUNDLE...` is compare.sh's in-process throughput mode; anything else goes to BenchmarkDotNet.
if (args.Length > 0 && args[0] == "loop")
{
    return await KeylessLoop.RunAsync(args[1..]);
}

BenchmarkSwitcher.FromAssembly(typeof(KeylessInputs).Assembly).Run(args);
return 0;
