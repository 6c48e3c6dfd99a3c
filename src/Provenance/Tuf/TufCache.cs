namespace Provenance.Tuf;

/// <summary>
/// One repository's cache directory: the last verified metadata and target files. Every write goes to a temporary
/// file in the same directory and is renamed over the old one, so a crash or a concurrent reader never sees half a
/// file. Failures are <see cref="DiagnosticCode.TufCacheUnusable"/>.
/// </summary>
internal sealed class TufCache(string directory)
{
    public string Directory { get; } = directory;

    public string PathOf(string name) => Path.Combine(Directory, name);

    /// <summary>The file's bytes, or null when it is absent or larger than <paramref name="maxBytes"/> (then it is not ours to trust).</summary>
    public byte[]? Read(string name, long maxBytes)
    {
        var path = PathOf(name);
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists || info.Length > maxBytes)
            {
                return null;
            }

            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Unusable(path, "cannot be read: " + e.Message);
        }
    }

    public void Write(string name, ReadOnlySpan<byte> content)
    {
        var path = PathOf(name);
        var temporary = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        try
        {
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temporary);
            throw Unusable(path, "cannot be written: " + e.Message + "; make the cache directory writable or choose another with --tuf-cache or PROVENANCE_TUF_CACHE");
        }
    }

    public void Delete(string name)
    {
        var path = PathOf(name);
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Unusable(path, "cannot be deleted: " + e.Message);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The temporary file is only litter; the failure that matters is reported by the caller.
        }
    }

    private static InvalidInputException Unusable(string path, string message) =>
        InvalidInputException.At(DiagnosticCode.TufCacheUnusable, path, "the TUF cache file " + message);
}
