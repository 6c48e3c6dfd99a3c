using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Provenance.Http;
using Provenance.Verification;

namespace Provenance.GitHub;

/// <summary>A release to verify: <c>OWNER/REPO@TAG</c>.</summary>
public sealed record GitHubReleaseReference(GitHubAttestationScope Repository, string Tag)
{
    /// <summary>Reads <c>OWNER/REPO@TAG</c>; a problem when the repository or tag is not one GitHub allows.</summary>
    public static (GitHubReleaseReference? Release, Problem? Problem) Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var at = text.IndexOf('@', StringComparison.Ordinal);
        var (repository, problem) = at > 0 ? GitHubAttestationScope.From(text[..at], null) : (null, null);
        var tag = at > 0 ? text[(at + 1)..] : "";
        // git check-ref-format's rules that matter here: no control characters, spaces, "..", or ~^:?*[\ characters.
        var tagIsValid = tag.Length is > 0 and <= 255 && !tag.Contains("..", StringComparison.Ordinal)
            && tag.All(c => c > ' ' && c != 0x7f && "~^:?*[\\".IndexOf(c, StringComparison.Ordinal) < 0);
        return repository is not null && problem is null && tagIsValid
            ? (new GitHubReleaseReference(repository, tag), null)
            : (null, new Problem(DiagnosticCode.InvalidOptions, $"--release takes OWNER/REPO@TAG, e.g. org/app@v1.2.3; \"{text}\" is not that"));
    }

    /// <inheritdoc />
    public override string ToString() => $"{Repository}@{Tag}";
}

/// <summary>
/// A downloaded release: its artifacts as files in the folder given, and its attestation assets (named
/// <c>*.intoto.jsonl</c>, <c>*.sigstore</c>, <c>*.sigstore.json</c> or <c>*.bundle</c>) in memory, each named by its URL;
/// or the problem that stopped the download.
/// </summary>
public sealed record GitHubReleaseDownload(ImmutableArray<string> ArtifactPaths, ImmutableArray<AttestationInput> Attestations, Problem? Problem);

/// <summary>
/// Downloads a release's assets (https://docs.github.com/en/rest/releases/releases#get-a-release-by-tag-name and
/// .../release-assets#get-a-release-asset) so each can be verified: artifacts are streamed to files within
/// <see cref="Limits.MaxGitHubReleaseAssetBytes"/>, attestations read into memory within
/// <see cref="Limits.MaxAttestationFileBytes"/>. Nothing about an asset is trusted for being in the release.
/// </summary>
public sealed partial class GitHubReleaseSource
{
    private static readonly string[] AttestationSuffixes = [".intoto.jsonl", ".sigstore", ".sigstore.json", ".bundle"];
    private static readonly TimeSpan AssetAttemptTimeout = TimeSpan.FromMinutes(10);

    private readonly HttpFetcher _fetcher;
    private readonly GitHubApi _api;

    /// <summary>Creates a source on <paramref name="apiUrl"/>; <paramref name="token"/> null or empty asks anonymously.</summary>
    public GitHubReleaseSource(HttpFetcher fetcher, Uri apiUrl, string? token)
    {
        ArgumentNullException.ThrowIfNull(fetcher);
        ArgumentNullException.ThrowIfNull(apiUrl);
        _fetcher = fetcher;
        ApiUrl = GitHubApi.WithTrailingSlash(apiUrl);
        _api = new GitHubApi(token);
    }

    /// <summary>The API base, ending with a slash.</summary>
    public Uri ApiUrl { get; }

    /// <summary>True for an asset name that holds attestations rather than an artifact.</summary>
    public static bool IsAttestationName(string name) =>
        AttestationSuffixes.Any(suffix => name.EndsWith(suffix, StringComparison.OrdinalIgnoreCase));

