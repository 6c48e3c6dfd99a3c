namespace Provenance.Http;

/// <summary>
/// An in-process memo of fetches, for one client instance (one invocation): concurrent callers asking for one key
/// share one fetch, and later callers get its answer without asking the server again. A key must name content that
/// cannot change — a digest, or the exact request for it (endpoint and digest) — never a mutable name such as a tag,
/// which must be resolved anew every time. A fetch that fails or is cancelled is not kept, so the next caller tries
/// again. At most <see cref="Limits.MaxFetchCacheEntries"/> answers (or the bound given) are kept; past it, fetches
/// are made and not kept. Nothing is written to disk.
/// </summary>
public sealed class FetchCache<TKey, TValue>
    where TKey : notnull
{
    private readonly Dictionary<TKey, Task<TValue>> _entries;
    private readonly Lock _lock = new();
    private readonly int _capacity;

    /// <summary>A cache keeping at most <paramref name="capacity"/> answers.</summary>
    public FetchCache(int capacity = Limits.MaxFetchCacheEntries, IEqualityComparer<TKey>? comparer = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        _capacity = capacity;
        _entries = new Dictionary<TKey, Task<TValue>>(comparer);
    }

    /// <summary>Answers kept or being fetched.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>
    /// The answer for <paramref name="key"/>: the one kept, the one being fetched by another caller, or the one
    /// <paramref name="fetch"/> gives now.
    /// </summary>
    public async Task<TValue> GetOrFetchAsync(TKey key, Func<TKey, CancellationToken, Task<TValue>> fetch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(fetch);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Task<TValue>? shared;
            TaskCompletionSource<TValue>? owned = null;
            lock (_lock)
            {
                if (!_entries.TryGetValue(key, out shared) && _entries.Count < _capacity)
                {
                    owned = new TaskCompletionSource<TValue>(TaskCreationOptions.RunContinuationsAsynchronously);
                    _entries.Add(key, owned.Task);
                }
            }

            if (owned is not null)
            {
                return await FetchAndKeepAsync(key, owned, fetch, cancellationToken).ConfigureAwait(false);
            }

            if (shared is null)
            {
                return await fetch(key, cancellationToken).ConfigureAwait(false);
            }

            try
            {
                return await shared.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // The caller who started that fetch cancelled it, not this one: its entry is gone, so fetch anew.
            }
        }
    }

    private async Task<TValue> FetchAndKeepAsync(
        TKey key, TaskCompletionSource<TValue> owned, Func<TKey, CancellationToken, Task<TValue>> fetch, CancellationToken cancellationToken)
    {
        TValue value;
        try
        {
            value = await fetch(key, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            lock (_lock)
            {
                _entries.Remove(key);
            }

            if (e is OperationCanceledException cancelled)
            {
                owned.SetCanceled(cancelled.CancellationToken);
            }
            else
            {
                owned.SetException(e);

                // Observed here: the fetching caller gets the exception itself, waiters (if any) get it too.
                _ = owned.Task.Exception;
            }

            throw;
        }

        owned.SetResult(value);
        return value;
    }
}
