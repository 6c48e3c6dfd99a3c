using System.CommandLine;
using Microsoft.Extensions.Configuration;
using Provenance.Cryptography;
using Provenance.GitHub;
using Provenance.Http;
using Provenance.Verification;

namespace Provenance.Cli;

/// <summary>
/// <c>provenance verify ARTIFACT --repo owner/name</c> (or <c>--owner org</c>) without <c>--attestation</c>: the
/// attestations come from the GitHub attestations API, as with <c>gh attestation verify</c>, and the shorthand
/// policy the same flags build still decides who may have signed. Fetched listings are verified exactly like files.
/// </summary>
internal sealed class GitHubAttestationFetching(GitHubApiEnvironment environment)
{
    public static Option<string?> CreateApiUrlOption() => new("--github-api-url")
    {
        Description = "The GitHub REST API base for --repo/--owner (default: GITHUB_API_URL, else https://api.github.com; "
            + "GitHub Enterprise Server: https://HOST/api/v3). The token comes from GH_TOKEN or GITHUB_TOKEN.",
    };

    public static Option<string?> CreateReleaseOption() => new("--release")
    {
        Description = "OWNER/REPO@TAG: download the GitHub release's assets and verify each against the attestations among them "
            + "(*.intoto.jsonl, *.sigstore, *.sigstore.json, *.bundle), besides any given with -a or fetched with --repo/--owner.",
    };

    /// <summary>True when the attestations are to be fetched: none were given, and a repository or owner was.</summary>
    public static bool Applies(VerifyRequest request) =>
        request.Attestations.Count == 0 && (request.Shorthands.GitHub.Repo is not null || request.Shorthands.GitHub.Owner is not null);

    /// <summary>
    /// True when, beside <c>--policy</c>, <c>--repo</c> or <c>--owner</c> only say where to fetch from: the policy
    /// decides who may have signed, so they build no shorthand policy of their own.
    /// </summary>
    public static bool OnlyNamesWhereToFetch(VerifyRequest request) =>
        request.PolicyPath is not null && Applies(request)
        && request.Shorthands with { GitHub = request.Shorthands.GitHub with { Repo = null, Owner = null } } is { IsEmpty: true };

    /// <summary>What is wrong with how the attestations were asked for, before any work.</summary>
    public IEnumerable<Problem> CheckUsage(VerifyRequest request)
    {
        if (request.Release is not null && GitHubReleaseReference.Parse(request.Release).Problem is { } releaseProblem)
        {
            yield return releaseProblem;
        }

        if (!Applies(request) && request.Release is null)
        {
            if (request.GitHubApiUrl is not null)
            {
                yield return new Problem(DiagnosticCode.InvalidOptions,
                    "--github-api-url is where --repo or --owner fetch attestations from; with --attestation nothing is fetched, so drop one");
            }

            yield break;
        }

        if (Applies(request) && GitHubAttestationScope.From(request.Shorthands.GitHub.Repo, request.Shorthands.GitHub.Owner).Problem is { } scopeProblem)
        {
            yield return scopeProblem;
        }

        if (ApiUrl(request).Problem is { } urlProblem)
        {
            yield return urlProblem;
        }
    }

