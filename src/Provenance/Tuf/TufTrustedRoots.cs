using System.Collections.Immutable;
using System.Globalization;
using Provenance.Http;
using Provenance.Sigstore;

namespace Provenance.Tuf;

/// <summary>What <see cref="TufTrustedRoots.ResolveAsync"/> asks for.</summary>
public sealed record TrustedRootRequest
{
    /// <summary>The repository whose trusted_root.json to use.</summary>
    public required TufRepository Repository { get; init; }

    /// <summary>The folder of every repository's cache (<see cref="TufRepositories.CacheRoot"/>).</summary>
    public required string CacheRoot { get; init; }

    /// <summary>Refresh from the repository first; false uses only the cache (and the embedded root).</summary>
    public bool Update { get; init; }

    /// <summary>
    /// Use the trusted root embedded in this build when nothing usable is cached and no update was asked for (only
    /// for the public-good repository, whose root this build embeds).
    /// </summary>
    public bool EmbeddedFallback { get; init; }

    /// <summary>The caller's HTTP client for an update (required when <see cref="Update"/> is set): the library opens no connection of its own.</summary>
    public HttpFetcher? Fetcher { get; init; }

    /// <summary>The trusted clock.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}

/// <summary>The trusted root to verify with, where it came from, and what the user should know about it.</summary>
/// <param name="Root">The root, or null when none can be trusted (see <paramref name="Problem"/>).</param>
/// <param name="Source">Where it came from, for people.</param>
/// <param name="State">The TUF metadata that vouched for it; null for the embedded root.</param>
/// <param name="Warnings">Things that did not stop verification but that a user must hear (stale cache, failed update).</param>
/// <param name="Problem">Why there is no root.</param>
public sealed record TrustedRootChoice(TrustedRoot? Root, string Source, TufTrustState? State, ImmutableArray<string> Warnings, Problem? Problem);

/// <summary>
/// Chooses the Sigstore trusted root for a verification: refreshed through TUF when asked, else the last one an
/// update verified and cached, else the one embedded in this build. It never fails open: a failed update falls back
/// only to a cached root that has not expired, and says so.
/// </summary>
public static class TufTrustedRoots
{
    /// <summary>A cached root older than this earns a warning: Sigstore adds and rotates keys more often.</summary>
    public static readonly TimeSpan StaleAfter = TimeSpan.FromDays(7);

    /// <summary>Resolves the trusted root as <paramref name="request"/> says.</summary>
    public static async Task<TrustedRootChoice> ResolveAsync(TrustedRootRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var warnings = ImmutableArray.CreateBuilder<string>();
        var options = new TufClientOptions
        {
            RepositoryUrl = request.Repository.Url,
            InitialRoot = request.Repository.InitialRoot,
            CacheDirectory = TufRepositories.CacheDirectory(request.CacheRoot, request.Repository.Url),
            TimeProvider = request.TimeProvider,
        };
        var now = request.TimeProvider.GetUtcNow();
        Problem? updateProblem = null;
        if (request.Update)
        {
            var fetcher = request.Fetcher
                ?? throw new ArgumentException("An update needs the caller's HTTP client (Fetcher).", nameof(request));
            var updated = await new TufClient(options, fetcher).UpdateAsync(TufRepositories.TrustedRootTarget, cancellationToken).ConfigureAwait(false);
            if (updated.Target is { } target)
            {
                return Parsed(target, $"TUF repository {request.Repository.Url} (updated now)", warnings);
            }

            updateProblem = updated.Problem!;
            warnings.Add($"the trusted root could not be updated from {request.Repository.Url}: {updateProblem}");
        }

        var cached = new TufClient(options, fetcher: null).LoadCached(TufRepositories.TrustedRootTarget);
        if (cached.Target is { } cachedTarget)
        {
            if (cachedTarget.State.IsExpired(now))
            {
                var expired = new Problem(DiagnosticCode.TufTrustExpired, string.Create(CultureInfo.InvariantCulture,
                    $"the last verified trusted root of {request.Repository.Url} expired (root metadata {cachedTarget.State.RootExpires:yyyy-MM-dd}, targets {cachedTarget.State.TargetsExpires:yyyy-MM-dd}); run 'provenance trusted-root update' with the network on"),
                    options.CacheDirectory);
                if (updateProblem is not null || !request.EmbeddedFallback)
                {
                    return new TrustedRootChoice(null, "", null, warnings.ToImmutable(), expired);
                }

                warnings.Add(expired.Message + "; using the trusted root embedded in this build instead");
            }
            else
            {
                var age = cachedTarget.State.UpdatedAt is { } at ? now - at : (TimeSpan?)null;
                if (age is null || age > StaleAfter)
                {
                    warnings.Add(string.Create(CultureInfo.InvariantCulture,
                        $"the cached trusted root of {request.Repository.Url} was last updated {(age is { } a ? $"{a.TotalDays:0} days ago" : "at an unknown time")}; run 'provenance trusted-root update' to refresh it"));
                }

                var source = updateProblem is null
                    ? $"TUF cache of {request.Repository.Url}"
                    : $"TUF cache of {request.Repository.Url} (last verified root; the update failed)";
                return Parsed(cachedTarget, source, warnings);
            }
        }
        else if (cached.Problem is { Code: not DiagnosticCode.TufNothingCached } cacheProblem)
        {
            warnings.Add($"the TUF cache of {request.Repository.Url} is not usable: {cacheProblem}");
        }

        if (updateProblem is not null)
        {
            // No last verified root to fall back on: the update's failure is the answer.
            return new TrustedRootChoice(null, "", null, warnings.ToImmutable(), updateProblem);
        }

        if (request.EmbeddedFallback)
        {
            return new TrustedRootChoice(TrustedRoot.PublicGood, "embedded public-good trusted root (pinned in this build)", null, warnings.ToImmutable(), null);
        }

        return new TrustedRootChoice(null, "", null, warnings.ToImmutable(), cached.Problem);
    }

    private static TrustedRootChoice Parsed(TufTarget target, string source, ImmutableArray<string>.Builder warnings)
    {
        if (TrustedRoot.TryParse(target.Content, out var root, out var problem))
        {
            return new TrustedRootChoice(root, source, target.State, warnings.ToImmutable(), null);
        }

        return new TrustedRootChoice(null, source, target.State, warnings.ToImmutable(),
            new Problem(DiagnosticCode.InvalidTrustedRoot, "the repository's trusted_root.json is signed but not a trusted root this verifier reads: " + problem!.Message, target.Name));
    }
}
