using Provenance.Sigstore;

namespace Provenance.Tests.Sigstore;

/// <summary>
/// The transparency-log steps against sigstore-conformance bundles (testdata/sigstore-conformance, see NOTICE). Good
/// cases must pass both the log verification and the body binding; each bad case must fail in exactly the step
/// its README names, with that step's code.
/// </summary>
public sealed class TransparencyLogConformanceTests
{
    public static TheoryData<string> GoodCases =>
    [
        "happy-path-v0.1",
        "happy-path-v0.2",
        "happy-path-v0.3",
        "happy-path-intoto-in-dsse-v3",
        "intoto-with-custom-trust-root",
        "managed-key-happy-path",
        "rekor2-happy-path",
        "rekor2-dsse-happy-path",
        "rekor2-checkpoint-cosigned",
        "rekor2-checkpoint-multiple-cosigs",
        "rekor2-checkpoint-origin-not-first",
        "rekor2-checkpoint-two-sigs-cosigned",
        "rekor2-checkpoint-two-sigs-from-origin",
    ];

    [Theory]
    [MemberData(nameof(GoodCases))]
    public void Good_cases_verify_and_match_their_content(string name)
    {
        var test = ConformanceCase.Load(name);
        var entry = test.Entry();

        var problem = TransparencyLogVerifier.Verify(entry, test.Root, test.Bundle.Version, out var verified);

        Assert.Null(problem);
        Assert.NotNull(verified);
        Assert.Equal(entry.LogIndex, verified.LogIndex);
        Assert.Null(RekorBodyMatcher.Verify(entry, test.Content()));
    }

    [Theory]
    [InlineData("happy-path-v0.1", 1689177396L)]
    [InlineData("happy-path-v0.3", 1710869186L)]
    [InlineData("happy-path-intoto-in-dsse-v3", 1734374576L)]
    public void A_verified_SET_gives_the_integrated_time(string name, long integratedTime)
    {
        // Expected: the bundles' integratedTime fields, trusted only because their SETs verify.
        var test = ConformanceCase.Load(name);

        Assert.Null(TransparencyLogVerifier.Verify(test.Entry(), test.Root, test.Bundle.Version, out var verified));

        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(integratedTime), verified!.IntegratedTime);
    }

    [Theory]
    [InlineData("rekor2-happy-path")]
    [InlineData("rekor2-dsse-happy-path")]
    public void Rekor_v2_entries_give_no_time_and_a_checkpoint_from_the_log_host(string name)
    {
        var test = ConformanceCase.Load(name);

        Assert.Null(TransparencyLogVerifier.Verify(test.Entry(), test.Root, test.Bundle.Version, out var verified));

        Assert.Null(verified!.IntegratedTime);
        Assert.Equal(new Uri(verified.Log.BaseUrl).Host, verified.Checkpoint!.Origin);
    }

    /// <summary>Each case with the step its README describes as broken.</summary>
    public static TheoryData<string, DiagnosticCode> BadLogCases => new()
    {
        // "checkpoint signature does not match the transparency log providing the entry"
        { "checkpoint-bad-keyhint_fail", DiagnosticCode.CheckpointInvalid },
        // "the checkpoint is self consistent but does not apply to this bundle (root hash is wrong)"
        { "checkpoint-wrong-roothash_fail", DiagnosticCode.CheckpointMismatch },
        // "a bit flip in one of the proof hashes"
        { "inclusion-proof-corrupted-hash_fail", DiagnosticCode.InclusionProofInvalid },
        // "The inclusion proof is old and is not valid for this entry"
        { "invalid-inclusion-proof_fail", DiagnosticCode.InclusionProofInvalid },
        // "Rekor checkpoint signature is invalid"
        { "invalid-checkpoint-signature_fail", DiagnosticCode.CheckpointInvalid },
        // "The signed entry timestamp ... signature is invalid"
        { "set-invalid-signature_fail", DiagnosticCode.SetInvalid },
        // "A v0.2 bundle where log entry does not contain an inclusion proof is invalid"
        { "intoto-missing-inclusion-proof_fail", DiagnosticCode.InclusionProofMissing },
        // "the inclusion proof is removed"; no online lookup
        { "rekor2-no-inclusion-proof_fail", DiagnosticCode.InclusionProofMissing },
        // log signature, origin, root hash or size removed from the checkpoint
        { "rekor2-checkpoint-missing-log-signature_fail", DiagnosticCode.CheckpointInvalid },
        { "rekor2-checkpoint-missing-origin_fail", DiagnosticCode.CheckpointInvalid },
        { "rekor2-checkpoint-missing-root-hash_fail", DiagnosticCode.CheckpointInvalid },
        { "rekor2-checkpoint-missing-size_fail", DiagnosticCode.CheckpointInvalid },
        // "The identity of the checkpoint signature does not match the transparency log host"
        { "rekor2-checkpoint-no-matching-signature_fail", DiagnosticCode.CheckpointInvalid },
        // "a valid bundle from public good staging": its log is not in the production root
        { "bundle-from-wrong-instance_fail", DiagnosticCode.TransparencyLogUnknown },
    };

    [Theory]
    [MemberData(nameof(BadLogCases))]
    public void Bad_log_cases_fail_in_the_log_step(string name, DiagnosticCode code)
    {
        var test = ConformanceCase.Load(name);

        var problem = TransparencyLogVerifier.Verify(test.Entry(), test.Root, test.Bundle.Version, out var verified);

        Assert.Equal(code, problem?.Code);
        Assert.Null(verified);
    }

    /// <summary>Cases whose log entry is genuine but records other content than the bundle's.</summary>
    public static TheoryData<string> BadBodyCases =>
    [
        "intoto-log-entry-mismatch_fail",       // "log entry does not match the signed artifact"
        "wrong-hashedrekord-artifact_fail",     // the artifact is not the one logged
        "wrong-hashedrekord-cert-and-sig_fail", // certificate and signature of the entry are another's
        "wrong-hashedrekord-entry_fail",        // "hashedrekord is for a different entry"
        "dsse-mismatch-envelope_fail",          // "DSSE envelope does not match the entry"
        "rekor2-dsse-mismatch-envelope_fail",   // Hash(PAE(envelope)) is not the logged digest
        "rekor2-dsse-mismatch-sig_fail",        // the envelope signature is not the logged one
    ];

    [Theory]
    [MemberData(nameof(BadBodyCases))]
    public void Bad_body_cases_verify_in_the_log_but_do_not_match_the_content(string name)
    {
        var test = ConformanceCase.Load(name);
        var entry = test.Entry();

        Assert.Null(TransparencyLogVerifier.Verify(entry, test.Root, test.Bundle.Version, out _));
        var problem = RekorBodyMatcher.Verify(entry, test.Content());

        Assert.Equal(DiagnosticCode.LogEntryBodyMismatch, problem?.Code);
    }

    [Fact]
    public void A_negative_log_index_is_malformed()
    {
        // bundle-negative-log-index_fail: "Bundle tlog entry has negative log index".
        var test = ConformanceCase.Load("bundle-negative-log-index_fail");

        Assert.False(TransparencyLogEntry.TryParse(test.Bundle.TransparencyLogEntries[0], "tlogEntries[0]", out _, out var problem));

        Assert.Equal(DiagnosticCode.LogEntryMalformed, problem.Code);
        Assert.Equal("tlogEntries[0].logIndex", problem.Location);
    }
}