    /// <summary>Downloads every asset of <paramref name="release"/>; artifacts go below <paramref name="folder"/>, which must exist.</summary>
    public async Task<GitHubReleaseDownload> DownloadAsync(GitHubReleaseReference release, string folder, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(release);
        ArgumentException.ThrowIfNullOrEmpty(folder);
        var url = new Uri(ApiUrl, $"{release.Repository.Path}/releases/tags/{Uri.EscapeDataString(release.Tag)}");
        try
        {
            var response = await _fetcher.GetAsync(url, _api.Headers("application/vnd.github+json"), Limits.MaxGitHubReleaseBytes, cancellationToken)
                .ConfigureAwait(false);
            if (!response.IsSuccess)
            {
                return Failed(_api.Refusal(response, $"{release.Repository}'s releases", $"no release tagged {release.Tag} in {release.Repository}"));
            }

            GitHubReleaseBody? body;
            try
            {
                body = JsonSerializer.Deserialize(response.Body.Span, GitHubJsonContext.Default.GitHubReleaseBody);
            }
            catch (JsonException)
            {
                body = null;
            }

            if (body?.Assets is not { } assets)
            {
                return Failed(new Problem(DiagnosticCode.GitHubResponseInvalid, "the response is not a release with a list of assets; check --github-api-url", url.ToString()));
            }

            if (assets.Count > Limits.MaxGitHubReleaseAssets)
            {
                return Failed(new Problem(DiagnosticCode.GitHubReleaseRefused,
                    $"{assets.Count} assets where at most {Limits.MaxGitHubReleaseAssets} are downloaded; download the ones to verify and give them as files", url.ToString()));
            }

            var artifacts = ImmutableArray.CreateBuilder<string>();
            var attestations = ImmutableArray.CreateBuilder<AttestationInput>();
            for (var index = 0; index < assets.Count; index++)
            {
                var (artifact, attestation, problem) = await DownloadAssetAsync(assets[index], index, url, folder, cancellationToken).ConfigureAwait(false);
                if (problem is not null)
                {
                    return Failed(problem);
                }

                if (artifact is not null)
                {
                    artifacts.Add(artifact);
                }

                if (attestation is not null)
                {
                    attestations.Add(attestation);
                }
            }

            return new GitHubReleaseDownload(artifacts.ToImmutable(), attestations.ToImmutable(), null);
        }
        catch (HttpFetchException e)
        {
            return Failed(e.Problem);
        }
    }

    private async Task<(string? Artifact, AttestationInput? Attestation, Problem? Problem)> DownloadAssetAsync(
        GitHubReleaseAsset asset, int index, Uri releaseUrl, string folder, CancellationToken cancellationToken)
    {
        Problem Refused(string message) => new(DiagnosticCode.GitHubReleaseRefused, message, releaseUrl.ToString() + $"#assets[{index}]");
        if (asset.Name is not { } name || !PlainFileName().IsMatch(name) || name is "." or "..")
        {
            return (null, null, Refused("an asset name that is not a plain file name; it is not written to disk"));
        }

        // The token goes with the request, so only the API's own server is asked (its redirect to storage drops it).
        if (!Uri.TryCreate(asset.Url, UriKind.Absolute, out var assetUrl) || !GitHubApi.SameServer(assetUrl, releaseUrl))
        {
            return (null, null, Refused($"the asset {name} is not on the API's server; not downloaded, so the token stays with the API"));
        }

        var attestation = IsAttestationName(name);
        var max = attestation ? Limits.MaxAttestationFileBytes : Limits.MaxGitHubReleaseAssetBytes;
        if (asset.Size > max)
        {
            return (null, null, Refused(string.Create(CultureInfo.InvariantCulture,
                $"the asset {name} is {asset.Size} bytes where at most {max} are downloaded")));
        }

        var headers = _api.Headers("application/octet-stream");
        var what = $"the release asset {name}";
        var notFound = $"the release asset {name} is gone";
        if (attestation)
        {
            var response = await _fetcher.GetAsync(assetUrl, headers, max, cancellationToken).ConfigureAwait(false);
            return response.IsSuccess
                ? (null, AttestationInput.FromContent($"{assetUrl}#{name}", response.Body), null)
                : (null, null, _api.Refusal(response, what, notFound));
        }

        // Its own folder per asset: names are unique in a release, but the folder keeps even a hostile one contained.
        var directory = Directory.CreateDirectory(Path.Combine(folder, index.ToString(CultureInfo.InvariantCulture)));
        var path = Path.Combine(directory.FullName, name);
        var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0, FileOptions.Asynchronous);
        await using (file.ConfigureAwait(false))
        {
            var response = await _fetcher.DownloadAsync(assetUrl, file, headers, max, AssetAttemptTimeout, cancellationToken).ConfigureAwait(false);
            return response.IsSuccess ? (path, null, null) : (null, null, _api.Refusal(response, what, notFound));
        }
    }

    private static GitHubReleaseDownload Failed(Problem problem) => new([], [], problem);

    // One path segment of printable characters: no separators, no control characters.
    [GeneratedRegex(@"\A[^/\\\x00-\x1f\x7f]{1,255}\z", RegexOptions.CultureInvariant)]
    private static partial Regex PlainFileName();
}
