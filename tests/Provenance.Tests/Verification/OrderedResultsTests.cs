using Provenance.Verification;

namespace Provenance.Tests.Verification;

/// <summary><see cref="OrderedResults{T}"/>: parallel work handed out in order, in bounded memory, failing and stopping cleanly.</summary>
public sealed class OrderedResultsTests
{
    private static async Task<List<T>> ReadAllAsync<T>(IAsyncEnumerable<T> items)
    {
        var all = new List<T>();
        await foreach (var item in items)
        {
            all.Add(item);
        }

        return all;
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(1, 4)]
    [InlineData(200, 1)]
    [InlineData(200, 4)]
    public async Task Results_come_in_index_order_whatever_order_they_finish_in(int count, int parallelism)
    {
        var token = TestContext.Current.CancellationToken;
        var results = new OrderedResults<int>(count, parallelism).RunAsync(async (i, ct) =>
        {
            // Later indices often finish first.
            await Task.Delay((count - i) % 4, ct);
            return i * 2;
        }, token);

        Assert.Equal(Enumerable.Range(0, count).Select(i => i * 2), await ReadAllAsync(results));
    }

    [Fact]
    public async Task Workers_never_run_more_than_a_window_ahead_of_a_slow_reader()
    {
        const int Count = 300;
        const int Parallelism = 2;
        var started = 0;
        var furthestAhead = 0;
        var read = 0;
        await foreach (var _ in new OrderedResults<int>(Count, Parallelism).RunAsync((i, _) =>
        {
            Interlocked.Increment(ref started);
            return ValueTask.FromResult(i);
        }, TestContext.Current.CancellationToken))
        {
            read++;
            await Task.Delay(1, TestContext.Current.CancellationToken);
            furthestAhead = Math.Max(furthestAhead, Volatile.Read(ref started) - read);
        }

        Assert.Equal(Count, read);
        // The workers did run ahead (the reader is slow), but never further than the window of 16 per thread.
        Assert.InRange(furthestAhead, 1, Parallelism * 16);
    }

    [Fact]
    public async Task A_failure_reaches_the_reader_after_every_result_before_it()
    {
        var read = new List<int>();
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await foreach (var item in new OrderedResults<int>(100, 4).RunAsync(async (i, ct) =>
            {
                await Task.Yield();
                return i == 50 ? throw new InvalidOperationException("item 50 failed") : i;
            }, TestContext.Current.CancellationToken))
            {
                read.Add(item);
            }
        });

        // The failure itself, not the cancellation of the other workers that it caused.
        Assert.Equal("item 50 failed", failure.Message);
        Assert.Equal(Enumerable.Range(0, 50), read);
    }

    [Fact]
    public async Task A_reader_that_stops_early_stops_the_work()
    {
        var started = 0;
        await foreach (var item in new OrderedResults<int>(100_000, 2).RunAsync(async (i, ct) =>
        {
            Interlocked.Increment(ref started);
            await Task.Yield();
            return i;
        }, TestContext.Current.CancellationToken))
        {
            if (item == 4)
            {
                break;
            }
        }

        var afterStop = Volatile.Read(ref started);
        await Task.Delay(50, TestContext.Current.CancellationToken);

        Assert.Equal(afterStop, Volatile.Read(ref started));
        Assert.InRange(afterStop, 5, 5 + (2 * 16));
    }

    [Fact]
    public async Task Cancelling_the_token_stops_the_reader()
    {
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var read = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in new OrderedResults<int>(100_000, 2).RunAsync(async (i, ct) =>
            {
                await Task.Yield();
                return i;
            }, cancellation.Token))
            {
                if (++read == 10)
                {
                    await cancellation.CancelAsync();
                }
            }
        });

        // Not one more, although more were done: the window could hold 32 finished results when the cancel came.
        Assert.Equal(10, read);
    }
}
