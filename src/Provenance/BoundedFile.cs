using System.Buffers;

namespace Provenance;

/// <summary>Reads user-named files with a size bound, turning every expected failure into a <see cref="Problem"/>.</summary>
internal static class BoundedFile
{
    /// <summary>Checks that <paramref name="path"/> is a readable, non-empty file, without reading it.</summary>
    public static Problem? Probe(string path, string what)
    {
        if (Directory.Exists(path))
        {
            return new Problem(DiagnosticCode.InputUnreadable, $"the {what} is a directory, not a file", path);
        }

        if (!File.Exists(path))
        {
            return new Problem(DiagnosticCode.InputNotFound, $"the {what} file does not exist; check the path", path);
        }

        return null;
    }

    /// <summary>Reads the whole file when it is no larger than <paramref name="maxBytes"/>; the size is checked before reading.</summary>
    public static async Task<(byte[] Content, Problem? Problem)> ReadAsync(string path, long maxBytes, string what, CancellationToken cancellationToken)
    {
        if (Probe(path, what) is { } missing)
        {
            return ([], missing);
        }

        try
        {
            await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.Asynchronous);
            // Length can be 0 for pipes and special files; read with a bound either way.
            if (stream.CanSeek && stream.Length > maxBytes)
            {
                return ([], TooLarge(path, what, maxBytes));
            }

            if (stream.CanSeek && stream.Length > 0 && ReadWhole(stream) is { } whole)
            {
                return (whole, null);
            }

            // Sized from the file's length and read through a pooled chunk: a batch reads thousands of small files,
            // and a fresh 80 KB chunk each made the garbage collector the largest cost.
            var buffer = new MemoryStream(stream.CanSeek ? (int)stream.Length : 0);
            var chunk = ArrayPool<byte>.Shared.Rent(81920);
            try
            {
                int read;
                while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    if (buffer.Length + read > maxBytes)
                    {
                        return ([], TooLarge(path, what, maxBytes));
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
                return ([], new Problem(DiagnosticCode.InputEmpty, $"the {what} file is empty", path));
            }

            return (buffer.ToArray(), null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return ([], new Problem(DiagnosticCode.InputUnreadable, $"the {what} file cannot be read: {e.Message}", path));
        }
    }

    /// <summary>
    /// A file of known length read straight into an array of that length: most inputs are small files, and a
    /// growing buffer and its copy doubled what each cost. Null when the length changed, for the caller to read it
    /// again with a bound.
    /// </summary>
    private static byte[]? ReadWhole(FileStream stream)
    {
        var content = new byte[stream.Length];
        return ReadExactly(stream.SafeFileHandle, content) ? content : null;
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
