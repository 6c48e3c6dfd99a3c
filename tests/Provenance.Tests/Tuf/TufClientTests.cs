using System.Text;
using System.Text.Json.Nodes;
using Provenance.Http;
using Provenance.Testing;
using Provenance.Tuf;

namespace Provenance.Tests.Tuf;

/// <summary>
/// The client workflow (TUF specification section 5) against a repository the test makes and serves on 127.0.0.1:
/// the successful paths (first update, target update, root rotation with key changes, delegations, each key type),
/// then each attack of section 1.5.2 as its own test, rejected with its code.
/// </summary>
public sealed class TufClientTests : IDisposable
{
    private const string Target = TufRepositories.TrustedRootTarget;
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly byte[] FirstContent = Encoding.UTF8.GetBytes("{\"trusted\":\"first\"}");
    private static readonly byte[] SecondContent = Encoding.UTF8.GetBytes("{\"trusted\":\"second, longer\"}");

    private readonly TestTufRepository _repository = new(Now);
    private readonly TempDirectory _cache = new();

    public TufClientTests()
    {
        _repository.Targets[Target] = FirstContent;
        _repository.Publish();
    }

    public void Dispose()
    {
        _repository.Dispose();
        _cache.Dispose();
    }

    // ---- what must work ----

    [Fact]
    public async Task A_first_update_verifies_and_caches_the_target()
    {
        await using var server = _repository.Serve();

        var result = await UpdateAsync(server);

        Assert.True(result.Succeeded, result.Problem?.ToString());
        Assert.Equal(FirstContent, result.Target!.Content.ToArray());
        Assert.Equal(1, result.Target.State.RootVersion);
        Assert.Equal(Now, result.Target.State.UpdatedAt);
        var cached = Client(server.BaseUri).LoadCached(Target);
        Assert.True(cached.Succeeded, cached.Problem?.ToString());
        Assert.Equal(FirstContent, cached.Target!.Content.ToArray());
    }

    [Fact]
    public async Task A_new_target_version_is_fetched_on_the_next_update_and_the_old_cache_is_replaced()
    {
        await using var server = _repository.Serve();
        Assert.True((await UpdateAsync(server)).Succeeded);
        _repository.Targets[Target] = SecondContent;
        _repository.Publish();

        var result = await UpdateAsync(server);

        Assert.True(result.Succeeded, result.Problem?.ToString());
        Assert.Equal(SecondContent, result.Target!.Content.ToArray());
        Assert.Equal(SecondContent, Client(server.BaseUri).LoadCached(Target).Target!.Content.ToArray());
    }

    [Fact]
    public async Task Root_rotations_are_followed_version_by_version_to_the_newest_root()
    {
        await using var server = _repository.Serve();
        _repository.RotateRoot(["root"]);
        _repository.RotateRoot(["root", "timestamp", "snapshot", "targets"]);
        _repository.Publish();

        var result = await UpdateAsync(server);

        Assert.True(result.Succeeded, result.Problem?.ToString());
        Assert.Equal(3, result.Target!.State.RootVersion);
        Assert.Contains(server.Requests, r => r.Path == "/4.root.json");
    }

