using Provenance.Http;

namespace Provenance.Tests.Http;

/// <summary>
/// The in-process memo every source keeps its fetches in: one fetch per key however many ask at once, nothing kept
/// from a fetch that failed or was cancelled, and no more entries than the bound.
/// </summary>
public sealed class FetchCacheTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Concurrent_callers_for_one_key_share_one_fetch()
    {
        var cache = new FetchCache<string, string>();
        var gate = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var fetches = 0;
        Task<string> Fetch(string key, CancellationToken ct)
        {
            Interlocked.Increment(ref fetches);
            return gate.Task.WaitAsync(ct);
        }

        // Each call joins before the gate opens: the fetch cannot finish before all eight have asked.
        var callers = Enumerable.Range(0, 8).Select(_ => cache.GetOrFetchAsync("sha256:aa", Fetch, Token)).ToArray();
        Assert.Equal(1, fetches);

        gate.SetResult("blob");
        var answers = await Task.WhenAll(callers);

        Assert.All(answers, a => Assert.Equal("blob", a));
        Assert.Equal(1, fetches);
        Assert.Equal("blob", await cache.GetOrFetchAsync("sha256:aa", (_, _) => throw new InvalidOperationException("kept answers are not fetched"), Token));
    }

    [Fact]
    public async Task A_failed_fetch_is_not_kept_and_the_next_caller_fetches_again()
    {
        var cache = new FetchCache<string, string>();
        var fetches = 0;

        await Assert.ThrowsAsync<HttpFetchException>(() => cache.GetOrFetchAsync("sha256:aa", (_, _) =>
        {
            fetches++;
            throw new HttpFetchException(new Problem(DiagnosticCode.FetchFailed, "the server answered 503"));
        }, Token));
        Assert.Equal(0, cache.Count);

        var answer = await cache.GetOrFetchAsync("sha256:aa", (_, _) => Task.FromResult("blob" + ++fetches), Token);

        Assert.Equal("blob2", answer);
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public async Task A_cancelled_fetch_is_not_kept_and_a_caller_waiting_on_it_fetches_for_itself()
    {
        var cache = new FetchCache<string, string>();
        using var first = CancellationTokenSource.CreateLinkedTokenSource(Token);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var fetches = 0;
        async Task<string> Fetch(string key, CancellationToken ct)
        {
            if (Interlocked.Increment(ref fetches) == 1)
            {
                started.SetResult();
                await Task.Delay(Timeout.Infinite, ct);
            }

            return "blob";
        }

        var cancelled = cache.GetOrFetchAsync("sha256:aa", Fetch, first.Token);
        await started.Task;
        var waiting = cache.GetOrFetchAsync("sha256:aa", Fetch, Token);
        await first.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.Equal("blob", await waiting);
        Assert.Equal(2, fetches);
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public async Task Past_the_bound_answers_are_fetched_but_not_kept()
    {
        var cache = new FetchCache<string, string>(capacity: 2);
        var fetches = new Dictionary<string, int>();
        Task<string> Fetch(string key, CancellationToken ct)
        {
            fetches[key] = fetches.GetValueOrDefault(key) + 1;
            return Task.FromResult(key.ToUpperInvariant());
        }

        foreach (var key in new[] { "a", "b", "c", "a", "b", "c" })
        {
            Assert.Equal(key.ToUpperInvariant(), await cache.GetOrFetchAsync(key, Fetch, Token));
        }

        Assert.Equal(2, cache.Count);
        Assert.Equal(1, fetches["a"]);
        Assert.Equal(1, fetches["b"]);
        Assert.Equal(2, fetches["c"]);
    }
}
