using System.Buffers;

namespace Provenance;

/// <summary>Reads user-named files with a size bound, turning every expected failure into a <see cref="Problem"/>.</summary>
internal static class BoundedFile
{
    /// <summary>
    /// Why <paramref name="path"/> could not be opened or read, from the exception that said so. Asked only after a
    /// failure: checking first cost two more file-system lookups per file, a tenth of a batch of small files.
    /// </summary>
    public static Problem Unreadable(Exception exception, string path, string what)
    {
        if (exception is FileNotFoundException or DirectoryNotFoundException)
        {
            return new Problem(DiagnosticCode.InputNotFound, $"the {what} file does not exist; check the path", path);
        }

        return Directory.Exists(path)
            ? new Problem(DiagnosticCode.InputUnreadable, $"the {what} is a directory, not a file", path)
            : new Problem(DiagnosticCode.InputUnreadable, $"the {what} file cannot be read: {exception.Message}", path);
    }

    /// <summary>Reads the whole file when it is no larger than <paramref name="maxBytes"/>; the size is checked before reading.</summary>
    public static async Task<(byte[] Content, Problem? Problem)> ReadAsync(string path, long maxBytes, string what, CancellationToken cancellationToken)
    {
        var (content, problem, _) = await ReadOnceAsync(path, maxBytes, what, cancellationToken).ConfigureAwait(false);
        return (content, problem);
    }

    /// <summary>
    /// As <see cref="ReadAsync"/>, also telling whether the path can be read again for the same bytes: not so for a
    /// pipe (<c>&lt;(command)</c> in a shell), which gives its bytes once, so whoever needs them twice must keep them.
    /// </summary>
    public static async Task<(byte[] Content, Problem? Problem, bool Rereadable)> ReadOnceAsync(
        string path, long maxBytes, string what, CancellationToken cancellationToken)
    {
        try
        {
            // A handle, not a stream, for the usual case of a regular file: a batch reads thousands of small files,
            // and the stream's set-up cost as much as the read.
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            var seekable = SeekableLength(handle);
            var length = seekable ?? 0;
            if (length > maxBytes)
            {
                return ([], TooLarge(path, what, maxBytes), true);
            }

            if (length > 0 && ReadWhole(handle, length) is { } whole)
            {
                return (whole, null, true);
            }

            // Length is 0 for pipes and special files, and wrong for a file that is changing: read with a bound.
            await using var stream = new FileStream(handle, FileAccess.Read, bufferSize: 1);
            // Sized from the file's length and read through a pooled chunk: a batch reads thousands of small files,
            // and a fresh 80 KB chunk each made the garbage collector the largest cost.
            var buffer = new MemoryStream((int)length);
            var chunk = ArrayPool<byte>.Shared.Rent(81920);
            try
            {
                int read;
                while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    if (buffer.Length + read > maxBytes)
                    {
                        return ([], TooLarge(path, what, maxBytes), seekable is not null);
                    }

                    buffer.Write(chunk, 0, read);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(chunk);
            }

            if (buffer.Length == 0)
            {
                return ([], new Problem(DiagnosticCode.InputEmpty, $"the {what} file is empty", path), seekable is not null);
            }

            return (buffer.ToArray(), null, seekable is not null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return ([], Unreadable(e, path, what), true);
        }
    }

    /// <summary>
    /// The length of a file that can be read at any offset, or null for a pipe (<c>&lt;(command)</c> in a shell), which
    /// can only be read through once.
    /// </summary>
    internal static long? SeekableLength(Microsoft.Win32.SafeHandles.SafeFileHandle file)
    {
        try
        {
            return RandomAccess.GetLength(file);
        }
        catch (NotSupportedException)
        {
            return null;
        }
    }

    /// <summary>
    /// A file of known length read straight into an array of that length: most inputs are small files, and a
    /// growing buffer and its copy doubled what each cost. Null when the length changed, for the caller to read it
    /// again with a bound.
    /// </summary>
    private static byte[]? ReadWhole(Microsoft.Win32.SafeHandles.SafeFileHandle file, long length)
    {
        var content = new byte[length];
        return ReadExactly(file, content) ? content : null;
    }

    /// <summary>
    /// Fills <paramref name="content"/> from the start of the file, in synchronous calls: on Linux an asynchronous
    /// file read is a hop through the thread pool, which for a batch of thousands of small files cost more than the
    /// reads. True when the file holds exactly that many bytes; false when it is shorter or longer (it changed since
    /// its length was read), for the caller to read it the general way.
    /// </summary>
    internal static bool ReadExactly(Microsoft.Win32.SafeHandles.SafeFileHandle file, Span<byte> content)
    {
        var read = 0;
        int last;
        while (read < content.Length && (last = RandomAccess.Read(file, content[read..], read)) > 0)
        {
            read += last;
        }

        Span<byte> beyond = stackalloc byte[1];
        return read == content.Length && RandomAccess.Read(file, beyond, read) == 0;
    }

    private static Problem TooLarge(string path, string what, long maxBytes) =>
        new(DiagnosticCode.InputTooLarge, $"the {what} file is larger than the {maxBytes / (1024 * 1024)} MiB accepted", path);
}
