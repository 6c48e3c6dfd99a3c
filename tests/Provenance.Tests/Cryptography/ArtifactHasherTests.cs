using System.Security.Cryptography;
using Provenance.Cryptography;

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
