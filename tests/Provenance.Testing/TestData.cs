namespace Provenance.Testing;

/// <summary>Paths into the repository's testdata/ folder, found from the test binaries' location.</summary>
public static class TestData
{
    private static readonly Lazy<string> RepositoryRoot = new(() =>
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "Provenance.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Provenance.sln not found above " + AppContext.BaseDirectory);
    });

    /// <summary>The repository root.</summary>
    public static string Root => RepositoryRoot.Value;

    /// <summary>A path below testdata/, with forward slashes in <paramref name="relative"/>.</summary>
    public static string Path(string relative) =>
        System.IO.Path.Combine(Root, "testdata", relative.Replace('/', System.IO.Path.DirectorySeparatorChar));

    /// <summary>A path below testdata/realworld/ (vectors other projects produced; see testdata/NOTICE).</summary>
    public static string RealWorld(string relative) => Path("realworld/" + relative);
}
