using System.Collections.Immutable;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Provenance.Http;
using Provenance.Json;

namespace Provenance.Tuf;

/// <summary>How a <see cref="TufClient"/> reaches one repository and where it keeps what it verified.</summary>
public sealed record TufClientOptions
{
    /// <summary>The repository's base URL: metadata lives at <c>URL/N.root.json</c>, targets below <c>URL/targets/</c>.</summary>
    public required Uri RepositoryUrl { get; init; }

    /// <summary>The root.json trusted out of band (shipped with the program, or given by the user): where trust starts.</summary>
    public required ReadOnlyMemory<byte> InitialRoot { get; init; }

    /// <summary>This repository's own cache directory (see <see cref="TufRepositories.CacheDirectory"/>).</summary>
    public required string CacheDirectory { get; init; }

    /// <summary>The trusted clock expiry is checked against (section 5.1: the time the update started).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}

/// <summary>What a TUF repository's metadata says, as last verified: versions and expiries of each top-level role.</summary>
/// <param name="Repository">The repository URL.</param>
/// <param name="RootVersion">The trusted root's version.</param>
/// <param name="RootExpires">When the trusted root expires.</param>
/// <param name="TimestampExpires">When the timestamp expires (it is re-signed often: expiry here means "not fresh").</param>
/// <param name="SnapshotExpires">When the snapshot expires.</param>
/// <param name="TargetsVersion">The top-level targets version.</param>
/// <param name="TargetsExpires">When the top-level targets expires.</param>
/// <param name="UpdatedAt">When an update last verified all of this against the repository, if the cache says.</param>
public sealed record TufTrustState(
    Uri Repository, long RootVersion, DateTimeOffset RootExpires, DateTimeOffset TimestampExpires, DateTimeOffset SnapshotExpires,
    long TargetsVersion, DateTimeOffset TargetsExpires, DateTimeOffset? UpdatedAt)
{
    /// <summary>
    /// True when the root or the targets role that signed the target has expired: then nothing it says may be trusted.
    /// The timestamp and snapshot expire within days by design; they decide freshness during an update only.
    /// </summary>
    public bool IsExpired(DateTimeOffset now) => RootExpires <= now || TargetsExpires <= now;
}

/// <summary>A target file verified through TUF, with the state of the metadata that vouched for it.</summary>
public sealed record TufTarget(string Name, ReadOnlyMemory<byte> Content, TufTrustState State);

/// <summary>The outcome of a TUF operation: a verified target, or the problem that stopped it.</summary>
public sealed record TufResult(TufTarget? Target, Problem? Problem)
{
    /// <summary>True when <see cref="Target"/> was verified.</summary>
    public bool Succeeded => Target is not null;
}

/// <summary>
/// A TUF 1.0 client (The Update Framework specification, section 5 "Detailed client workflow") for one repository.
/// <see cref="UpdateAsync"/> refreshes the metadata over the network and fetches a target; <see cref="LoadCached"/>
/// verifies what an earlier update cached without any network. Each fetch goes through the shared HTTP pipeline,
/// bounded in size (<see cref="Limits"/>, or the length the signed metadata gives) and in time.
/// </summary>
public sealed class TufClient
{
    private const string RootFile = "root.json";
    private const string TimestampFile = "timestamp.json";
    private const string SnapshotFile = "snapshot.json";
    private const string TargetsFile = "targets.json";
    // Names no role's file can take: delegated roles live in their own folder, and this name has a space, which escapes.
    private const string StateFile = "provenance state.json";

    private readonly TufClientOptions _options;
    private readonly HttpFetcher? _fetcher;
    private readonly TufCache _cache;
    private readonly Uri _base;

    /// <summary>Creates a client; with a null <paramref name="fetcher"/> it can only <see cref="LoadCached"/>.</summary>
    public TufClient(TufClientOptions options, HttpFetcher? fetcher)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.RepositoryUrl);
        ArgumentException.ThrowIfNullOrEmpty(options.CacheDirectory);
        ArgumentNullException.ThrowIfNull(options.TimeProvider);
        if (!options.RepositoryUrl.IsAbsoluteUri)
        {
            throw new ArgumentException("The repository URL must be absolute.", nameof(options));
        }

