using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Provenance.Cryptography;

namespace Provenance.Benchmarks;

/// <summary>
/// Hashing a 256 MiB artifact (from the page cache after the first run): the verifier's one-pass
/// sha256/384/512 against SHA-256 alone through .NET's stream helper (4 KiB reads) and through 1 MiB reads.
/// </summary>
[MemoryDiagnoser]
public class HashingBenchmarks
{
    private const long Size = 256L * 1024 * 1024;
    private string _path = "";

    [GlobalSetup]
    public void Setup()
    {
        _path = Path.Combine(Path.GetTempPath(), "provenance-benchmark-artifact.bin");
        if (!File.Exists(_path) || new FileInfo(_path).Length != Size)
        {
            using var file = File.Create(_path);
            var chunk = new byte[1024 * 1024];
            Random.Shared.NextBytes(chunk);
            for (long written = 0; written < Size; written += chunk.Length)
            {
                file.Write(chunk);
            }
        }
    }

    [Benchmark(Baseline = true)]
    public byte[] Sha256StreamHelper()
    {
        using var stream = File.OpenRead(_path);
        return SHA256.HashData(stream);
    }

    [Benchmark]
    public async Task<int> ArtifactHasherAllDigests() =>
        (await ArtifactHasher.HashFileAsync(_path, CancellationToken.None)).Length;
}
