namespace Provenance.Testing;

/// <summary>Finds files under the repository's <c>testdata/</c> folder, wherever the tests run from.</summary>
public static class TestData
{
    private static readonly Lazy<string> Root = new(FindRoot);

    /// <summary>The full path of <c>testdata/</c> joined with <paramref name="parts"/>.</summary>
    public static string Path(params string[] parts) => System.IO.Path.Combine([Root.Value, .. parts]);

    /// <summary>The bytes of a file under <c>testdata/</c>.</summary>
    public static byte[] ReadAllBytes(params string[] parts) => File.ReadAllBytes(Path(parts));

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = System.IO.Path.Combine(directory.FullName, "testdata");
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "Provenance.sln")) && Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("No testdata/ folder next to Provenance.sln above " + AppContext.BaseDirectory);
    }
}
