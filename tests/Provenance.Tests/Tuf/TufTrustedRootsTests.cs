using System.Text;
using Provenance.Http;
using Provenance.Sigstore;
using Provenance.Testing;
using Provenance.Tuf;

namespace Provenance.Tests.Tuf;

/// <summary>
/// Choosing the trusted root for a verification: a stale cache is used with a warning, a failed update falls back to
/// the last verified root only while it has not expired, and never to nothing.
/// </summary>
public sealed class TufTrustedRootsTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly VirtualSigstore _sigstore = new();
    private readonly TestTufRepository _repository = new(Now);
    private readonly TempDirectory _cache = new();

    public TufTrustedRootsTests()
    {
        _repository.Targets[TufRepositories.TrustedRootTarget] = Encoding.UTF8.GetBytes(_sigstore.TrustedRootJson);
        _repository.Publish();
    }

    public void Dispose()
    {
        _sigstore.Dispose();
        _repository.Dispose();
        _cache.Dispose();
    }

    [Fact]
    public async Task A_cache_older_than_a_week_is_used_with_a_warning()
    {
        await using var server = _repository.Serve();
        Assert.NotNull((await ResolveAsync(server, Now, update: true)).Root);

        var stale = await ResolveAsync(server, Now.AddDays(8), update: false);

        Assert.NotNull(stale.Root);
        Assert.NotSame(TrustedRoot.PublicGood, stale.Root);
        Assert.Contains(stale.Warnings, w => w.Contains("8 days ago", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_failed_update_with_an_expired_last_root_stops_with_its_code()
    {
        var failing = false;
        await using var server = LoopbackHttpServer.Start(request => failing
            ? LoopbackResponse.Text(404)
            : _repository.Files.TryGetValue(request.Path.TrimStart('/'), out var response) ? response : LoopbackResponse.Text(404));
        Assert.NotNull((await ResolveAsync(server, Now, update: true)).Root);
        failing = true;

        var later = await ResolveAsync(server, Now.AddDays(40), update: true, embeddedFallback: true);

        Assert.Null(later.Root);
        Assert.Equal(DiagnosticCode.TufTrustExpired, later.Problem?.Code);
        Assert.Contains(later.Warnings, w => w.Contains("could not be updated", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_expired_cache_without_an_update_falls_back_to_the_embedded_root_and_says_so()
    {
        await using var server = _repository.Serve();
        Assert.NotNull((await ResolveAsync(server, Now, update: true)).Root);

        var later = await ResolveAsync(server, Now.AddDays(40), update: false, embeddedFallback: true);

        Assert.Same(TrustedRoot.PublicGood, later.Root);
        Assert.Contains(later.Warnings, w => w.Contains(DiagnosticCode.TufTrustExpired.Format(), StringComparison.Ordinal) || w.Contains("expired", StringComparison.Ordinal));
    }

    private async Task<TrustedRootChoice> ResolveAsync(LoopbackHttpServer server, DateTimeOffset now, bool update, bool embeddedFallback = false)
    {
        using var fetcher = new HttpFetcher(new HttpFetchOptions { MaxAttempts = 1 });
        return await TufTrustedRoots.ResolveAsync(new TrustedRootRequest
        {
            Repository = new TufRepository("test", server.BaseUri, _repository.InitialRoot),
            CacheRoot = _cache.Root,
            Update = update,
            EmbeddedFallback = embeddedFallback,
            Fetcher = fetcher,
            TimeProvider = new FixedTimeProvider(now),
        }, TestContext.Current.CancellationToken);
    }
}
