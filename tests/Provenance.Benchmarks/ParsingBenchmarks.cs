using BenchmarkDotNet.Attributes;
using Provenance.Verification;

namespace Provenance.Benchmarks;

/// <summary>Reading a bundle: strict JSON, base64, the bundle's structure and its log entries.</summary>
[MemoryDiagnoser]
public class ParsingBenchmarks
{
    private byte[] _bundle = [];

    [Params("happy-path-intoto-in-dsse-v3", "happy-path-v0.3")]
    public string Bundle { get; set; } = "";

    [GlobalSetup]
    public void Setup() => _bundle = KeylessInputs.Bundle(Bundle);

    [Benchmark]
    public LoadedAttestation ParseBundle() => AttestationLoader.Load(_bundle, Bundle)[0];
}
