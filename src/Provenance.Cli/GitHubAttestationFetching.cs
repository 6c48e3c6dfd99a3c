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
        if (!Applies(request))
        {
            if (request.GitHubApiUrl is not null)
            {
                yield return new Problem(DiagnosticCode.InvalidOptions,
                    "--github-api-url is where --repo or --owner fetch attestations from; with --attestation nothing is fetched, so drop one");
            }

            yield break;
        }

        if (GitHubAttestationScope.From(request.Shorthands.GitHub.Repo, request.Shorthands.GitHub.Owner).Problem is { } scopeProblem)
        {
            yield return scopeProblem;
        }

        if (ApiUrl(request).Problem is { } urlProblem)
        {
            yield return urlProblem;
        }
    }

    /// <summary>
    /// The fetched listings for every artifact's digest (one fetch per distinct digest), or the first problem. Call
    /// only when <see cref="Applies"/> and <see cref="CheckUsage"/> found nothing.
    /// </summary>
    public async Task<(IReadOnlyList<AttestationInput> Inputs, Problem? Problem)> FetchAsync(
        VerifyRequest request, IReadOnlyList<ArtifactInput> artifacts, CancellationToken cancellationToken)
    {
        var scope = GitHubAttestationScope.From(request.Shorthands.GitHub.Repo, request.Shorthands.GitHub.Owner).Scope!;
        using var fetcher = new HttpFetcher(new HttpFetchOptions { Offline = request.Offline });
        var source = new GitHubAttestationSource(fetcher, ApiUrl(request).Url!, environment.Token);
        var inputs = new List<AttestationInput>();
        foreach (var artifact in artifacts)
        {
            if (await Sha256Async(artifact, cancellationToken).ConfigureAwait(false) is not { } digest)
            {
                continue;
            }

            var fetched = await source.FetchAsync(scope, digest, cancellationToken).ConfigureAwait(false);
            if (fetched.Problem is not null)
            {
                return ([], fetched.Problem);
            }

            inputs.AddRange(fetched.Pages.Where(page => !inputs.Contains(page)));
        }

        return (inputs, null);
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
            var digests = await ArtifactHasher.HashFileAsync(artifact.Path!, cancellationToken).ConfigureAwait(false);
            return digests.First(d => d.Algorithm == DigestAlgorithm.Sha256);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
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
