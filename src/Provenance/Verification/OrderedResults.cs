namespace Provenance.Verification;

/// <summary>
/// Runs a body for 0 to count - 1 on several threads and hands the results out in index order, each as soon as it
/// and every one before it are done. At most a window of results is in flight or waiting, so memory stays the same
/// whatever the count: a slow item holds up the window, never the whole run.
/// </summary>
internal sealed class OrderedResults<T>(int count, int parallelism)
{
    /// <summary>Results that may wait for an earlier one, per thread: enough that one slow item does not idle the others.</summary>
    private const int WindowPerThread = 16;

    public async IAsyncEnumerable<T> RunAsync(
        Func<int, CancellationToken, ValueTask<T>> body,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var window = Math.Min(count, parallelism * WindowPerThread);
        if (window == 0)
        {
            yield break;
        }

        var slots = new TaskCompletionSource<T>[window];
        for (var i = 0; i < window; i++)
        {
            slots[i] = NewSlot();
        }

        // A permit is taken before an index is handed out, and indices are handed out in order: the index the reader
        // waits for has always been handed out, so the window cannot stall.
        using var permits = new SemaphoreSlim(window);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var workers = Parallel.ForEachAsync(
            Indices(permits, stop.Token),
            new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = stop.Token },
            async (i, token) =>
            {
                var slot = slots[i % window];
                try
                {
                    slot.SetResult(await body(i, token).ConfigureAwait(false));
                }
                catch (Exception e)
                {
                    slot.SetException(e);
                    throw;
                }
            });

        try
        {
            for (var i = 0; i < count; i++)
            {
                // Results already done would otherwise still be handed out after a cancel, up to a window of them.
                cancellationToken.ThrowIfCancellationRequested();
                var slot = slots[i % window];
                await Task.WhenAny(slot.Task, workers).ConfigureAwait(false);
                if (!slot.Task.IsCompletedSuccessfully)
                {
                    // The workers stopped (cancelled, or one failed and the others were cancelled) before this index was
                    // done: the first failure is the answer, not the cancellation it caused here.
                    await workers.ConfigureAwait(false);
                    await slot.Task.ConfigureAwait(false);
                }

                var result = slot.Task.Result;
                slots[i % window] = NewSlot();
                permits.Release();
                yield return result;
            }
        }
        finally
        {
            // A reader that stops early stops the work still running; its outcome no longer matters.
            await stop.CancelAsync().ConfigureAwait(false);
            try
            {
                await workers.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }

        async IAsyncEnumerable<int> Indices(SemaphoreSlim permits, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken token)
        {
            for (var i = 0; i < count; i++)
            {
                await permits.WaitAsync(token).ConfigureAwait(false);
                yield return i;
            }
        }
    }

    private static TaskCompletionSource<T> NewSlot() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