    /// <summary>
    /// Adds what GitHub holds to the inputs: the release's artifacts and attestation assets (<c>--release</c>), then
    /// the attestations stored for every artifact's digest (one fetch per distinct digest). Call only when
    /// <see cref="CheckUsage"/> found nothing; dispose the result after verifying, which deletes downloaded files.
    /// </summary>
    public async Task<FetchedInputs> AddFetchedAsync(
        VerifyRequest request, HttpFetcher fetcher, List<ArtifactInput> artifacts, List<AttestationInput> attestations, CancellationToken cancellationToken)
    {
        if (!Applies(request) && request.Release is null)
        {
            return new FetchedInputs(null, null);
        }

        var apiUrl = ApiUrl(request).Url!;
        string? folder = null;
        if (request.Release is not null)
        {
            var release = GitHubReleaseReference.Parse(request.Release).Release!;
            folder = Directory.CreateTempSubdirectory("provenance-release-").FullName;
            var download = await new GitHubReleaseSource(fetcher, apiUrl, environment.Token).DownloadAsync(release, folder, cancellationToken).ConfigureAwait(false);
            if (download.Problem is not null || download.ArtifactPaths.IsEmpty)
            {
                return new FetchedInputs(folder, download.Problem ?? new Problem(DiagnosticCode.GitHubReleaseRefused,
                    $"the release {release} has no assets besides attestations: nothing to verify"));
            }

            artifacts.AddRange(download.ArtifactPaths.Select(ArtifactInput.FromFile));
            attestations.AddRange(download.Attestations);
        }

        if (Applies(request))
        {
            var scope = GitHubAttestationScope.From(request.Shorthands.GitHub.Repo, request.Shorthands.GitHub.Owner).Scope!;
            var source = new GitHubAttestationSource(fetcher, apiUrl, environment.Token);
            foreach (var artifact in artifacts)
            {
                if (await Sha256Async(artifact, cancellationToken).ConfigureAwait(false) is not { } digest)
                {
                    continue;
                }

                var fetched = await source.FetchAsync(scope, digest, cancellationToken).ConfigureAwait(false);
                if (fetched.Problem is not null)
                {
                    return new FetchedInputs(folder, fetched.Problem);
                }

                attestations.AddRange(fetched.Pages.Where(page => !attestations.Contains(page)));
            }
        }

        return new FetchedInputs(folder, null);
    }

    private (Uri? Url, Problem? Problem) ApiUrl(VerifyRequest request) =>
        (request.GitHubApiUrl ?? environment.ApiUrl) is { } given
            ? GitHubAttestationSource.ParseApiUrl(given)
            : (GitHubAttestationSource.DefaultApiUrl, null);

    /// <summary>
    /// The digest GitHub indexes attestations by. An unreadable file is skipped here: verification reports it with
    /// its own code.
    /// </summary>
    private static async Task<ArtifactDigest?> Sha256Async(ArtifactInput artifact, CancellationToken cancellationToken)
    {
        if (artifact.Digest is { } given)
        {
            return given;
        }

        try
        {
            // Only the digest GitHub looks up: hashing sha384 and sha512 too would triple the cost of a large artifact.
            var digests = await ArtifactHasher.HashFileAsync(artifact.Path!, [DigestAlgorithm.Sha256], progress: null, cancellationToken)
                .ConfigureAwait(false);
            return digests.Single();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}

/// <summary>What fetching added: the problem that stopped it, and the folder of downloaded artifacts, deleted on disposal.</summary>
internal sealed class FetchedInputs(string? folder, Problem? problem) : IDisposable
{
    public Problem? Problem { get; } = problem;

    public void Dispose()
    {
        if (folder is not null && Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}

/// <summary>
/// The GitHub API settings of the environment (<see cref="GitHubActionsEnvironment.VariableNames"/> carries them,
/// so tests supply their own): GITHUB_API_URL, which Actions sets for GitHub Enterprise too, and the token from
/// GH_TOKEN, else GITHUB_TOKEN, as the gh CLI reads them.
/// </summary>
internal sealed record GitHubApiEnvironment(string? ApiUrl, string? Token)
{
    /// <summary>No API settings: the public API, anonymously (runs inside the tool, such as policy fixtures).</summary>
    public static readonly GitHubApiEnvironment None = new(null, null);

    public static GitHubApiEnvironment From(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        static string? Value(IConfiguration c, string name) => string.IsNullOrEmpty(c[name]) ? null : c[name];
        return new(Value(configuration, "GITHUB_API_URL"), Value(configuration, "GH_TOKEN") ?? Value(configuration, "GITHUB_TOKEN"));
    }
}