        _options = options;
        _fetcher = fetcher;
        _cache = new TufCache(options.CacheDirectory);
        _base = new Uri(options.RepositoryUrl.AbsoluteUri.TrimEnd('/') + "/");
    }

    /// <summary>
    /// Runs the whole client workflow: root rotation, timestamp, snapshot, targets, delegations, then the target
    /// file, persisting each verified file to the cache. Expected failures (attacks, network, cache) are a
    /// <see cref="TufResult.Problem"/>, never an exception.
    /// </summary>
    public async Task<TufResult> UpdateAsync(string targetName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(targetName);
        if (_fetcher is null)
        {
            throw new InvalidOperationException("This client has no HTTP fetcher; give one to update.");
        }

        return await Guard(() => new Session(this, online: true).RunAsync(targetName, cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>
    /// Verifies the cached metadata and target as an update would (signatures, versions, hashes), without the
    /// network and without judging expiry: <see cref="TufTrustState"/> says what has expired, the caller decides.
    /// </summary>
    public TufResult LoadCached(string targetName)
    {
        ArgumentException.ThrowIfNullOrEmpty(targetName);
        return Guard(() => new Session(this, online: false).RunAsync(targetName, CancellationToken.None)).GetAwaiter().GetResult();
    }

    private static async Task<TufResult> Guard(Func<Task<TufTarget>> run)
    {
        try
        {
            return new TufResult(await run().ConfigureAwait(false), null);
        }
        catch (InvalidInputException e)
        {
            return new TufResult(null, e.Problem);
        }
        catch (HttpFetchException e)
        {
            return new TufResult(null, e.Problem);
        }
    }

    /// <summary>One run of the workflow: the trusted metadata so far, and the clock fixed at its start.</summary>
    private sealed class Session(TufClient client, bool online)
    {
        // Section 5.1: one time for the whole update, so metadata cannot expire between checks.
        private readonly DateTimeOffset _now = client._options.TimeProvider.GetUtcNow();
        private readonly TufCache _cache = client._cache;
        private RootMetadata _root = null!;
        private TimestampMetadata _timestamp = null!;
        private SnapshotMetadata _snapshot = null!;

        public async Task<TufTarget> RunAsync(string targetName, CancellationToken cancellationToken)
        {
            var rotatedFastForwardKeys = await LoadRootAsync(cancellationToken).ConfigureAwait(false);
            if (rotatedFastForwardKeys)
            {
                // Section 5.3.11: after the timestamp or snapshot keys change, versions signed by the old (possibly
                // compromised) keys must not hold back the new ones (fast-forward attack recovery).
                _cache.Delete(TimestampFile);
                _cache.Delete(SnapshotFile);
            }

            await UpdateTimestampAsync(cancellationToken).ConfigureAwait(false);
            await UpdateSnapshotAsync(cancellationToken).ConfigureAwait(false);
            var topLevel = await LoadTargetsRoleAsync(TufMetadata.TargetsType, _root.Keys, _root.Role(TufMetadata.TargetsType), cancellationToken).ConfigureAwait(false);
            var (file, _) = await FindTargetAsync(targetName, topLevel, cancellationToken).ConfigureAwait(false);
            var content = await FetchTargetAsync(targetName, file, cancellationToken).ConfigureAwait(false);

            DateTimeOffset? updatedAt = online ? _now : ReadUpdatedAt();
            if (online)
            {
                _cache.Write(StateFile, StateJson(client._options.RepositoryUrl, _now));
            }

            return new TufTarget(targetName, content, new TufTrustState(
                client._options.RepositoryUrl, _root.Version, _root.Expires, _timestamp.Expires, _snapshot.Expires,
                topLevel.Version, topLevel.Expires, updatedAt));
        }

        // ---- 5.2 and 5.3: the trusted root, and its rotations ----

        private async Task<bool> LoadRootAsync(CancellationToken cancellationToken)
        {
            var initial = (RootMetadata)TufMetadata.Parse(client._options.InitialRoot, TufMetadata.RootType, "the initial trusted root");
            _root = initial;
            if (_cache.Read(RootFile, Limits.MaxTufRootBytes) is { } cachedBytes)
            {
                // The cache only ever holds a root this client verified; its own signatures guard against corruption.
                // A damaged one is replaced by an update, which starts again from the initial root.
                if (CachedRoot(cachedBytes) is { } cached && cached.Version >= initial.Version)
                {
                    _root = cached;
                }
            }
            else if (!online)
            {
                throw Nothing("no root.json is cached");
            }

            if (!online)
            {
                return false;
            }

            var rotated = false;
            for (var rotation = 0; rotation < Limits.MaxTufRootRotations; rotation++)
            {
                var nextVersion = checked(_root.Version + 1);
                var name = nextVersion.ToString(CultureInfo.InvariantCulture) + ".root.json";
                var uri = client.MetadataUri(name);
                var response = await client._fetcher!.GetAsync(uri, maxResponseBytes: Limits.MaxTufRootBytes, cancellationToken: cancellationToken).ConfigureAwait(false);
                if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Forbidden)
                {
                    break;
                }

                RequireSuccess(response);
                var location = Redact(uri);
                var next = (RootMetadata)TufMetadata.Parse(response.Body, TufMetadata.RootType, location);
                // Section 5.3.4: signed by a threshold of the trusted root's root keys, and of the new root's own.
                TufKeys.RequireThreshold(next, _root.Keys, _root.Role(TufMetadata.RootType),
                    $"the trusted root's (version {_root.Version}) root role", location);
                TufKeys.RequireThreshold(next, next.Keys, next.Role(TufMetadata.RootType), "its own root role", location);
                if (next.Version != nextVersion)
                {
                    throw InvalidInputException.At(DiagnosticCode.TufVersionMismatch, location,
                        $"the file for root version {nextVersion} holds version {next.Version}; a root rotation goes one version at a time");
                }

                rotated |= RotatedKeys(_root, next, TufMetadata.TimestampType) || RotatedKeys(_root, next, TufMetadata.SnapshotType);
                _root = next;
                _cache.Write(RootFile, response.Body.Span);
            }

            if (_root.IsExpired(_now))
            {
                throw Expired(_root, "root", TufClient.Redact(client.MetadataUri(RootFile)));
            }

            if (ReferenceEquals(_root, initial))
            {
                // The first run starts the cache from the initial root, so later runs start where this one ended.
                _cache.Write(RootFile, client._options.InitialRoot.Span);
            }

            return rotated;
        }

        private RootMetadata? CachedRoot(byte[] bytes)
        {
            try
            {
                var cached = (RootMetadata)TufMetadata.Parse(bytes, TufMetadata.RootType, _cache.PathOf(RootFile));
                TufKeys.RequireThreshold(cached, cached.Keys, cached.Role(TufMetadata.RootType), "its own root role", _cache.PathOf(RootFile));
                return cached;
            }
            catch (InvalidInputException) when (online)
            {
                return null;
            }
            catch (InvalidInputException e)
            {
                throw InvalidInputException.At(DiagnosticCode.TufCacheUnusable, _cache.PathOf(RootFile),
                    "the cached root does not verify (" + e.Problem.Message + "); run 'provenance trusted-root update' to replace it");
            }
        }

        private static bool RotatedKeys(RootMetadata before, RootMetadata after, string role) =>
            TufKeys.Rotated(before.Role(role), after.Role(role));

        // ---- 5.4: timestamp ----

        private async Task UpdateTimestampAsync(CancellationToken cancellationToken)
        {
            var trusted = LoadCachedSigned<TimestampMetadata>(TimestampFile, TufMetadata.TimestampType, Limits.MaxTufTimestampBytes, _root.Role(TufMetadata.TimestampType));
            if (!online)
            {
                _timestamp = trusted ?? throw Nothing("no verified timestamp.json is cached");
                return;
            }

            var uri = client.MetadataUri(TimestampFile);
            var location = Redact(uri);
            var bytes = await FetchAsync(uri, Limits.MaxTufTimestampBytes, cancellationToken).ConfigureAwait(false);
            var fresh = (TimestampMetadata)TufMetadata.Parse(bytes, TufMetadata.TimestampType, location);
            TufKeys.RequireThreshold(fresh, _root.Keys, _root.Role(TufMetadata.TimestampType), "the root's timestamp role", location);
            if (trusted is not null)
            {
                if (fresh.Version < trusted.Version)
                {
                    throw Rollback(location, $"timestamp version {fresh.Version} is older than the trusted version {trusted.Version}");
                }

                if (fresh.Snapshot.Version < trusted.Snapshot.Version)
                {
                    throw Rollback(location, $"the timestamp names snapshot version {fresh.Snapshot.Version}, older than the trusted {trusted.Snapshot.Version}");
                }

                if (fresh.Version == trusted.Version)
                {
                    // Nothing new: keep the timestamp already trusted (section 5.4.3.1), still subject to expiry.
                    fresh = trusted;
                }
            }

            if (fresh.IsExpired(_now))
            {
                throw Expired(fresh, "timestamp", location);
            }

            _timestamp = fresh;
            if (!ReferenceEquals(fresh, trusted))
            {
                _cache.Write(TimestampFile, bytes.Span);
            }
        }

        // ---- 5.5: snapshot ----

        private async Task UpdateSnapshotAsync(CancellationToken cancellationToken)
        {
            var trusted = LoadCachedSigned<SnapshotMetadata>(SnapshotFile, TufMetadata.SnapshotType, Limits.MaxTufSnapshotBytes, _root.Role(TufMetadata.SnapshotType));
            var meta = _timestamp.Snapshot;
            var (snapshot, bytes, location, cached) = await MetadataAsync(SnapshotFile, SnapshotFile, meta, Limits.MaxTufSnapshotBytes, (content, where) =>
            {
                var parsed = (SnapshotMetadata)TufMetadata.Parse(content, TufMetadata.SnapshotType, where);
                TufKeys.RequireThreshold(parsed, _root.Keys, _root.Role(TufMetadata.SnapshotType), "the root's snapshot role", where);
                RequireVersion(parsed, meta, "the timestamp", where);
                RequireUnexpired(parsed, "snapshot", where);
                return parsed;
            }, cancellationToken).ConfigureAwait(false);
            if (trusted is not null && !cached)
            {
                // Section 5.5.5: no targets role the trusted snapshot listed may vanish or go back in version.
                foreach (var (name, before) in trusted.Meta)
                {
                    if (!snapshot.Meta.TryGetValue(name, out var after))
                    {
                        throw Rollback(location, $"{StrictJson.Printable(name)} was listed by snapshot version {trusted.Version} and is missing now");
                    }

                    if (after.Version < before.Version)
                    {
                        throw Rollback(location, $"{StrictJson.Printable(name)} goes back from version {before.Version} to {after.Version}");
                    }
                }
            }

            _snapshot = snapshot;
            if (!cached)
            {
                _cache.Write(SnapshotFile, bytes.Span);
            }
        }

        // ---- 5.6: targets, top-level and delegated ----

        private async Task<TargetsMetadata> LoadTargetsRoleAsync(
            string role, IReadOnlyDictionary<string, TufKey> keys, TufRoleKeys roleKeys, CancellationToken cancellationToken)
        {
            var metaName = role + ".json";
            // Delegated roles are cached in a folder of their own, so no role name can overwrite a top-level file.
            var fileName = role == TufMetadata.TargetsType ? TargetsFile : Path.Combine("delegated", Uri.EscapeDataString(role) + ".json");
            if (!_snapshot.Meta.TryGetValue(metaName, out var meta))
            {
                throw InvalidInputException.At(DiagnosticCode.TufMetadataMalformed, TufClient.Redact(client.MetadataUri(SnapshotFile)),
                    $"the snapshot does not list {StrictJson.Printable(metaName)}, so its version cannot be trusted");
            }

            var (targets, bytes, _, cached) = await MetadataAsync(metaName, fileName, meta, Limits.MaxTufTargetsBytes, (content, where) =>
            {
                var parsed = (TargetsMetadata)TufMetadata.Parse(content, TufMetadata.TargetsType, where);
                TufKeys.RequireThreshold(parsed, keys, roleKeys, $"the {StrictJson.Printable(role)} role", where);
                RequireVersion(parsed, meta, "the snapshot", where);
                RequireUnexpired(parsed, StrictJson.Printable(role), where);
                return parsed;
            }, cancellationToken).ConfigureAwait(false);
            if (!cached)
            {
                _cache.Write(fileName, bytes.Span);
            }

            return targets;
        }

        /// <summary>
        /// Section 5.6.7: a pre-order depth-first search of the delegations, stopping at a terminating delegation
        /// that matches, bounded in roles visited and depth.
        /// </summary>
        private async Task<(TufTargetFile File, string Role)> FindTargetAsync(string targetName, TargetsMetadata topLevel, CancellationToken cancellationToken)
        {
            var visited = new HashSet<string>(StringComparer.Ordinal);
            var pending = new Stack<(string Role, TargetsMetadata? Metadata, TargetsMetadata? Parent, TufDelegatedRole? Delegation, int Depth)>();
            pending.Push((TufMetadata.TargetsType, topLevel, null, null, 0));
            while (pending.Count > 0)
            {
                if (visited.Count >= Limits.MaxTufDelegatedRoles)
                {
                    throw InvalidInputException.At(DiagnosticCode.TufDelegationLimit, Redact(client._base),
                        $"{targetName} is not found within {Limits.MaxTufDelegatedRoles} targets roles; the delegations are too many to search");
                }

                var (role, metadata, parent, delegation, depth) = pending.Pop();
                if (!visited.Add(role))
                {
                    continue;
                }

                metadata ??= await LoadTargetsRoleAsync(role, parent!.DelegationKeys, delegation!.Keys, cancellationToken).ConfigureAwait(false);
                if (metadata.Targets.TryGetValue(targetName, out var file))
                {
                    return (file, role);
                }

                var children = new List<TufDelegatedRole>();
                foreach (var child in metadata.Delegations)
                {
                    if (!TufPaths.Matches(child, targetName))
                    {
                        continue;
                    }

                    children.Add(child);
                    if (child.Terminating)
                    {
                        // A terminating delegation that matches ends the search below it: nothing after it is asked.
                        pending.Clear();
                        break;
                    }
                }

                if (children.Count > 0 && depth + 1 > Limits.MaxTufDelegationDepth)
                {
                    throw InvalidInputException.At(DiagnosticCode.TufDelegationLimit, Redact(client._base),
                        $"the delegations for {targetName} go deeper than {Limits.MaxTufDelegationDepth} levels");
                }

                for (var i = children.Count - 1; i >= 0; i--)
                {
                    pending.Push((children[i].Name, null, metadata, children[i], depth + 1));
                }
            }

            throw InvalidInputException.At(DiagnosticCode.TufTargetUnknown, Redact(client._base),
                $"no trusted targets role lists {StrictJson.Printable(targetName)}; the repository does not offer it");
        }

        // ---- 5.7: the target file ----

        private async Task<ReadOnlyMemory<byte>> FetchTargetAsync(string targetName, TufTargetFile file, CancellationToken cancellationToken)
        {
            var cacheName = "targets" + Path.DirectorySeparatorChar + Uri.EscapeDataString(targetName);
            if (file.Length > Limits.MaxTufTargetBytes)
            {
                throw InvalidInputException.At(DiagnosticCode.TufTargetHashMismatch, targetName,
                    $"the metadata gives a length of {file.Length} bytes, more than the {Limits.MaxTufTargetBytes} this client fetches");
            }

            if (_cache.Read(cacheName, file.Length) is { } cached && Matches(cached, file.Length, file.Hashes))
            {
                return cached;
            }

            if (!online)
            {
                throw Nothing($"no target {targetName} matching the signed metadata is cached");
            }

            var uri = client.TargetUri(targetName, file, _root.ConsistentSnapshot);
            var bytes = await FetchAsync(uri, file.Length, cancellationToken).ConfigureAwait(false);
            if (!Matches(bytes.Span, file.Length, file.Hashes))
            {
                throw InvalidInputException.At(DiagnosticCode.TufTargetHashMismatch, Redact(uri),
                    $"the target is {bytes.Length} bytes or hashes otherwise than its signed metadata says ({file.Length} bytes); it is not the file the repository signed");
            }

            _cache.Write(cacheName, bytes.Span);
            return bytes;
        }

        // ---- shared steps ----

        /// <summary>
        /// A snapshot or targets file: the cached one when it is the one <paramref name="meta"/> names and still
        /// verifies (no download needed), else a fresh download bounded by the length <paramref name="meta"/> gives;
        /// either is checked against that length and those hashes, then by <paramref name="verify"/>.
        /// </summary>
        private async Task<(T Metadata, ReadOnlyMemory<byte> Bytes, string Location, bool Cached)> MetadataAsync<T>(
            string remoteName, string fileName, TufMetaFile meta, long maxBytes, Func<ReadOnlyMemory<byte>, string, T> verify, CancellationToken cancellationToken)
        {
            var limit = meta.Length ?? maxBytes;
            if (_cache.Read(fileName, limit) is { } cachedBytes && MatchesMeta(cachedBytes, meta))
            {
                var cachedLocation = _cache.PathOf(fileName);
                try
                {
                    return (verify(cachedBytes, cachedLocation), cachedBytes, cachedLocation, true);
                }
                catch (InvalidInputException) when (online)
                {
                    // Another version, keys rotated since, or expired: the repository's current file replaces it.
                }
            }

            if (!online)
            {
                throw Nothing($"no {remoteName} matching the cached metadata is cached");
            }

            var name = _root.ConsistentSnapshot ? meta.Version.ToString(CultureInfo.InvariantCulture) + "." + remoteName : remoteName;
            var uri = client.MetadataUri(name);
            var bytes = await FetchAsync(uri, limit, cancellationToken).ConfigureAwait(false);
            if (!MatchesMeta(bytes.Span, meta))
            {
                throw InvalidInputException.At(DiagnosticCode.TufMetadataHashMismatch, Redact(uri),
                    "the file's length or hashes differ from what the referring metadata signed; it is another version or was altered (mix-and-match)");
            }

            return (verify(bytes, Redact(uri)), bytes, Redact(uri), false);
        }

        private T? LoadCachedSigned<T>(string fileName, string type, long maxBytes, TufRoleKeys role) where T : TufMetadata
        {
            if (_cache.Read(fileName, maxBytes) is not { } bytes)
            {
                return null;
            }

            try
            {
                var metadata = (T)TufMetadata.Parse(bytes, type, _cache.PathOf(fileName));
                TufKeys.RequireThreshold(metadata, _root.Keys, role, $"the root's {type} role", _cache.PathOf(fileName));
                return metadata;
            }
            catch (InvalidInputException)
            {
                // A cached file the current root does not vouch for is no reference for rollback checks; it is replaced.
                return null;
            }
        }

        private async Task<ReadOnlyMemory<byte>> FetchAsync(Uri uri, long maxBytes, CancellationToken cancellationToken)
        {
            var response = await client._fetcher!.GetAsync(uri, maxResponseBytes: maxBytes, cancellationToken: cancellationToken).ConfigureAwait(false);
            RequireSuccess(response);
            return response.Body;
        }

        private static void RequireSuccess(HttpFetchResponse response)
        {
            if (!response.IsSuccess)
            {
                throw InvalidInputException.At(DiagnosticCode.FetchFailed, Redact(response.Uri), string.Create(CultureInfo.InvariantCulture,
                    $"the TUF repository answered HTTP {(int)response.StatusCode}; check --tuf-url, or try again later"));
            }
        }

        private DateTimeOffset? ReadUpdatedAt()
        {
            if (_cache.Read(StateFile, 64 * 1024) is not { } bytes)
            {
                return null;
            }

            try
            {
                using var document = StrictJson.Parse(bytes);
                var text = StrictJson.RequiredString(document.RootElement, "updated", "$");
                return DateTimeOffset.TryParseExact(text, "yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture,
                    DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time) ? time : null;
            }
            catch (InvalidInputException)
            {
                return null;
            }
        }

        private void RequireUnexpired(TufMetadata metadata, string role, string location)
        {
            if (online && metadata.IsExpired(_now))
            {
                throw Expired(metadata, role, location);
            }
        }

        private static void RequireVersion(TufMetadata metadata, TufMetaFile meta, string referrer, string location)
        {
            if (metadata.Version != meta.Version)
            {
                throw InvalidInputException.At(DiagnosticCode.TufVersionMismatch, location,
                    $"version {metadata.Version} where {referrer} names version {meta.Version}: metadata of different versions must not be mixed");
            }
        }

        private InvalidInputException Nothing(string what) =>
            InvalidInputException.At(DiagnosticCode.TufNothingCached, _cache.Directory,
                what + " for this repository; run 'provenance trusted-root update' with the network on");

        private static InvalidInputException Rollback(string location, string message) =>
            InvalidInputException.At(DiagnosticCode.TufRollback, location, message + " (rollback)");

        private static InvalidInputException Expired(TufMetadata metadata, string role, string location) =>
            InvalidInputException.At(DiagnosticCode.TufMetadataExpired, location, string.Create(CultureInfo.InvariantCulture,
                $"the {role} metadata (version {metadata.Version}) expired at {metadata.Expires:yyyy-MM-dd'T'HH:mm:ss'Z'}; the repository is stale or a mirror is replaying old metadata (freeze)"));
    }

    private Uri MetadataUri(string name) => new(_base, Uri.EscapeDataString(name));

    /// <summary>Section 5.7.3: with consistent snapshots a target is fetched as <c>DIR/HASH.NAME</c>, by one of its hashes.</summary>
    private Uri TargetUri(string targetName, TufTargetFile file, bool consistentSnapshot)
    {
        var segments = targetName.Split('/');
        if (consistentSnapshot)
        {
            var algorithm = file.Hashes.ContainsKey("sha256") ? "sha256" : file.Hashes.Keys.Order(StringComparer.Ordinal).First();
            segments[^1] = Convert.ToHexStringLower(file.Hashes[algorithm]) + "." + segments[^1];
        }

        return new Uri(_base, "targets/" + string.Join('/', segments.Select(Uri.EscapeDataString)));
    }

    private static string Redact(Uri uri) => ResilientHttpHandler.Redacted(uri);

    /// <summary>True when <paramref name="bytes"/> have the length and every known hash given, and at least one hash is known.</summary>
    internal static bool Matches(ReadOnlySpan<byte> bytes, long length, ImmutableDictionary<string, byte[]> hashes)
    {
        if (bytes.Length != length)
        {
            return false;
        }

        var checkedAny = false;
        foreach (var (algorithm, expected) in hashes)
        {
            byte[]? actual = algorithm switch
            {
                "sha256" => SHA256.HashData(bytes),
                "sha384" => SHA384.HashData(bytes),
                "sha512" => SHA512.HashData(bytes),
                _ => null,
            };
            if (actual is null)
            {
                continue;
            }

            if (!CryptographicOperations.FixedTimeEquals(actual, expected))
            {
                return false;
            }

            checkedAny = true;
        }

        return checkedAny;
    }

    private static bool MatchesMeta(ReadOnlySpan<byte> bytes, TufMetaFile meta) =>
        (meta.Length is not { } length || bytes.Length == length)
        && (meta.Hashes.IsEmpty || Matches(bytes, bytes.Length, meta.Hashes));

    private static byte[] StateJson(Uri repository, DateTimeOffset updated)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteString("repository", repository.AbsoluteUri);
            writer.WriteString("updated", updated.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
