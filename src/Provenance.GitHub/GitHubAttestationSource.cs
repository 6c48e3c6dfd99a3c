using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Provenance.Cryptography;
using Provenance.Http;
using Provenance.Verification;

namespace Provenance.GitHub;

/// <summary>
/// Fetches the attestations GitHub stores for an artifact digest
/// (https://docs.github.com/en/rest/repos/attestations, <c>{"attestations": [{"bundle": …}, …]}</c>), following
/// the <c>Link</c> header's next page. Each page is handed on whole as an attestation input named by its URL, so the
/// library reads the listing with its strict loader exactly as it reads a local file, and the report shows each
/// bundle's origin as that URL and its index. Thread-safe; pages are cached by endpoint and digest for the
/// lifetime of the source, so several artifacts with one digest cost one fetch.
/// </summary>
public sealed partial class GitHubAttestationSource
{
    /// <summary>The public API, used when neither <c>--github-api-url</c> nor GITHUB_API_URL says otherwise.</summary>
    public static readonly Uri DefaultApiUrl = new("https://api.github.com/");

    private const int PageSize = 100;

    private readonly HttpFetcher _fetcher;
    private readonly GitHubApi _api;
    private readonly FetchCache<Uri, GitHubAttestationFetch> _cache = new();

    /// <summary>Creates a source on <paramref name="apiUrl"/>; <paramref name="token"/> null or empty asks anonymously.</summary>
    public GitHubAttestationSource(HttpFetcher fetcher, Uri apiUrl, string? token)
    {
        ArgumentNullException.ThrowIfNull(fetcher);
        ArgumentNullException.ThrowIfNull(apiUrl);
        if (ParseApiUrl(apiUrl.OriginalString) is { Problem: { } problem })
        {
            throw new ArgumentException(problem.Message, nameof(apiUrl));
        }

        _fetcher = fetcher;
        ApiUrl = GitHubApi.WithTrailingSlash(apiUrl);
        _api = new GitHubApi(token);
    }

    /// <summary>The API base, ending with a slash (e.g. <c>https://ghe.example/api/v3/</c>).</summary>
    public Uri ApiUrl { get; }

    /// <summary>
    /// An API base as a user wrote it: an absolute http(s) URL without credentials, query or fragment. Whether plain
    /// http is allowed is the HTTP pipeline's decision (loopback and named hosts only).
    /// </summary>
    public static (Uri? Url, Problem? Problem) ParseApiUrl(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!Uri.TryCreate(text, UriKind.Absolute, out var url)
            || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp)
            || url.UserInfo.Length > 0 || url.Query.Length > 0 || url.Fragment.Length > 0)
        {
            return (null, new Problem(DiagnosticCode.InvalidOptions,
                $"the GitHub API URL must be an https URL without credentials, query or fragment, e.g. https://api.github.com or https://ghe.example/api/v3; \"{text}\" is not that"));
        }

        return (url, null);
    }

    /// <summary>
    /// Every attestation stored for <paramref name="digest"/> in <paramref name="scope"/>, as one input per page; or
    /// the problem that stopped the fetch (nothing partial is returned with a problem).
    /// </summary>
    public Task<GitHubAttestationFetch> FetchAsync(GitHubAttestationScope scope, ArtifactDigest digest, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(digest);
        var first = new Uri(ApiUrl, string.Create(CultureInfo.InvariantCulture, $"{scope.Path}/attestations/{digest}?per_page={PageSize}"));
        // A listing that names a problem (404, too many) is the server's answer for this request and is kept;
        // only a cancelled fetch is asked again.
        return _cache.GetOrFetchAsync(first, (url, token) => FetchAllPagesAsync(url, scope, digest, token), cancellationToken);
    }

    private async Task<GitHubAttestationFetch> FetchAllPagesAsync(Uri url, GitHubAttestationScope scope, ArtifactDigest digest, CancellationToken cancellationToken)
    {
        var headers = _api.Headers("application/vnd.github+json");
        var pages = ImmutableArray.CreateBuilder<AttestationInput>();
        var count = 0;
        for (var page = 1; ; page++)
        {
            HttpFetchResponse response;
            try
            {
                // A page is handed on as an attestation file, so it is bounded like one.
                response = await _fetcher.GetAsync(url, headers, Limits.MaxAttestationFileBytes, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpFetchException e)
            {
                return GitHubAttestationFetch.Failed(e.Problem);
            }

            if (!response.IsSuccess)
            {
                return GitHubAttestationFetch.Failed(_api.Refusal(response, $"{scope}'s attestations",
                    $"no attestations for {digest} in {scope}: none were stored for this artifact, or {scope} does not exist or cannot be seen"));
            }

            if (CountListed(response.Body.Span) is not { } listed)
            {
                return GitHubAttestationFetch.Failed(new Problem(DiagnosticCode.GitHubResponseInvalid,
                    "the response is not an attestations listing ({\"attestations\": [...]}); check --github-api-url", response.Uri.ToString()));
            }

            count += listed;
            if (count > Limits.MaxGitHubAttestations)
            {
                return GitHubAttestationFetch.Failed(TooMany(response.Uri, digest));
            }

            if (listed > 0)
            {
                pages.Add(AttestationInput.FromContent(response.Uri.ToString(), response.Body));
            }

            if (response.NextLink() is not { } next)
            {
                return new GitHubAttestationFetch(pages.ToImmutable(), count, null);
            }

            if (page >= Limits.MaxGitHubAttestationPages)
            {
                return GitHubAttestationFetch.Failed(TooMany(response.Uri, digest));
            }

            // The token goes with every page, so a page may only be fetched from where the first one was.
            if (!GitHubApi.SameServer(next, url))
            {
                return GitHubAttestationFetch.Failed(new Problem(DiagnosticCode.GitHubResponseInvalid,
                    $"the next-page link points to {next.GetLeftPart(UriPartial.Authority)}, another server than the API's; not followed, so the token stays with the API",
                    response.Uri.ToString()));
            }

            url = next;
        }
    }

    private static Problem TooMany(Uri where, ArtifactDigest digest) => new(DiagnosticCode.GitHubTooManyAttestations,
        $"more than {Limits.MaxGitHubAttestations} attestations (or {Limits.MaxGitHubAttestationPages} pages) for {digest}; download the ones to verify and give them with --attestation",
        where.ToString());


    /// <summary>
    /// How many items the listing's <c>attestations</c> array holds, read with a token reader only (the library's
    /// strict loader parses the page when it is verified); null when the page is not such a listing.
    /// </summary>
    internal static int? CountListed(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = Limits.MaxJsonDepth });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            int? count = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isListing = reader.ValueTextEquals("attestations"u8);
                reader.Read();
                if (isListing && reader.TokenType == JsonTokenType.StartArray)
                {
                    var items = 0;
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        items++;
                        reader.Skip();
                    }

                    count = items;
                }
                else
                {
                    reader.Skip();
                }
            }

            return count;
        }
        catch (JsonException)
        {
            return null;
        }
    }

}

/// <summary>
/// What one fetch found: the listing pages to verify (each an <see cref="AttestationInput"/> named by its URL) and
/// how many attestations they hold, or the problem that stopped it.
/// </summary>
public sealed record GitHubAttestationFetch(ImmutableArray<AttestationInput> Pages, int Count, Problem? Problem)
{
    internal static GitHubAttestationFetch Failed(Problem problem) => new([], 0, problem);
}
