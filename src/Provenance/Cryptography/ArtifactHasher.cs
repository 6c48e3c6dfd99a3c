using System.Collections.Immutable;
using System.Buffers;
using System.Security.Cryptography;

namespace Provenance.Cryptography;

/// <summary>
/// Computes every <see cref="DigestAlgorithm"/> of an artifact in one streaming pass, so a multi-gigabyte
/// artifact is read once and never held in memory, whichever digest its attestation happens to use.
/// </summary>
public static class ArtifactHasher
{
    // Large sequential reads keep the syscall count low; hashing, not I/O, is the cost at this size.
    private const int ChunkBytes = 1024 * 1024;

    /// <summary>Hashes the file at <paramref name="path"/>, in the order of <see cref="DigestAlgorithms.All"/>.</summary>
    /// <exception cref="IOException">The file cannot be read; callers turn this into a diagnostic.</exception>
    /// <exception cref="UnauthorizedAccessException">The file may not be read.</exception>
    public static async Task<ImmutableArray<ArtifactDigest>> HashFileAsync(string path, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        // BufferSize 0 turns off FileStream's own buffer: every read is already a whole chunk.
        var stream = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.Open,
            Access = FileAccess.Read,
            Share = FileShare.Read,
            BufferSize = 0,
            Options = FileOptions.SequentialScan | FileOptions.Asynchronous,
        });
        await using (stream.ConfigureAwait(false))
        {
            return await HashStreamAsync(stream, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Hashes <paramref name="stream"/> from its current position to its end; the stream stays open.</summary>
    public static async Task<ImmutableArray<ArtifactDigest>> HashStreamAsync(Stream stream, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var hashes = DigestAlgorithms.All.Select(a => IncrementalHash.CreateHash(a.ToHashAlgorithmName())).ToArray();
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer.AsMemory(0, ChunkBytes), cancellationToken).ConfigureAwait(false)) > 0)
            {
                foreach (var hash in hashes)
                {
                    hash.AppendData(buffer, 0, read);
                }
            }

            var digests = ImmutableArray.CreateBuilder<ArtifactDigest>(hashes.Length);
            for (var i = 0; i < hashes.Length; i++)
            {
                digests.Add(ArtifactDigest.FromHash(DigestAlgorithms.All[i], hashes[i].GetHashAndReset()));
            }

            return digests.MoveToImmutable();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            foreach (var hash in hashes)
            {
                hash.Dispose();
            }
        }
    }
}
