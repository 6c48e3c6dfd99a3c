using Provenance.Cryptography;
using Provenance.Http;
using Provenance.Testing;
using Provenance.Verification;
using static Provenance.Testing.GitHubAttestationsApi;

namespace Provenance.GitHub.Tests;

/// <summary>
/// The attestations API source against a real server on 127.0.0.1 serving responses in the API's recorded shape
/// (https://docs.github.com/en/rest/repos/attestations) around real GitHub-made bundles: what is fetched, how
/// pages are followed, how refusals are explained, and that every fetched bundle is verified like a local file.
/// </summary>
public sealed class GitHubAttestationSourceTests
{
    private static readonly ArtifactDigest Digest = ParseDigest(ArtifactSha256);
    private static readonly GitHubAttestationScope Repo = GitHubAttestationScope.From(Repository, null).Scope!;

    [Fact]
    public async Task A_fetched_listing_verifies_like_a_local_file_and_is_named_by_its_url()
    {
        await using var server = LoopbackHttpServer.Serve(new Dictionary<string, LoopbackResponse>
        {
            [RepositoryPath(Repository, Digest.ToString())] = Listing([Bundle]),
        });

        var fetched = await FetchAsync(server, Repo, Digest);

        Assert.Null(fetched.Problem);
        Assert.Equal(1, fetched.Count);
        var result = await VerifyAsync(fetched);
        Assert.True(result.Verified, string.Join("; ", result.Failures));
        var source = Assert.Single(result.Attestations).Source;
        Assert.Equal(server.Url($"repos/{Repository}/attestations/{Digest}?per_page=100") + "[0]", source);
    }

