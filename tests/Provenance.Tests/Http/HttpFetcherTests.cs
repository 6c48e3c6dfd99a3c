using System.Collections.Immutable;
using System.Net;
using Provenance.Http;
using Provenance.Testing;

namespace Provenance.Tests.Http;

public sealed class HttpFetcherTests
{
    private static readonly HttpFetchOptions Fast = new()
    {
        InitialBackoff = TimeSpan.FromMilliseconds(5),
        AttemptTimeout = TimeSpan.FromSeconds(10),
    };

    [Fact]
    public async Task A_server_error_is_retried_until_it_succeeds()
    {
        var calls = 0;
        await using var server = LoopbackHttpServer.Start(_ =>
            Interlocked.Increment(ref calls) < 3 ? LoopbackResponse.Text(503, "busy") : LoopbackResponse.Json("{\"ok\":true}"));
        using var fetcher = new HttpFetcher(Fast);

        var response = await fetcher.GetAsync(server.Url("/thing"), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("{\"ok\":true}", System.Text.Encoding.UTF8.GetString(response.Body.Span));
        Assert.Equal(3, server.Requests.Count);
    }

    [Fact]
    public async Task A_server_that_keeps_failing_gives_its_last_answer_after_the_allowed_attempts()
    {
        await using var server = LoopbackHttpServer.Start(_ => LoopbackResponse.Text(500, "down"));
        using var fetcher = new HttpFetcher(Fast with { MaxAttempts = 3 });

        var response = await fetcher.GetAsync(server.Url("/x"), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal(3, server.Requests.Count);
    }

    [Fact]
    public async Task A_client_error_is_not_retried()
    {
        await using var server = LoopbackHttpServer.Start(_ => LoopbackResponse.Text(404, "{\"message\":\"Not Found\"}"));
        using var fetcher = new HttpFetcher(Fast);

        var response = await fetcher.GetAsync(server.Url("/missing"), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task A_retry_after_longer_than_allowed_returns_at_once_so_the_caller_can_say_when()
    {
        await using var server = LoopbackHttpServer.Start(_ =>
            new LoopbackResponse(429, [], new Dictionary<string, string> { ["Retry-After"] = "3600" }));
        using var fetcher = new HttpFetcher(Fast);

        var response = await fetcher.GetAsync(server.Url("/limited"), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal("3600", response.Header("retry-after"));
        Assert.Single(server.Requests);
    }

    [Theory]
    [InlineData(-10, 2)]
    [InlineData(3600, 1)]
    public async Task A_retry_after_date_is_read_against_the_given_clock(int secondsAfterNow, int expectedRequests)
    {
        // The server's clock says 2030; only the fetcher's clock decides how far away its date is.
        var now = new DateTimeOffset(2030, 1, 1, 12, 0, 0, TimeSpan.Zero);
        var retryAt = now.AddSeconds(secondsAfterNow).ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        var calls = 0;
        await using var server = LoopbackHttpServer.Start(_ => Interlocked.Increment(ref calls) == 1
            ? new LoopbackResponse(503, [], new Dictionary<string, string> { ["Retry-After"] = retryAt })
            : LoopbackResponse.Json("{}"));
        using var fetcher = new HttpFetcher(Fast with { TimeProvider = new FixedTimeProvider(now) });

        await fetcher.GetAsync(server.Url("/x"), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(expectedRequests, server.Requests.Count);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_body_over_the_limit_is_refused_whether_or_not_its_length_is_announced(bool chunked)
    {
        await using var server = LoopbackHttpServer.Start(_ => new LoopbackResponse(200, new byte[10_000]) { Chunked = chunked });
        using var fetcher = new HttpFetcher(Fast);

        var e = await Assert.ThrowsAsync<HttpFetchException>(() =>
            fetcher.GetAsync(server.Url("/big"), maxResponseBytes: 4096, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal(DiagnosticCode.ResponseTooLarge, e.Problem.Code);
        Assert.Contains("127.0.0.1", e.Problem.Location, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_body_that_trickles_past_the_attempt_timeout_is_cut_off()
    {
        await using var server = LoopbackHttpServer.Start(_ => new LoopbackResponse(200, new byte[4000]) { BytesPerSecond = 100 });
        using var fetcher = new HttpFetcher(Fast with { AttemptTimeout = TimeSpan.FromMilliseconds(500), MaxAttempts = 1 });

        var e = await Assert.ThrowsAsync<HttpFetchException>(() =>
            fetcher.GetAsync(server.Url("/slow"), cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal(DiagnosticCode.FetchTimedOut, e.Problem.Code);
    }

    [Fact]
    public async Task Offline_refuses_before_any_connection()
    {
        await using var server = LoopbackHttpServer.Start(_ => LoopbackResponse.Json("{}"));
        using var fetcher = new HttpFetcher(Fast with { Offline = true });

        var e = await Assert.ThrowsAsync<HttpFetchException>(() =>
            fetcher.GetAsync(server.Url("/x"), cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal(DiagnosticCode.NetworkDisabled, e.Problem.Code);
        Assert.Empty(server.Requests);
    }

    [Theory]
    [InlineData("http://example.com/attestations")]
    [InlineData("ftp://example.com/x")]
    public async Task Plain_http_to_a_remote_host_and_other_schemes_are_refused_before_any_connection(string url)
    {
        using var fetcher = new HttpFetcher(Fast);

        var e = await Assert.ThrowsAsync<HttpFetchException>(() =>
            fetcher.GetAsync(new Uri(url), cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal(DiagnosticCode.InsecureTransport, e.Problem.Code);
    }

    [Fact]
    public async Task A_redirect_to_another_host_does_not_carry_the_token()
    {
        await using var target = LoopbackHttpServer.Start(_ => LoopbackResponse.Json("{}"));
        await using var origin = LoopbackHttpServer.Start(request => request.Path == "/same"
            ? new LoopbackResponse(302, [], new Dictionary<string, string> { ["Location"] = "/final" })
            : request.Path == "/final"
                ? LoopbackResponse.Json("{}")
                : new LoopbackResponse(302, [], new Dictionary<string, string> { ["Location"] = target.Url("/elsewhere").ToString() }));
        using var fetcher = new HttpFetcher(Fast);
        var token = new[] { KeyValuePair.Create("Authorization", "Bearer secret") };

        var moved = await fetcher.GetAsync(origin.Url("/away"), token, cancellationToken: TestContext.Current.CancellationToken);
        var stayed = await fetcher.GetAsync(origin.Url("/same"), token, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(target.Url("/elsewhere"), moved.Uri);
        Assert.Null(Assert.Single(target.Requests).Header("Authorization"));
        Assert.Equal(origin.Url("/final"), stayed.Uri);
        Assert.Equal("Bearer secret", origin.Requests.Single(r => r.Path == "/final").Header("Authorization"));
    }

    [Theory]
    [InlineData("<https://api.example/p?page=2>; rel=\"next\"", "https://api.example/p?page=2")]
    [InlineData("<https://api.example/p?page=1>; rel=\"prev\", </p?page=3>; rel=\"next last\"", "https://api.example/p?page=3")]
    [InlineData("</v2/r/referrers/sha256:ab?n=2>; rel=next", "https://api.example/v2/r/referrers/sha256:ab?n=2")]
    [InlineData("<https://api.example/p?page=1>; rel=\"prev\"", null)]
    [InlineData("", null)]
    public void The_next_link_is_read_among_other_relations_and_resolved_against_the_page(string link, string? expected)
    {
        var headers = ImmutableDictionary.Create<string, string>(StringComparer.OrdinalIgnoreCase).Add("Link", link);
        var response = new HttpFetchResponse(HttpStatusCode.OK, Array.Empty<byte>(), headers, new Uri("https://api.example/p?page=1"));

        Assert.Equal(expected is null ? null : new Uri(expected), response.NextLink());
    }

    [Fact]
    public async Task Every_request_names_the_tool()
    {
        await using var server = LoopbackHttpServer.Start(_ => LoopbackResponse.Json("{}"));
        using var fetcher = new HttpFetcher(Fast);

        await fetcher.GetAsync(server.Url("/x"), cancellationToken: TestContext.Current.CancellationToken);

        Assert.StartsWith("provenance/", Assert.Single(server.Requests).Header("User-Agent"), StringComparison.Ordinal);
    }
}
