using System.Net;
using Provenance.Http;
using Provenance.Testing;

namespace Provenance.Tests.Http;

/// <summary>
/// <see cref="HttpFetcher.DownloadAsync"/>: a success body is streamed to the destination under the same bounds as
/// <see cref="HttpFetcher.GetAsync"/>, with the request's own size and time limits; a refusal is read for its message.
/// </summary>
public sealed class HttpFetcherDownloadTests
{
    // None of these answers is retried (2xx, 404, and a timeout with one attempt), so the defaults cost no waiting.
    private static readonly HttpFetchOptions OneAttempt = new() { MaxAttempts = 1 };

    [Fact]
    public async Task A_success_body_is_streamed_to_the_destination_and_not_kept()
    {
        var content = Enumerable.Range(0, 300_000).Select(i => (byte)(i % 251)).ToArray();
        await using var server = LoopbackHttpServer.Start(_ => LoopbackResponse.Bytes(content) with { Chunked = true });
        using var fetcher = new HttpFetcher(OneAttempt);
        using var destination = new MemoryStream();

        var response = await fetcher.DownloadAsync(server.Url("/asset"), destination, null, content.Length, TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Body.IsEmpty);
        Assert.Equal(content, destination.ToArray());
    }

    [Fact]
    public async Task A_body_past_the_requests_bound_is_cut_off_while_streaming()
    {
        await using var server = LoopbackHttpServer.Start(_ => LoopbackResponse.Bytes(new byte[5000]) with { Chunked = true });
        using var fetcher = new HttpFetcher(OneAttempt);
        using var destination = new MemoryStream();

        var e = await Assert.ThrowsAsync<HttpFetchException>(() =>
            fetcher.DownloadAsync(server.Url("/asset"), destination, null, 1000, TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));

        Assert.Equal(DiagnosticCode.ResponseTooLarge, e.Problem.Code);
        Assert.True(destination.Length <= 1000 + 64 * 1024, "no more than one read past the bound is written");
    }

    [Fact]
    public async Task The_requests_own_attempt_timeout_cuts_off_a_stalled_body()
    {
        // 100 bytes a second for 5000 bytes would take 50 s; the request allows one second for the attempt.
        await using var server = LoopbackHttpServer.Start(_ => LoopbackResponse.Bytes(new byte[5000]) with { BytesPerSecond = 100 });
        using var fetcher = new HttpFetcher(OneAttempt);
        using var destination = new MemoryStream();

        var e = await Assert.ThrowsAsync<HttpFetchException>(() =>
            fetcher.DownloadAsync(server.Url("/asset"), destination, null, 10_000, TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken));

        Assert.Equal(DiagnosticCode.FetchTimedOut, e.Problem.Code);
    }

    [Fact]
    public async Task A_refusal_is_read_whole_and_nothing_is_written()
    {
        await using var server = LoopbackHttpServer.Start(_ => LoopbackResponse.Text(404, "{\"message\":\"Not Found\"}"));
        using var fetcher = new HttpFetcher(OneAttempt);
        using var destination = new MemoryStream();

        var response = await fetcher.DownloadAsync(server.Url("/asset"), destination, null, 1000, TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("{\"message\":\"Not Found\"}", System.Text.Encoding.UTF8.GetString(response.Body.Span));
        Assert.Equal(0, destination.Length);
    }
}