    [Fact]
    public async Task Pages_are_followed_through_the_link_header_and_all_their_bundles_verified()
    {
        await using var server = LoopbackHttpServer.Start(request => request.PathAndQuery switch
        {
            var q when q.EndsWith("?per_page=100", StringComparison.Ordinal) =>
                Listing([OtherArtifactBundle], nextLink: Link(request, "page=2")),
            var q when q.EndsWith("page=2", StringComparison.Ordinal) => Listing([OtherArtifactBundle], nextLink: Link(request, "page=3")),
            var q when q.EndsWith("page=3", StringComparison.Ordinal) => Listing([Bundle]),
            _ => Error(404, "Not Found"),
        });

        var fetched = await FetchAsync(server, Repo, Digest);

        Assert.Null(fetched.Problem);
        Assert.Equal(3, fetched.Count);
        Assert.Equal(3, fetched.Pages.Length);
        Assert.Equal(3, server.Requests.Count);
        Assert.EndsWith("page=3", server.Requests[2].PathAndQuery, StringComparison.Ordinal);
        // Only the last page attests this artifact: it verifies only because that page was read.
        var result = await VerifyAsync(fetched);
        Assert.True(result.Verified, string.Join("; ", result.Failures));
        Assert.Contains(result.Attestations, a => a.Source.EndsWith("page=3[0]", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("<{0}?per_page=100&page=1>; rel=\"prev\", <{0}?per_page=100&page=2>; rel=\"next\"")]
    [InlineData("<{0}?per_page=100&page=2>; rel=\"next last\"")]
    [InlineData("<{0}?per_page=100&page=2>; title=\"x\"; rel=next")]
    public async Task The_next_link_is_found_among_others(string linkFormat)
    {
        await using var server = LoopbackHttpServer.Start(request => request.PathAndQuery.EndsWith("page=2", StringComparison.Ordinal)
            ? Listing([Bundle])
            : Listing([OtherArtifactBundle], headers: new Dictionary<string, string> { ["Link"] = string.Format(System.Globalization.CultureInfo.InvariantCulture, linkFormat, request.Path) }));

        var fetched = await FetchAsync(server, Repo, Digest);

        Assert.Null(fetched.Problem);
        Assert.Equal(2, fetched.Count);
        Assert.EndsWith("page=2", server.Requests[^1].PathAndQuery, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_fetched_bundle_with_a_broken_signature_fails_verification_like_a_local_file()
    {
        var bundle = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Bundle))!;
        var signature = Convert.FromBase64String(bundle["dsseEnvelope"]!["signatures"]![0]!["sig"]!.GetValue<string>());
        signature[^1] ^= 1;
        bundle["dsseEnvelope"]!["signatures"]![0]!["sig"] = Convert.ToBase64String(signature);
        using var temp = new TempDirectory();
        var tampered = temp.Write("tampered.sigstore.json", System.Text.Encoding.UTF8.GetBytes(bundle.ToJsonString()));
        await using var server = LoopbackHttpServer.Start(_ => Listing([tampered]));

        var fetched = await FetchAsync(server, Repo, Digest);

        Assert.Null(fetched.Problem);
        var result = await VerifyAsync(fetched);
        Assert.False(result.Verified);
        Assert.NotEmpty(result.Failures);
    }

    [Fact]
    public async Task Next_links_that_never_end_stop_at_the_page_bound()
    {
        await using var server = LoopbackHttpServer.Start(request =>
            Listing([OtherArtifactBundle], nextLink: Link(request, "page=" + (PageOf(request) + 1))));

        var fetched = await FetchAsync(server, Repo, Digest);

        Assert.Equal(DiagnosticCode.GitHubTooManyAttestations, fetched.Problem?.Code);
        Assert.Equal(Limits.MaxGitHubAttestationPages, server.Requests.Count);
        Assert.Empty(fetched.Pages);
    }

    [Fact]
    public async Task A_next_link_to_another_server_is_not_followed_so_the_token_stays_with_the_api()
    {
        await using var elsewhere = LoopbackHttpServer.Start(_ => Listing([Bundle]));
        await using var server = LoopbackHttpServer.Start(_ => Listing([OtherArtifactBundle], nextLink: elsewhere.Url("steal?page=2").ToString()));

        var fetched = await FetchAsync(server, Repo, Digest, token: "secret-token");

        Assert.Equal(DiagnosticCode.GitHubResponseInvalid, fetched.Problem?.Code);
        Assert.Empty(elsewhere.Requests);
    }

    [Fact]
    public async Task Not_found_names_the_digest_and_the_repository()
    {
        await using var server = LoopbackHttpServer.Start(_ => Error(404, "Not Found"));

        var fetched = await FetchAsync(server, Repo, Digest);

        Assert.Equal(DiagnosticCode.GitHubNotFound, fetched.Problem?.Code);
        Assert.Contains(Digest.ToString(), fetched.Problem!.Message, StringComparison.Ordinal);
        Assert.Contains(Repository, fetched.Problem.Message, StringComparison.Ordinal);
        Assert.Empty(fetched.Pages);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("expired-token")]
    public async Task Unauthorized_says_to_set_GH_TOKEN(string? token)
    {
        await using var server = LoopbackHttpServer.Start(_ => Error(401, "Bad credentials"));

        var fetched = await FetchAsync(server, Repo, Digest, token);

        Assert.Equal(DiagnosticCode.GitHubUnauthorized, fetched.Problem?.Code);
        Assert.Contains("GH_TOKEN", fetched.Problem!.Message, StringComparison.Ordinal);
        Assert.Contains("Bad credentials", fetched.Problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_used_up_rate_limit_says_when_it_resets()
    {
        // 1800000000 s after the Unix epoch is 2027-01-15T08:00:00Z.
        await using var server = LoopbackHttpServer.Start(_ => Error(403, "API rate limit exceeded", new Dictionary<string, string>
        {
            ["x-ratelimit-limit"] = "60",
            ["x-ratelimit-remaining"] = "0",
            ["x-ratelimit-reset"] = "1800000000",
        }));

        var fetched = await FetchAsync(server, Repo, Digest);

        Assert.Equal(DiagnosticCode.GitHubRateLimited, fetched.Problem?.Code);
        Assert.Contains("2027-01-15T08:00:00Z", fetched.Problem!.Message, StringComparison.Ordinal);
        Assert.Contains("GH_TOKEN", fetched.Problem.Message, StringComparison.Ordinal);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task Too_many_requests_says_how_long_to_wait()
    {
        // Longer than the pipeline waits by itself (HttpFetchOptions.MaxRetryAfter), so the answer comes back at once.
        await using var server = LoopbackHttpServer.Start(_ => Error(429, "You have exceeded a secondary rate limit",
            new Dictionary<string, string> { ["Retry-After"] = "3600" }));

        var fetched = await FetchAsync(server, Repo, Digest, token: "t");

        Assert.Equal(DiagnosticCode.GitHubRateLimited, fetched.Problem?.Code);
        Assert.Contains("retry after 3600 s", fetched.Problem!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Forbidden_without_a_rate_limit_is_a_permission_problem()
    {
        await using var server = LoopbackHttpServer.Start(_ => Error(403, "Resource not accessible by integration",
            new Dictionary<string, string> { ["x-ratelimit-remaining"] = "4999" }));

        var fetched = await FetchAsync(server, Repo, Digest, token: "t");

        Assert.Equal(DiagnosticCode.GitHubForbidden, fetched.Problem?.Code);
        Assert.Contains("Resource not accessible by integration", fetched.Problem!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_error_is_retried_and_the_answer_after_it_used()
    {
        var calls = 0;
        await using var server = LoopbackHttpServer.Start(_ => Interlocked.Increment(ref calls) == 1 ? Error(500, "Server Error") : Listing([Bundle]));

        var fetched = await FetchAsync(server, Repo, Digest);

        Assert.Null(fetched.Problem);
        Assert.Equal(1, fetched.Count);
        Assert.Equal(2, server.Requests.Count);
    }

    [Fact]
    public async Task One_digest_is_fetched_once_per_source()
    {
        await using var server = LoopbackHttpServer.Start(_ => Listing([Bundle]));
        using var fetcher = Fetcher();
        var source = new GitHubAttestationSource(fetcher, server.BaseUri, token: null);
        var other = ParseDigest("sha256:" + new string('a', 64));

        var first = await source.FetchAsync(Repo, Digest, TestContext.Current.CancellationToken);
        var again = await source.FetchAsync(Repo, Digest, TestContext.Current.CancellationToken);
        await source.FetchAsync(Repo, other, TestContext.Current.CancellationToken);

        Assert.Same(first, again);
        Assert.Equal(2, server.Requests.Count);
        Assert.Equal(RepositoryPath(Repository, other.ToString()), server.Requests[1].Path);
    }

    [Fact]
    public async Task Concurrent_asks_for_one_digest_share_one_fetch()
    {
        using var gate = new ManualResetEventSlim();
        await using var server = LoopbackHttpServer.Start(_ =>
        {
            gate.Wait(TimeSpan.FromSeconds(30));
            return Listing([Bundle]);
        });
        using var fetcher = Fetcher();
        var source = new GitHubAttestationSource(fetcher, server.BaseUri, token: null);

        var asks = Enumerable.Range(0, 4).Select(_ => source.FetchAsync(Repo, Digest, TestContext.Current.CancellationToken)).ToArray();
        gate.Set();
        var fetched = await Task.WhenAll(asks);

        Assert.All(fetched, f => Assert.Same(fetched[0], f));
        Assert.Null(fetched[0].Problem);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task The_token_is_sent_as_a_bearer_header_only_when_set()
    {
        await using var server = LoopbackHttpServer.Start(_ => Listing([Bundle]));

        await FetchAsync(server, Repo, Digest, token: "ghs_example");
        await FetchAsync(server, Repo, Digest, token: null);
        await FetchAsync(server, Repo, Digest, token: "");

        Assert.Equal("Bearer ghs_example", server.Requests[0].Header("Authorization"));
        Assert.Null(server.Requests[1].Header("Authorization"));
        Assert.Null(server.Requests[2].Header("Authorization"));
        Assert.All(server.Requests, r => Assert.Equal("application/vnd.github+json", r.Header("Accept")));
        Assert.DoesNotContain("ghs_example", server.Requests[0].PathAndQuery, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("api/v3")]
    [InlineData("api/v3/")]
    public async Task An_enterprise_api_base_keeps_its_path(string basePath)
    {
        await using var server = LoopbackHttpServer.Start(_ => Listing([Bundle]));
        using var fetcher = Fetcher();
        var source = new GitHubAttestationSource(fetcher, server.Url(basePath), token: null);

        var fetched = await source.FetchAsync(Repo, Digest, TestContext.Current.CancellationToken);

        Assert.Null(fetched.Problem);
        Assert.Equal("/api/v3" + RepositoryPath(Repository, Digest.ToString()), Assert.Single(server.Requests).Path);
    }

    [Fact]
    public async Task An_owner_scope_asks_the_organization_endpoint()
    {
        await using var server = LoopbackHttpServer.Start(_ => Listing([Bundle]));

        var fetched = await FetchAsync(server, GitHubAttestationScope.From(null, "malancas").Scope!, Digest);

        Assert.Null(fetched.Problem);
        Assert.Equal($"/orgs/malancas/attestations/{Digest}", Assert.Single(server.Requests).Path);
    }

    [Fact]
    public async Task Offline_refuses_before_any_request()
    {
        await using var server = LoopbackHttpServer.Start(_ => Listing([Bundle]));
        using var fetcher = new HttpFetcher(new HttpFetchOptions { Offline = true });

        var fetched = await new GitHubAttestationSource(fetcher, server.BaseUri, "t").FetchAsync(Repo, Digest, TestContext.Current.CancellationToken);

        Assert.Equal(DiagnosticCode.NetworkDisabled, fetched.Problem?.Code);
        Assert.Empty(server.Requests);
    }

    [Theory]
    [InlineData("{\"message\":\"ok\"}")]
    [InlineData("[]")]
    [InlineData("{\"attestations\":{}}")]
    [InlineData("not json")]
    public async Task A_body_that_is_not_a_listing_is_refused(string body)
    {
        await using var server = LoopbackHttpServer.Start(_ => LoopbackResponse.Json(body));

        var fetched = await FetchAsync(server, Repo, Digest);

        Assert.Equal(DiagnosticCode.GitHubResponseInvalid, fetched.Problem?.Code);
    }

    [Fact]
    public async Task An_empty_listing_fetches_nothing_to_verify()
    {
        await using var server = LoopbackHttpServer.Start(_ => LoopbackResponse.Json("{\"attestations\":[]}"));

        var fetched = await FetchAsync(server, Repo, Digest);

        Assert.Null(fetched.Problem);
        Assert.Equal(0, fetched.Count);
        Assert.Empty(fetched.Pages);
    }

    [Theory]
    [InlineData("owner/name", null, "repos/owner/name")]
    [InlineData("owner/name.js_x-1", "other", "repos/owner/name.js_x-1")]
    [InlineData(null, "my-org", "orgs/my-org")]
    [InlineData("owner/name/extra", null, null)]
    [InlineData("owner/..", null, null)]
    [InlineData("-owner/name", null, null)]
    [InlineData("owner/na me", null, null)]
    [InlineData("owner/name?x=1", null, null)]
    [InlineData(null, "org/name", null)]
    [InlineData(null, "org%2F..", null)]
    public void Repository_and_owner_names_are_those_GitHub_allows(string? repository, string? owner, string? path)
    {
        var (scope, problem) = GitHubAttestationScope.From(repository, owner);

        Assert.Equal(path, scope?.Path);
        Assert.Equal(path is null ? DiagnosticCode.InvalidOptions : null, problem?.Code);
    }

    [Theory]
    [InlineData("https://api.github.com", true)]
    [InlineData("https://ghe.example/api/v3", true)]
    [InlineData("ftp://api.github.com", false)]
    [InlineData("https://user:pass@api.github.com", false)]
    [InlineData("https://api.github.com/?x=1", false)]
    [InlineData("api.github.com", false)]
    public void Api_urls_are_absolute_http_urls_without_credentials(string text, bool valid)
    {
        var (url, problem) = GitHubAttestationSource.ParseApiUrl(text);
        Assert.Equal(valid, url is not null);
        Assert.Equal(valid, problem is null);
    }

    private static int PageOf(LoopbackRequest request) =>
        request.PathAndQuery.Split("page=") is [_, .., var last] && int.TryParse(last, out var page) ? page : 1;

    private static string Link(LoopbackRequest request, string query) =>
        $"http://127.0.0.1:{request.Header("Host")!.Split(':')[1]}{request.Path}?per_page=100&{query}";

    private static HttpFetcher Fetcher() => new(new HttpFetchOptions { InitialBackoff = TimeSpan.FromMilliseconds(1) });

    private static async Task<GitHubAttestationFetch> FetchAsync(LoopbackHttpServer server, GitHubAttestationScope scope, ArtifactDigest digest, string? token = null)
    {
        using var fetcher = Fetcher();
        return await new GitHubAttestationSource(fetcher, server.BaseUri, token).FetchAsync(scope, digest, TestContext.Current.CancellationToken);
    }

    private static Task<VerificationResult> VerifyAsync(GitHubAttestationFetch fetched) =>
        GitHubAttestationsApi.VerifyAsync(Artifact, fetched.Pages, TestContext.Current.CancellationToken);

    private static ArtifactDigest ParseDigest(string text) =>
        ArtifactDigest.TryParse(text, out var digest, out _) ? digest : throw new ArgumentException(text);
}