    [Fact]
    public async Task Root_rotation_stops_after_a_bounded_number_of_new_versions()
    {
        for (var i = 0; i <= Limits.MaxTufRootRotations; i++)
        {
            _repository.RotateRoot([]);
        }

        await using var server = _repository.Serve();

        var result = await UpdateAsync(server);

        Assert.True(result.Succeeded, result.Problem?.ToString());
        Assert.Equal(1 + Limits.MaxTufRootRotations, result.Target!.State.RootVersion);
        Assert.Equal(Limits.MaxTufRootRotations, server.Requests.Count(r => r.Path.EndsWith(".root.json", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_cached_targets_file_the_rotated_keys_no_longer_vouch_for_is_fetched_again()
    {
        await using var server = _repository.Serve();
        Assert.True((await UpdateAsync(server)).Succeeded);
        // New targets keys re-sign the same targets version: the cached copy, signed by the old keys, must not be used.
        _repository.RotateRoot(["targets"]);
        _repository.TargetsVersion--;
        _repository.Publish();

        var result = await UpdateAsync(server);

        Assert.True(result.Succeeded, result.Problem?.ToString());
        Assert.Equal(2, server.Requests.Count(r => r.Path == "/" + _repository.MetadataPath("targets", 1)));
    }

    [Theory]
    [InlineData("ed25519")]
    [InlineData("rsa-pss-sha256")]
    [InlineData("ecdsa-p256-sha256")]
    public async Task Every_supported_key_type_signs_a_repository_the_client_accepts(string algorithm)
    {
        using var repository = new TestTufRepository(Now, algorithm, consistentSnapshot: algorithm != "ed25519");
        repository.Targets[Target] = FirstContent;
        repository.Publish();
        await using var server = repository.Serve();

        var result = await UpdateAsync(server, initialRoot: repository.InitialRoot);

        Assert.True(result.Succeeded, result.Problem?.ToString());
        Assert.Equal(FirstContent, result.Target!.Content.ToArray());
    }

    [Fact]
    public async Task A_target_found_through_a_delegation_is_verified_with_the_delegated_keys()
    {
        _repository.Targets.Clear();
        var delegation = new TestDelegation("sigstore", [_repository.NewKey()], ["*.json"]);
        delegation.Targets[Target] = FirstContent;
        _repository.Delegations.Add(delegation);
        _repository.Publish();
        await using var server = _repository.Serve();

        var result = await UpdateAsync(server);

        Assert.True(result.Succeeded, result.Problem?.ToString());
        Assert.Equal(FirstContent, result.Target!.Content.ToArray());
    }

    [Fact]
    public async Task A_delegation_by_path_hash_prefix_is_searched_and_one_for_other_prefixes_is_not()
    {
        _repository.Targets.Clear();
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(Target)));
        var other = new TestDelegation("other-bins", [_repository.NewKey()], []) { PathHashPrefixes = [hash[0] == '0' ? "1" : "0"] };
        other.Targets[Target] = SecondContent;
        var bin = new TestDelegation("bin", [_repository.NewKey()], []) { PathHashPrefixes = [hash[..2]] };
        bin.Targets[Target] = FirstContent;
        _repository.Delegations.AddRange([other, bin]);
        _repository.Publish();
        await using var server = _repository.Serve();

        var result = await UpdateAsync(server);

        Assert.True(result.Succeeded, result.Problem?.ToString());
        Assert.Equal(FirstContent, result.Target!.Content.ToArray());
        Assert.DoesNotContain(server.Requests, r => r.Path.Contains("other-bins", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_terminating_delegation_ends_the_search_even_without_the_target()
    {
        _repository.Targets.Clear();
        var first = new TestDelegation("first", [_repository.NewKey()], ["*"]) { Terminating = true };
        var second = new TestDelegation("second", [_repository.NewKey()], ["*"]);
        second.Targets[Target] = FirstContent;
        _repository.Delegations.AddRange([first, second]);
        _repository.Publish();
        await using var server = _repository.Serve();

        var result = await UpdateAsync(server);

        Assert.Equal(DiagnosticCode.TufTargetUnknown, result.Problem?.Code);
    }

    [Fact]
    public async Task The_delegation_search_stops_after_a_bounded_number_of_roles()
    {
        _repository.Targets.Clear();
        var key = _repository.NewKey();
        for (var i = 0; i <= Limits.MaxTufDelegatedRoles; i++)
        {
            _repository.Delegations.Add(new TestDelegation($"role-{i}", [key], ["*"]));
        }

        _repository.Publish();
        await using var server = _repository.Serve();

        var result = await UpdateAsync(server);

        Assert.Equal(DiagnosticCode.TufDelegationLimit, result.Problem?.Code);
        Assert.True(server.Requests.Count(r => r.Path.Contains(".role-", StringComparison.Ordinal)) < Limits.MaxTufDelegatedRoles);
    }

    [Theory]
    // Section 4.5: shell-style patterns, matched segment by segment, never across a "/".
    [InlineData("*.json", "trusted_root.json", true)]
    [InlineData("*", "trusted_root.json", true)]
    [InlineData("*", "dir/trusted_root.json", false)]
    [InlineData("dir/*.json", "dir/a.json", true)]
    [InlineData("dir/?.json", "dir/ab.json", false)]
    [InlineData("a*b*c", "aXbYc", true)]
    [InlineData("a*b*c", "aXbY", false)]
    [InlineData("[a].json", "a.json", false)]
    public void Delegation_path_patterns_match_segment_by_segment(string pattern, string path, bool expected) =>
        Assert.Equal(expected, TufPaths.MatchesPattern(pattern, path));

    [Fact]
    public async Task Without_the_network_only_the_cache_is_read_and_an_empty_cache_says_so()
    {
        await using var server = _repository.Serve();

        var result = Client(server.BaseUri).LoadCached(Target);

        Assert.Equal(DiagnosticCode.TufNothingCached, result.Problem?.Code);
        Assert.Empty(server.Requests);
    }

    // ---- arbitrary software ----

    [Fact]
    public async Task Arbitrary_software_a_target_whose_bytes_differ_from_its_signed_hash_is_rejected()
    {
        _repository.Files[_repository.TargetPath(Target, FirstContent)] = LoopbackResponse.Bytes(Encoding.UTF8.GetBytes("{\"trusted\":\"evilx\"}"));
        await using var server = _repository.Serve();

        var result = await UpdateAsync(server);

        Assert.Equal(FirstContent.Length, Encoding.UTF8.GetBytes("{\"trusted\":\"evilx\"}").Length);
        Assert.Equal(DiagnosticCode.TufTargetHashMismatch, result.Problem?.Code);
    }

    [Fact]
    public async Task Arbitrary_software_a_target_shorter_than_its_signed_length_is_rejected()
    {
        _repository.Files[_repository.TargetPath(Target, FirstContent)] = LoopbackResponse.Bytes(FirstContent[..^1]);
        await using var server = _repository.Serve();

        Assert.Equal(DiagnosticCode.TufTargetHashMismatch, (await UpdateAsync(server)).Problem?.Code);
    }

    // ---- endless data ----

    [Fact]
    public async Task Endless_data_a_target_longer_than_its_signed_length_is_cut_off()
    {
        _repository.Files[_repository.TargetPath(Target, FirstContent)] =
            LoopbackResponse.Bytes([.. FirstContent, .. new byte[100_000]]) with { Chunked = true };
        await using var server = _repository.Serve();

        Assert.Equal(DiagnosticCode.ResponseTooLarge, (await UpdateAsync(server)).Problem?.Code);
    }

    [Fact]
    public async Task Endless_data_a_timestamp_beyond_its_limit_is_cut_off()
    {
        _repository.Files["timestamp.json"] = LoopbackResponse.Bytes(new byte[Limits.MaxTufTimestampBytes + 1]) with { Chunked = true };
        await using var server = _repository.Serve();

        Assert.Equal(DiagnosticCode.ResponseTooLarge, (await UpdateAsync(server)).Problem?.Code);
    }

    [Fact]
    public async Task Endless_data_a_root_beyond_its_limit_is_cut_off()
    {
        _repository.Files["2.root.json"] = LoopbackResponse.Bytes(new byte[Limits.MaxTufRootBytes + 1]);
        await using var server = _repository.Serve();

        Assert.Equal(DiagnosticCode.ResponseTooLarge, (await UpdateAsync(server)).Problem?.Code);
    }

    // ---- fast-forward ----

    [Fact]
    public async Task Fast_forward_a_timestamp_version_pushed_ahead_with_a_compromised_key_is_dropped_when_the_key_rotates()
    {
        await using var server = _repository.Serve();
        // The attacker holds the timestamp key and pushes the client's trusted version far ahead.
        _repository.TimestampVersion = 1000;
        _repository.Publish();
        Assert.True((await UpdateAsync(server)).Succeeded);
        // The repository recovers: new timestamp key, versions back to normal.
        _repository.RotateRoot(["timestamp"]);
        _repository.TimestampVersion = 1;
        _repository.Targets[Target] = SecondContent;
        _repository.Publish();

        var result = await UpdateAsync(server);

        Assert.True(result.Succeeded, result.Problem?.ToString());
        Assert.Equal(SecondContent, result.Target!.Content.ToArray());
    }

    [Fact]
    public async Task Fast_forward_without_a_key_rotation_the_lower_version_stays_refused()
    {
        await using var server = _repository.Serve();
        _repository.TimestampVersion = 1000;
        _repository.Publish();
        Assert.True((await UpdateAsync(server)).Succeeded);
        _repository.TimestampVersion = 1;
        _repository.Publish();

        Assert.Equal(DiagnosticCode.TufRollback, (await UpdateAsync(server)).Problem?.Code);
    }

    [Fact]
    public async Task Fast_forward_a_snapshot_that_is_not_the_version_the_timestamp_names_is_rejected()
    {
        await using var server = _repository.Serve();
        // The timestamp names snapshot 1 (hash-free), but the file at that name is a newer snapshot.
        var snapshot = TestTufRepository.Sign(_repository.Common("snapshot", 7, new JsonObject
        {
            ["meta"] = new JsonObject { ["targets.json"] = new JsonObject { ["version"] = 1 } },
        }), _repository.Keys["snapshot"]);
        _repository.Put(_repository.MetadataPath("snapshot", 1), snapshot);
        var timestamp = _repository.Common("timestamp", 2, new JsonObject
        {
            ["meta"] = new JsonObject { ["snapshot.json"] = new JsonObject { ["version"] = 1 } },
        });
        _repository.Put("timestamp.json", TestTufRepository.Sign(timestamp, _repository.Keys["timestamp"]));

        Assert.Equal(DiagnosticCode.TufVersionMismatch, (await UpdateAsync(server)).Problem?.Code);
    }

    // ---- indefinite freeze ----

    [Fact]
    public async Task Indefinite_freeze_an_expired_timestamp_is_rejected()
    {
        _repository.Expires = Now.AddSeconds(-1);
        _repository.Publish();
        await using var server = _repository.Serve();

        Assert.Equal(DiagnosticCode.TufMetadataExpired, (await UpdateAsync(server)).Problem?.Code);
    }

    [Fact]
    public async Task Indefinite_freeze_an_expired_root_after_the_last_rotation_is_rejected()
    {
        _repository.Expires = Now.AddDays(-1);
        _repository.RotateRoot([]);
        await using var server = _repository.Serve();

        Assert.Equal(DiagnosticCode.TufMetadataExpired, (await UpdateAsync(server)).Problem?.Code);
    }

    [Fact]
    public async Task Indefinite_freeze_an_expired_targets_role_is_rejected()
    {
        await using var server = _repository.Serve();
        _repository.Expires = Now.AddDays(-1);
        var targets = TestTufRepository.Sign(_repository.TargetsSigned(2, _repository.Targets, []), _repository.Keys["targets"]);
        _repository.Put(_repository.MetadataPath("targets", 2), targets);
        _repository.Expires = Now.AddDays(30);
        PublishSnapshotAndTimestamp(new JsonObject { ["targets.json"] = new JsonObject { ["version"] = 2 } });

        Assert.Equal(DiagnosticCode.TufMetadataExpired, (await UpdateAsync(server)).Problem?.Code);
    }

    // ---- malicious mirrors ----

    [Fact]
    public async Task Malicious_mirror_metadata_signed_by_a_key_the_root_does_not_list_is_rejected()
    {
        var stranger = _repository.NewKey();
        var snapshot = _repository.Files[_repository.MetadataPath("snapshot", 1)].Body;
        _repository.Put("timestamp.json", TestTufRepository.Sign(_repository.TimestampSigned(2, 1, snapshot), [stranger]));
        await using var server = _repository.Serve();

        Assert.Equal(DiagnosticCode.TufThresholdNotMet, (await UpdateAsync(server)).Problem?.Code);
    }

    [Fact]
    public async Task Malicious_mirror_a_signature_claiming_a_trusted_key_id_but_made_by_another_key_is_rejected()
    {
        var stranger = _repository.NewKey();
        var snapshot = _repository.Files[_repository.MetadataPath("snapshot", 1)].Body;
        var forged = stranger with { KeyId = _repository.Keys["timestamp"][0].KeyId };
        _repository.Put("timestamp.json", TestTufRepository.Sign(_repository.TimestampSigned(2, 1, snapshot), [forged]));
        await using var server = _repository.Serve();

        Assert.Equal(DiagnosticCode.TufThresholdNotMet, (await UpdateAsync(server)).Problem?.Code);
    }

    [Fact]
    public async Task Malicious_mirror_signed_metadata_altered_after_signing_is_rejected()
    {
        var path = _repository.MetadataPath("targets", 1);
        var altered = JsonNode.Parse(_repository.Files[path].Body)!.AsObject();
        altered["signed"]!["targets"]![Target]!["length"] = 99;
        _repository.Put(path, Encoding.UTF8.GetBytes(altered.ToJsonString()));
        await using var server = _repository.Serve();

        Assert.Equal(DiagnosticCode.TufThresholdNotMet, (await UpdateAsync(server)).Problem?.Code);
    }

    // ---- mix-and-match ----

    [Fact]
    public async Task Mix_and_match_a_snapshot_of_another_version_under_the_named_file_is_rejected_by_its_hash()
    {
        var first = _repository.Files[_repository.MetadataPath("snapshot", 1)];
        _repository.Publish();
        var signedLength = _repository.Files[_repository.MetadataPath("snapshot", 2)].Body.Length;
        _repository.Files[_repository.MetadataPath("snapshot", 2)] = first;
        await using var server = _repository.Serve();

        // ECDSA signatures vary in length: an old snapshot longer than the signed length is cut off while it is read.
        var expected = first.Body.Length > signedLength ? DiagnosticCode.ResponseTooLarge : DiagnosticCode.TufMetadataHashMismatch;
        Assert.Equal(expected, (await UpdateAsync(server)).Problem?.Code);
    }

    [Fact]
    public async Task Mix_and_match_targets_of_another_version_than_the_snapshot_names_is_rejected()
    {
        await using var server = _repository.Serve();
        var oldTargets = _repository.Files[_repository.MetadataPath("targets", 1)];
        _repository.Files[_repository.MetadataPath("targets", 2)] = oldTargets;
        PublishSnapshotAndTimestamp(new JsonObject { ["targets.json"] = new JsonObject { ["version"] = 2 } });

        Assert.Equal(DiagnosticCode.TufVersionMismatch, (await UpdateAsync(server)).Problem?.Code);
    }

    // ---- rollback ----

    [Fact]
    public async Task Rollback_of_the_timestamp_to_an_older_version_is_rejected()
    {
        await using var server = _repository.Serve();
        var oldTimestamp = _repository.Files["timestamp.json"];
        _repository.Publish();
        Assert.True((await UpdateAsync(server)).Succeeded);
        _repository.Files["timestamp.json"] = oldTimestamp;

        Assert.Equal(DiagnosticCode.TufRollback, (await UpdateAsync(server)).Problem?.Code);
    }

    [Fact]
    public async Task Rollback_of_the_snapshot_named_by_a_newer_timestamp_is_rejected()
    {
        await using var server = _repository.Serve();
        _repository.Publish();
        Assert.True((await UpdateAsync(server)).Succeeded);
        var oldSnapshot = _repository.Files[_repository.MetadataPath("snapshot", 1)].Body;
        _repository.Put("timestamp.json", TestTufRepository.Sign(_repository.TimestampSigned(3, 1, oldSnapshot), _repository.Keys["timestamp"]));

        Assert.Equal(DiagnosticCode.TufRollback, (await UpdateAsync(server)).Problem?.Code);
    }

    [Fact]
    public async Task Rollback_of_the_targets_version_in_a_newer_snapshot_is_rejected()
    {
        await using var server = _repository.Serve();
        _repository.Publish();
        Assert.True((await UpdateAsync(server)).Succeeded);
        PublishSnapshotAndTimestamp(new JsonObject { ["targets.json"] = new JsonObject { ["version"] = 1 } });

        Assert.Equal(DiagnosticCode.TufRollback, (await UpdateAsync(server)).Problem?.Code);
    }

    [Fact]
    public async Task Rollback_of_the_root_a_file_for_version_two_holding_version_one_is_rejected()
    {
        _repository.Files["2.root.json"] = _repository.Files["1.root.json"];
        await using var server = _repository.Serve();

        Assert.Equal(DiagnosticCode.TufVersionMismatch, (await UpdateAsync(server)).Problem?.Code);
    }

    // ---- slow retrieval ----

    [Fact]
    public async Task Slow_retrieval_a_trickling_timestamp_is_cut_off_at_the_attempt_timeout()
    {
        var timestamp = _repository.Files["timestamp.json"];
        _repository.Files["timestamp.json"] = timestamp with { BytesPerSecond = 20 };
        await using var server = _repository.Serve();

        var result = await UpdateAsync(server, new HttpFetchOptions { MaxAttempts = 1, AttemptTimeout = TimeSpan.FromSeconds(1) });

        Assert.True(timestamp.Body.Length > 40, "the body must take longer than the timeout at this rate");
        Assert.Equal(DiagnosticCode.FetchTimedOut, result.Problem?.Code);
    }

    // ---- key compromise below threshold ----

    [Fact]
    public async Task Key_compromise_below_threshold_one_of_two_targets_keys_cannot_sign_targets()
    {
        using var repository = new TestTufRepository(Now);
        repository.Thresholds["targets"] = 2;
        repository.RotateRoot(["targets"]);
        repository.Targets[Target] = FirstContent;
        repository.Publish();
        var targets = TestTufRepository.Sign(repository.TargetsSigned(1, repository.Targets, []), [repository.Keys["targets"][0]]);
        repository.Put(repository.MetadataPath("targets", 1), targets);
        await using var server = repository.Serve();

        var result = await UpdateAsync(server, initialRoot: repository.InitialRoot);

        Assert.Equal(DiagnosticCode.TufThresholdNotMet, result.Problem?.Code);
    }

    [Fact]
    public async Task Key_compromise_below_threshold_one_key_signing_twice_counts_once()
    {
        using var repository = new TestTufRepository(Now, rootThreshold: 2);
        repository.Targets[Target] = FirstContent;
        repository.Publish();
        var compromised = repository.Keys["root"][0];
        repository.RotateRoot(["root"], signers: [compromised, compromised, .. repository.Keys["root"]]);
        await using var server = repository.Serve();

        var result = await UpdateAsync(server, initialRoot: repository.InitialRoot);

        Assert.Equal(DiagnosticCode.TufThresholdNotMet, result.Problem?.Code);
    }

    [Fact]
    public async Task Key_compromise_below_threshold_one_key_listed_under_two_key_ids_counts_once()
    {
        using var repository = new TestTufRepository(Now);
        var key = repository.Keys["timestamp"][0];
        repository.Keys["timestamp"] = [key, key with { KeyId = new string('a', 64) }];
        repository.Thresholds["timestamp"] = 2;
        repository.RotateRoot([]);
        repository.Targets[Target] = FirstContent;
        repository.Publish();
        await using var server = repository.Serve();

        var result = await UpdateAsync(server, initialRoot: repository.InitialRoot);

        Assert.Equal(DiagnosticCode.TufThresholdNotMet, result.Problem?.Code);
    }

    [Fact]
    public async Task Key_compromise_below_threshold_a_new_root_signed_only_by_its_own_keys_is_rejected()
    {
        _repository.RotateRoot(["root"], signers: []);
        _repository.Put("2.root.json", TestTufRepository.Sign(_repository.RootSigned(2), _repository.Keys["root"]));
        await using var server = _repository.Serve();

        Assert.Equal(DiagnosticCode.TufThresholdNotMet, (await UpdateAsync(server)).Problem?.Code);
    }

    [Fact]
    public async Task Key_compromise_a_delegated_role_signed_by_the_parent_instead_of_its_delegated_key_is_rejected()
    {
        _repository.Targets.Clear();
        var delegation = new TestDelegation("sigstore", [_repository.NewKey()], ["*"]);
        delegation.Targets[Target] = FirstContent;
        _repository.Delegations.Add(delegation);
        _repository.Publish();
        var forged = TestTufRepository.Sign(_repository.TargetsSigned(1, delegation.Targets, []), _repository.Keys["targets"]);
        _repository.Put(_repository.MetadataPath("sigstore", 1), forged);
        await using var server = _repository.Serve();

        Assert.Equal(DiagnosticCode.TufThresholdNotMet, (await UpdateAsync(server)).Problem?.Code);
    }

    // ---- wrong software ----

    [Fact]
    public async Task Wrong_software_a_target_no_role_lists_is_refused()
    {
        await using var server = _repository.Serve();

        var result = await UpdateAsync(server, target: "other.json");

        Assert.Equal(DiagnosticCode.TufTargetUnknown, result.Problem?.Code);
    }

    [Fact]
    public async Task Wrong_software_another_roles_metadata_served_as_the_timestamp_is_refused()
    {
        _repository.Files["timestamp.json"] = _repository.Files[_repository.MetadataPath("snapshot", 1)];
        await using var server = _repository.Serve();

        Assert.Equal(DiagnosticCode.TufWrongRole, (await UpdateAsync(server)).Problem?.Code);
    }

    // ---- helpers ----

    private void PublishSnapshotAndTimestamp(JsonObject meta)
    {
        _repository.SnapshotVersion++;
        var snapshot = TestTufRepository.Sign(_repository.Common("snapshot", _repository.SnapshotVersion, new JsonObject { ["meta"] = meta }), _repository.Keys["snapshot"]);
        _repository.Put(_repository.MetadataPath("snapshot", _repository.SnapshotVersion), snapshot);
        _repository.TimestampVersion++;
        _repository.Put("timestamp.json", TestTufRepository.Sign(
            _repository.TimestampSigned(_repository.TimestampVersion, _repository.SnapshotVersion, snapshot), _repository.Keys["timestamp"]));
    }

    private TufClient Client(Uri url, byte[]? initialRoot = null, HttpFetcher? fetcher = null) => new(new TufClientOptions
    {
        RepositoryUrl = url,
        InitialRoot = initialRoot ?? _repository.InitialRoot,
        CacheDirectory = _cache.Path("repo"),
        TimeProvider = new FixedTimeProvider(Now),
    }, fetcher);

    private async Task<TufResult> UpdateAsync(LoopbackHttpServer server, HttpFetchOptions? http = null, byte[]? initialRoot = null, string target = Target)
    {
        using var fetcher = new HttpFetcher(http ?? new HttpFetchOptions { MaxAttempts = 1, AttemptTimeout = TimeSpan.FromSeconds(20) });
        return await Client(server.BaseUri, initialRoot, fetcher).UpdateAsync(target, TestContext.Current.CancellationToken);
    }
}
