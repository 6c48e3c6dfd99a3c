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
    /// The repository a user named: <paramref name="url"/> (null for public good) with the root.json at
    /// <paramref name="rootPath"/>, or the embedded root when the URL is a known repository. The root file must be TUF
    /// root metadata signed by a threshold of its own root keys; any failure is a located <see cref="Problem"/>
    /// (<see cref="DiagnosticCode.InvalidTufRoot"/>, <see cref="DiagnosticCode.TufRepositoryUnknown"/>, or the file's).
    /// </summary>
    public static async Task<(TufRepository? Repository, Problem? Problem)> ResolveAsync(string? url, string? rootPath, CancellationToken cancellationToken = default)
    {
        if (url is null && rootPath is not null)
        {
            return (null, new Problem(DiagnosticCode.InvalidOptions, "--tuf-root is the trusted root of the repository --tuf-url names: give both"));
        }

        if (url is null)
        {
            return (PublicGood, null);
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)
            || uri.Query.Length > 0 || uri.Fragment.Length > 0)
        {
            return (null, new Problem(DiagnosticCode.InvalidTufRoot, "--tuf-url must be the https URL of a TUF repository, without query or fragment", url));
        }

        if (rootPath is null)
        {
            return Known(uri) is { } known
                ? (known, null)
                : (null, new Problem(DiagnosticCode.TufRepositoryUnknown,
                    "this build embeds no initial root for this repository; give the root.json you trust for it with --tuf-root", url));
        }

        var (content, problem) = await BoundedFile.ReadAsync(rootPath, Limits.MaxTufRootBytes, "TUF root", cancellationToken).ConfigureAwait(false);
        if (problem is not null)
        {
            return (null, problem);
        }

        try
        {
            var root = (RootMetadata)TufMetadata.Parse(content, TufMetadata.RootType, rootPath);
            TufKeys.RequireThreshold(root, root.Keys, root.Role(TufMetadata.RootType), "its own root role", rootPath);
        }
        catch (InvalidInputException e)
        {
            return (null, e.Problem with { Code = DiagnosticCode.InvalidTufRoot, Message = "not a TUF root.json signed by its own root keys: " + e.Problem.Message });
        }

        return (new TufRepository(uri.Host, uri, content), null);
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
