using System.Security.Cryptography;
using System.Text;

namespace Provenance.Tuf;

/// <summary>A TUF repository and the root.json trusted for it out of band.</summary>
/// <param name="Name">A short name for people: <c>public-good</c>, <c>github</c>, or the URL's host.</param>
/// <param name="Url">The repository's base URL.</param>
/// <param name="InitialRoot">The root.json to start from.</param>
public sealed record TufRepository(string Name, Uri Url, ReadOnlyMemory<byte> InitialRoot);

/// <summary>
/// The TUF repositories this build knows, with their initial roots embedded (copies of the root.json that
/// sigstore-go and GitHub's CLI ship), and where each repository's cache lives.
/// </summary>
public static class TufRepositories
{
    /// <summary>The target every Sigstore TUF repository publishes its trust material as.</summary>
    public const string TrustedRootTarget = "trusted_root.json";

    /// <summary>The environment variable that moves the TUF cache.</summary>
    public const string CacheVariable = "PROVENANCE_TUF_CACHE";

    private static readonly Lazy<TufRepository> PublicGoodRepository = new(() =>
        new TufRepository("public-good", new Uri("https://tuf-repo-cdn.sigstore.dev"), Embedded("tuf-repo-cdn.sigstore.dev.root.json")));

    private static readonly Lazy<TufRepository> GitHubRepository = new(() =>
        new TufRepository("github", new Uri("https://tuf-repo.github.com"), Embedded("tuf-repo.github.com.root.json")));

    /// <summary>Sigstore's public-good instance (root version 14 embedded).</summary>
    public static TufRepository PublicGood => PublicGoodRepository.Value;

    /// <summary>GitHub's Sigstore instance for private repositories' attestations (root version 3 embedded).</summary>
    public static TufRepository GitHub => GitHubRepository.Value;

    /// <summary>The known repository at <paramref name="url"/> (ignoring a trailing slash and case of the host), or null.</summary>
    public static TufRepository? Known(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        foreach (var repository in new[] { PublicGood, GitHub })
        {
            if (Uri.Compare(repository.Url, Normalize(url), UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0)
            {
                return repository;
            }
        }

        return null;
    }

    /// <summary>
    /// The folder holding every repository's cache: <paramref name="overrideDirectory"/> when given, else
    /// <c>PROVENANCE_TUF_CACHE</c>, else <c>$XDG_CACHE_HOME/provenance/tuf</c>, else <c>~/.cache/provenance/tuf</c>.
    /// The environment is passed in, so the library never reads the process's.
    /// </summary>
    public static string CacheRoot(string? overrideDirectory, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (!string.IsNullOrEmpty(overrideDirectory))
        {
            return Path.GetFullPath(overrideDirectory);
        }

        if (environment(CacheVariable) is { Length: > 0 } variable)
        {
            return Path.GetFullPath(variable);
        }

        var cacheHome = environment("XDG_CACHE_HOME") is { Length: > 0 } xdg && Path.IsPathRooted(xdg)
            ? xdg
            : Path.Combine(environment("HOME") is { Length: > 0 } home ? home : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(cacheHome, "provenance", "tuf");
    }

    /// <summary>One repository's cache folder below <paramref name="cacheRoot"/>: named by a hash of its URL, so mirrors never share one.</summary>
    public static string CacheDirectory(string cacheRoot, Uri repositoryUrl)
    {
        ArgumentException.ThrowIfNullOrEmpty(cacheRoot);
        ArgumentNullException.ThrowIfNull(repositoryUrl);
        var key = Normalize(repositoryUrl).AbsoluteUri.TrimEnd('/');
        return Path.Combine(cacheRoot, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..16]);
    }

    private static Uri Normalize(Uri url) => new(url.AbsoluteUri.TrimEnd('/'));

    private static byte[] Embedded(string name)
    {
        using var stream = typeof(TufRepositories).Assembly.GetManifestResourceStream("Provenance.Tuf." + name)
            ?? throw new InvalidOperationException($"The embedded TUF root {name} is missing from the assembly.");
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }
}
