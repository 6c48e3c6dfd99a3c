namespace Provenance.Testing;

/// <summary>Finds files under the repository's <c>testdata/</c> folder, wherever the tests run from.</summary>
public static class TestData
{
    private static readonly Lazy<string> RepositoryRoot = new(FindRoot);

    /// <summary>The repository root (the folder holding Provenance.sln).</summary>
    public static string Root => RepositoryRoot.Value;

    /// <summary>The full path below <c>testdata/</c>; parts may contain forward slashes.</summary>
    public static string Path(params string[] parts) =>
        System.IO.Path.Combine([Root, "testdata", .. parts.Select(p => p.Replace('/', System.IO.Path.DirectorySeparatorChar))]);

    /// <summary>The bytes of a file below <c>testdata/</c>.</summary>
    public static byte[] ReadAllBytes(params string[] parts) => File.ReadAllBytes(Path(parts));

    /// <summary>A path below <c>testdata/realworld/</c>: vectors other projects produced (see testdata/NOTICE).</summary>
    public static string RealWorld(string relative) => Path("realworld", relative);

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "Provenance.sln"))
                && Directory.Exists(System.IO.Path.Combine(directory.FullName, "testdata")))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException("No testdata/ folder next to Provenance.sln above " + AppContext.BaseDirectory);
    }
}
