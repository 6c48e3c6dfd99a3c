using System.Net;
using System.Text;
using Provenance.Http;
using Provenance.Testing;

namespace Provenance.Tests.Http;

public sealed class HttpPostTests
{
    private static readonly HttpFetchOptions Fast = new()
    {
        InitialBackoff = TimeSpan.FromMilliseconds(5),
        AttemptTimeout = TimeSpan.FromSeconds(10),
    };

    private static readonly byte[] Query = Encoding.UTF8.GetBytes("{\"hash\":\"sha256:00\"}");

    [Fact]
    public async Task A_post_sends_its_json_body_and_reads_the_answer()
    {
        await using var server = LoopbackHttpServer.Start(request => LoopbackResponse.Json("[\"" + request.Method + "\"]"));
        using var fetcher = new HttpFetcher(Fast);

        var response = await fetcher.PostJsonAsync(server.Url("/api/v1/index/retrieve"), Query, idempotent: true,
            cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal("[\"POST\"]", Encoding.UTF8.GetString(response.Body.Span));
        var request = Assert.Single(server.Requests);
        Assert.Equal(Query, request.Body);
        Assert.StartsWith("application/json", request.Header("Content-Type"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_idempotent_post_is_retried_with_the_same_body()
    {
        var calls = 0;
        await using var server = LoopbackHttpServer.Start(_ =>
            Interlocked.Increment(ref calls) < 3 ? LoopbackResponse.Text(503, "busy") : LoopbackResponse.Json("[]"));
        using var fetcher = new HttpFetcher(Fast);

        var response = await fetcher.PostJsonAsync(server.Url("/search"), Query, idempotent: true, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(3, server.Requests.Count);
        Assert.All(server.Requests, r => Assert.Equal(Query, r.Body));
    }

    [Fact]
    public async Task A_post_not_marked_idempotent_is_sent_once()
    {
        await using var server = LoopbackHttpServer.Start(_ => LoopbackResponse.Text(503, "busy"));
        using var fetcher = new HttpFetcher(Fast);

        var response = await fetcher.PostJsonAsync(server.Url("/create"), Query, idempotent: false, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task A_post_answer_over_the_limit_is_refused()
    {
        await using var server = LoopbackHttpServer.Start(_ => new LoopbackResponse(200, new byte[10_000]) { Chunked = true });
        using var fetcher = new HttpFetcher(Fast);

        var e = await Assert.ThrowsAsync<HttpFetchException>(() => fetcher.PostJsonAsync(server.Url("/big"), Query, idempotent: true,
            maxResponseBytes: 4096, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal(DiagnosticCode.ResponseTooLarge, e.Problem.Code);
    }

    [Fact]
    public async Task A_post_offline_is_refused_before_any_connection()
    {
        await using var server = LoopbackHttpServer.Start(_ => LoopbackResponse.Json("[]"));
        using var fetcher = new HttpFetcher(Fast with { Offline = true });

        var e = await Assert.ThrowsAsync<HttpFetchException>(() =>
            fetcher.PostJsonAsync(server.Url("/x"), Query, idempotent: true, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal(DiagnosticCode.NetworkDisabled, e.Problem.Code);
        Assert.Empty(server.Requests);
    }

    [Theory]
    [InlineData(302, 1)]
    [InlineData(307, 2)]
    public async Task A_post_follows_only_redirects_that_keep_its_method_and_body(int status, int requests)
    {
        await using var server = LoopbackHttpServer.Start(request => request.Path == "/moved"
            ? LoopbackResponse.Json("[]")
            : new LoopbackResponse(status, [], new Dictionary<string, string> { ["Location"] = "/moved" }));
        using var fetcher = new HttpFetcher(Fast);

        var response = await fetcher.PostJsonAsync(server.Url("/search"), Query, idempotent: true, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(requests, server.Requests.Count);
        Assert.Equal(status == 307 ? HttpStatusCode.OK : (HttpStatusCode)status, response.StatusCode);
        Assert.All(server.Requests, r => Assert.Equal(Query, r.Body));
    }
}
