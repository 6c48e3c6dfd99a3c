using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Provenance.Sigstore;
using Provenance.Testing;

namespace Provenance.Tests.Sigstore;

/// <summary>
/// Log entries minted here by a Rekor v1-style test log (ECDSA P-256 key, a tree of five entries, a checkpoint and a
/// SET signed by the log), so each rule can be broken on its own; and the entry parser's bounds.
/// </summary>
public sealed class TransparencyLogVerifierTests : IDisposable
{
    private const long IntegratedTime = 1_700_000_000;
    private readonly TestRekorLog _log = new(RekorGeneration.V1, "rekor.example");
    private readonly byte[] _body = Encoding.UTF8.GetBytes("""{"apiVersion":"0.0.1","kind":"hashedrekord","spec":{}}""");

    public void Dispose() => _log.Dispose();

    [Fact]
    public void A_minted_entry_verifies_and_its_time_comes_from_the_SET()
    {
        var problem = TransparencyLogVerifier.Verify(Parse(Entry()), Root(), BundleVersion.V01, out var verified);

        Assert.Null(problem);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(IntegratedTime), verified!.IntegratedTime);
        Assert.Equal(5, verified.Checkpoint!.Size);
    }

    [Fact]
    public void Without_a_SET_the_integrated_time_is_not_a_time()
    {
        var entry = Entry();
        entry.Remove("inclusionPromise");

        Assert.Null(TransparencyLogVerifier.Verify(Parse(entry), Root(), BundleVersion.V03, out var verified));

        Assert.Null(verified!.IntegratedTime);
    }

    [Fact]
    public void A_version_0_1_bundle_needs_a_SET()
    {
        var entry = Entry();
        entry.Remove("inclusionPromise");

        Assert.Equal(DiagnosticCode.InclusionPromiseMissing, TransparencyLogVerifier.Verify(Parse(entry), Root(), BundleVersion.V01, out _)?.Code);
    }

    [Fact]
    public void A_SET_outside_the_log_keys_validity_is_refused()
    {
        var problem = TransparencyLogVerifier.Verify(Parse(Entry()), Root(validFrom: new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero)), BundleVersion.V01, out _);

        Assert.Equal(DiagnosticCode.LogKeyNotValidAtTime, problem?.Code);
    }

    [Fact]
    public void A_SET_over_another_integrated_time_is_refused()
    {
        var entry = Entry();
        entry["integratedTime"] = (IntegratedTime + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(DiagnosticCode.SetInvalid, TransparencyLogVerifier.Verify(Parse(entry), Root(), BundleVersion.V01, out _)?.Code);
    }

    [Fact]
    public void A_proof_for_another_tree_size_than_the_checkpoint_is_refused()
    {
        // Leaf 0 of 3 and of 4 have paths of the same shape (see MerkleInclusionTests), so only the checkpoint's size binds it.
        var entry = Entry(leafIndex: 0, treeSize: 3, claimedSize: 4);

        Assert.Equal(DiagnosticCode.CheckpointMismatch, TransparencyLogVerifier.Verify(Parse(entry), Root(), BundleVersion.V02, out _)?.Code);
    }

    [Fact]
    public void An_entry_from_a_log_the_root_does_not_list_is_refused()
    {
        using var stranger = new TestRekorLog(RekorGeneration.V1, "rekor.example");
        var root = Root(key: stranger.PublicKeyDer);

        Assert.Equal(DiagnosticCode.TransparencyLogUnknown, TransparencyLogVerifier.Verify(Parse(Entry()), root, BundleVersion.V01, out _)?.Code);
    }

    [Theory]
    [InlineData("\"-1\"")]
    [InlineData("-1")]
    [InlineData("\"1e3\"")]
    [InlineData("1.0")]
    [InlineData("\" 1\"")]
    [InlineData("\"9223372036854775808\"")]
    [InlineData("true")]
    public void Log_indexes_that_are_not_non_negative_int64_are_malformed(string json)
    {
        var entry = Entry();
        entry["logIndex"] = JsonNode.Parse(json);

        Assert.False(TryParse(entry, out var problem));

        Assert.Equal(DiagnosticCode.LogEntryMalformed, problem.Code);
    }

    [Fact]
    public void Int64_fields_may_be_strings_or_numbers_and_fields_snake_case()
    {
        var entry = Entry();
        var index = entry["logIndex"]!.GetValue<string>();
        entry.Remove("logIndex");
        entry["log_index"] = long.Parse(index, System.Globalization.CultureInfo.InvariantCulture);

        Assert.True(TryParse(entry, out _));
    }

    [Fact]
    public void Unknown_fields_and_overlong_audit_paths_are_malformed()
    {
        var unknown = Entry();
        unknown["extra"] = 1;
        Assert.False(TryParse(unknown, out var problem));
        Assert.Equal(DiagnosticCode.LogEntryMalformed, problem.Code);

        var tooLong = Entry();
        tooLong["inclusionProof"]!["hashes"] = new JsonArray([.. Enumerable.Range(0, Limits.MaxInclusionProofHashes + 1)
            .Select(_ => (JsonNode)Convert.ToBase64String(new byte[32]))]);
        Assert.False(TryParse(tooLong, out problem));
        Assert.Equal(DiagnosticCode.LogEntryMalformed, problem.Code);

        var shortHash = Entry();
        shortHash["inclusionProof"]!["rootHash"] = Convert.ToBase64String(new byte[31]);
        Assert.False(TryParse(shortHash, out problem));
        Assert.Equal(DiagnosticCode.LogEntryMalformed, problem.Code);
    }

    /// <summary>
    /// An entry for <see cref="_body"/> at <paramref name="leafIndex"/> of a tree of <paramref name="treeSize"/>
    /// leaves, its proof claiming <paramref name="claimedSize"/> (default: the real size), with a checkpoint for the
    /// real tree and a SET, all signed by the test log.
    /// </summary>
    private JsonObject Entry(int leafIndex = 3, int treeSize = 5, int? claimedSize = null) =>
        _log.Entry(_body, "hashedrekord", "0.0.1", IntegratedTime, leafIndex, treeSize, claimedSize);

    private TrustedRoot Root(DateTimeOffset? validFrom = null, byte[]? key = null) =>
        TrustedRoot.Parse(TrustedRootDocument.Write(transparencyLogs:
            [TrustedRootDocument.Log("https://rekor.example", key ?? _log.PublicKeyDer, "PKIX_ECDSA_P256_SHA_256", validFrom ?? new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero))]));

    private static TransparencyLogEntry Parse(JsonObject entry)
    {
        Assert.True(TryParse(entry, out var problem), problem?.ToString());
        using var document = JsonDocument.Parse(entry.ToJsonString());
        return TransparencyLogEntry.Parse(document.RootElement.Clone(), "entry");
    }

    private static bool TryParse(JsonObject entry, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out Problem? problem)
    {
        using var document = JsonDocument.Parse(entry.ToJsonString());
        return TransparencyLogEntry.TryParse(document.RootElement.Clone(), "entry", out _, out problem);
    }
}
