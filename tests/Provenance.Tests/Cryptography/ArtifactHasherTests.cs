using System.Security.Cryptography;
using Provenance.Cryptography;
using Provenance.Testing;

namespace Provenance.Tests.Cryptography;

public sealed class ArtifactHasherTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData((3 * 1024 * 1024) + 12345)] // several 1 MiB reads and a short last one
    public async Task A_file_hashes_to_what_the_one_shot_hashes_give(int size)
    {
        var content = new byte[size];
        new Random(size).NextBytes(content);
        var path = Path.GetTempFileName();
        try
        {
            await File.WriteAllBytesAsync(path, content, TestContext.Current.CancellationToken);

            var digests = await ArtifactHasher.HashFileAsync(path, TestContext.Current.CancellationToken);

            Assert.Equal(
                [
                    new ArtifactDigest(DigestAlgorithm.Sha256, Convert.ToHexString(SHA256.HashData(content))),
                    new ArtifactDigest(DigestAlgorithm.Sha384, Convert.ToHexString(SHA384.HashData(content))),
                    new ArtifactDigest(DigestAlgorithm.Sha512, Convert.ToHexString(SHA512.HashData(content))),
                ],
                digests);
        }
        finally
        {
            File.Delete(path);
        }
    }

    public static TheoryData<int, DigestAlgorithm[]> BoundarySizes()
    {
        var data = new TheoryData<int, DigestAlgorithm[]>();
        const int Chunk = ArtifactHasher.ChunkBytes;
        foreach (var size in (int[])[Chunk - 1, Chunk, Chunk + 1, (2 * Chunk) - 1, 2 * Chunk, (2 * Chunk) + 1])
        {
            data.Add(size, [DigestAlgorithm.Sha256]);
            data.Add(size, [DigestAlgorithm.Sha512, DigestAlgorithm.Sha384]);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(BoundarySizes))]
    public async Task Sizes_around_the_read_size_hash_as_the_one_shot_hashes_do_with_only_the_algorithms_asked(int size, DigestAlgorithm[] algorithms)
    {
        var content = new byte[size];
        new Random(size).NextBytes(content);
        using var temp = new Provenance.Testing.TempDirectory();
        var path = temp.Write("artifact.bin", content);

        var digests = await ArtifactHasher.HashFileAsync(path, algorithms, progress: null, TestContext.Current.CancellationToken);

        // In the order of DigestAlgorithms.All, whatever the order asked in; each value from .NET's one-shot hash.
        var expected = DigestAlgorithms.All.Where(algorithms.Contains).Select(a => a switch
        {
            DigestAlgorithm.Sha256 => new ArtifactDigest(a, Convert.ToHexString(SHA256.HashData(content))),
            DigestAlgorithm.Sha384 => new ArtifactDigest(a, Convert.ToHexString(SHA384.HashData(content))),
            _ => new ArtifactDigest(a, Convert.ToHexString(SHA512.HashData(content))),
        });
        Assert.Equal(expected, digests);
    }

    /// <summary>Small files are read in one call sized by their length; a file holding more than its length says must still be hashed whole.</summary>
    [Fact]
    public async Task A_file_whose_length_says_less_than_it_holds_is_hashed_whole()
    {
        // Linux reports /proc files as empty; reading them gives their content.
        const string Path = "/proc/version";
        var content = await File.ReadAllBytesAsync(Path, TestContext.Current.CancellationToken);
        Assert.NotEmpty(content);
        Assert.Equal(0, new FileInfo(Path).Length);

        var digests = await ArtifactHasher.HashFileAsync(Path, [DigestAlgorithm.Sha256], progress: null, TestContext.Current.CancellationToken);

        Assert.Equal(new ArtifactDigest(DigestAlgorithm.Sha256, Convert.ToHexString(SHA256.HashData(content))), Assert.Single(digests));
    }

    /// <summary>A pipe has no length and cannot be read twice: it must be hashed from its first byte, in one pass.</summary>
    [Fact(Timeout = 20_000)]
    public async Task A_pipe_is_hashed_from_its_first_byte_to_its_last()
    {
        using var temp = new TempDirectory();
        var content = new byte[5000];
        new Random(5).NextBytes(content);
        var written = Fifo.Serve(temp.Path("artifact"), content);

        var digests = await ArtifactHasher.HashFileAsync(temp.Path("artifact"), [DigestAlgorithm.Sha256], progress: null, TestContext.Current.CancellationToken);

        await written;
        Assert.Equal(new ArtifactDigest(DigestAlgorithm.Sha256, Convert.ToHexString(SHA256.HashData(content))), Assert.Single(digests));
    }

    [Fact]
    public async Task Progress_reports_the_bytes_hashed_so_far_up_to_the_size()
    {
        var content = new byte[(2 * ArtifactHasher.ChunkBytes) + 7];
        using var stream = new MemoryStream(content);
        var reported = new List<long>();

        await ArtifactHasher.HashStreamAsync(stream, [DigestAlgorithm.Sha256], new SynchronousProgress(reported.Add), TestContext.Current.CancellationToken);

        Assert.Equal(content.Length, reported[^1]);
        Assert.Equal(reported.Order(), reported);
    }

    [Fact]
    public async Task Hashing_with_no_algorithm_is_refused()
    {
        using var stream = new MemoryStream([1, 2, 3]);

        await Assert.ThrowsAsync<ArgumentException>(() => ArtifactHasher.HashStreamAsync(stream, [], null, TestContext.Current.CancellationToken));
    }

    private sealed class SynchronousProgress(Action<long> report) : IProgress<long>
    {
        public void Report(long value) => report(value);
    }

    [Fact]
    public async Task A_stream_is_hashed_from_its_position_and_left_open()
    {
        var content = "prefix:artifact"u8.ToArray();
        using var stream = new MemoryStream(content);
        stream.Position = "prefix:".Length;

        var digests = await ArtifactHasher.HashStreamAsync(stream, TestContext.Current.CancellationToken);

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData("artifact"u8)), digests[0].Hex);
        Assert.True(stream.CanRead);
    }

    [Fact]
    public async Task A_missing_file_is_an_io_exception_for_the_caller_to_report()
    {
        var missing = Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N"));

        await Assert.ThrowsAsync<FileNotFoundException>(() => ArtifactHasher.HashFileAsync(missing, TestContext.Current.CancellationToken));
    }
}
