using System.Collections.Immutable;
using System.Buffers;
using System.Security.Cryptography;

namespace Provenance.Cryptography;

/// <summary>
/// Computes digests of an artifact in one streaming pass, so a multi-gigabyte artifact is read once and never held
/// in memory. Verification asks only for the algorithms its attestations name: SHA-512 costs twice SHA-256 on
/// hardware with SHA extensions, so hashing all three would triple the time for nothing.
/// </summary>
public static class ArtifactHasher
{
    // 1 MiB reads keep the syscall count low (.NET's stream helpers read 4 KiB at a time, ~0.7x openssl's throughput).
    internal const int ChunkBytes = 1024 * 1024;

    /// <summary>Hashes the file at <paramref name="path"/> with every algorithm, in the order of <see cref="DigestAlgorithms.All"/>.</summary>
    /// <exception cref="IOException">The file cannot be read; callers turn this into a diagnostic.</exception>
    /// <exception cref="UnauthorizedAccessException">The file may not be read.</exception>
    public static Task<ImmutableArray<ArtifactDigest>> HashFileAsync(string path, CancellationToken cancellationToken) =>
        HashFileAsync(path, DigestAlgorithms.All, progress: null, cancellationToken);

    /// <summary>
    /// Hashes the file at <paramref name="path"/> with each of <paramref name="algorithms"/>, in the order of
    /// <see cref="DigestAlgorithms.All"/>, reporting the bytes hashed so far to <paramref name="progress"/>.
    /// </summary>
    /// <exception cref="IOException">The file cannot be read; callers turn this into a diagnostic.</exception>
    /// <exception cref="UnauthorizedAccessException">The file may not be read.</exception>
    public static async Task<ImmutableArray<ArtifactDigest>> HashFileAsync(
        string path, IReadOnlyCollection<DigestAlgorithm> algorithms, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan | FileOptions.Asynchronous);
        var length = BoundedFile.SeekableLength(handle) ?? 0;
        if (length is > 0 and < ChunkBytes && HashSmallFile(handle, (int)length, algorithms, progress) is { } digests)
        {
            return digests;
        }

        // BufferSize 0 turns off FileStream's own buffer: every read is already a whole chunk. Asynchronous reads
        // run on another thread, so the next chunk is read while this one is hashed.
        var stream = new FileStream(handle, FileAccess.Read, bufferSize: 0, isAsync: true);
        await using (stream.ConfigureAwait(false))
        {
            return await HashStreamAsync(stream, algorithms, progress, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A file of at most one chunk, read in one synchronous call and hashed in one: a batch is mostly small files,
    /// and for them the two asynchronous reads of the streaming path (each a hop through the thread pool on Linux)
    /// cost more than the hashing. Null when the file does not hold the bytes its length said (it changed, or is a
    /// procfs file): it is then streamed.
    /// </summary>
    private static ImmutableArray<ArtifactDigest>? HashSmallFile(
        Microsoft.Win32.SafeHandles.SafeFileHandle file, int length, IReadOnlyCollection<DigestAlgorithm> algorithms, IProgress<long>? progress)
    {
        var chosen = Chosen(algorithms);
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var content = buffer.AsSpan(0, length);
            if (!BoundedFile.ReadExactly(file, content))
            {
                return null;
            }

            var digests = ImmutableArray.CreateBuilder<ArtifactDigest>(chosen.Length);
            foreach (var algorithm in chosen)
            {
                digests.Add(ArtifactDigest.FromHash(algorithm, CryptographicOperations.HashData(algorithm.ToHashAlgorithmName(), content)));
            }

            progress?.Report(length);
            return digests.MoveToImmutable();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static DigestAlgorithm[] Chosen(IReadOnlyCollection<DigestAlgorithm> algorithms)
    {
        ArgumentNullException.ThrowIfNull(algorithms);
        var chosen = DigestAlgorithms.All.Where(algorithms.Contains).ToArray();
        return chosen.Length > 0
            ? chosen
            : throw new ArgumentException("Name at least one digest algorithm: hashing with none would prove nothing.", nameof(algorithms));
    }

    /// <summary>Hashes <paramref name="stream"/> from its current position to its end with every algorithm; the stream stays open.</summary>
    public static Task<ImmutableArray<ArtifactDigest>> HashStreamAsync(Stream stream, CancellationToken cancellationToken) =>
        HashStreamAsync(stream, DigestAlgorithms.All, progress: null, cancellationToken);

    /// <summary>Hashes <paramref name="stream"/> from its current position to its end; the stream stays open.</summary>
    public static async Task<ImmutableArray<ArtifactDigest>> HashStreamAsync(
        Stream stream, IReadOnlyCollection<DigestAlgorithm> algorithms, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var chosen = Chosen(algorithms);

        var hashes = chosen.Select(a => IncrementalHash.CreateHash(a.ToHashAlgorithmName())).ToArray();
        // Two buffers: one is hashed while the other is being filled.
        var current = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        var next = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        ValueTask<int> pending = default;
        var reading = false;
        try
        {
            var read = await stream.ReadAsync(current.AsMemory(0, ChunkBytes), cancellationToken).ConfigureAwait(false);
            long total = 0;
            while (read > 0)
            {
                pending = stream.ReadAsync(next.AsMemory(0, ChunkBytes), cancellationToken);
                reading = true;
                foreach (var hash in hashes)
                {
                    hash.AppendData(current, 0, read);
                }

                total += read;
                progress?.Report(total);
                reading = false;
                read = await pending.ConfigureAwait(false);
                (current, next) = (next, current);
            }

            var digests = ImmutableArray.CreateBuilder<ArtifactDigest>(hashes.Length);
            for (var i = 0; i < hashes.Length; i++)
            {
                digests.Add(ArtifactDigest.FromHash(chosen[i], hashes[i].GetHashAndReset()));
            }

            return digests.MoveToImmutable();
        }
        finally
        {
            if (reading)
            {
                // A buffer goes back to the pool only once no read is writing into it.
                try
                {
                    await pending.ConfigureAwait(false);
                }
                catch (Exception e) when (e is IOException or OperationCanceledException)
                {
                    // The exception that ended hashing is the one the caller sees.
                }
            }

            ArrayPool<byte>.Shared.Return(current);
            ArrayPool<byte>.Shared.Return(next);
            foreach (var hash in hashes)
            {
                hash.Dispose();
            }
        }
    }
}
