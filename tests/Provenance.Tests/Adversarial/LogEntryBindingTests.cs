using System.Globalization;
using System.Text.Json.Nodes;
using Provenance.Sigstore;
using Provenance.Testing;

namespace Provenance.Tests.Adversarial;

/// <summary>
/// A log entry proves something only about what it records, and only when the log signed it: entries stapled from
/// other bundles, signed entry timestamps over other fields, logs the root does not list, checkpoints that commit
/// to something else, and inclusion proofs that prove nothing. Codes: the transparency log steps of
/// <see cref="DiagnosticCode"/> (5030-5059).
/// </summary>
public sealed class LogEntryBindingTests : IDisposable
{
    private readonly Adversary _adversary = new();

    public void Dispose() => _adversary.Dispose();

    [Fact]
    public async Task The_minted_bundles_verify()
    {
        Adversary.AssertVerified(await _adversary.VerifyAsync(_adversary.Bundle()));
        Adversary.AssertVerified(await _adversary.VerifyAsync(_adversary.Bundle(new BundleOptions { Version = BundleVersion.V01 })));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_valid_entry_of_another_bundle_stapled_to_this_one_is_refused(bool sameArtifact)
    {
        // The other bundle is by the same CA, log and identity; its entry verifies on its own in every respect.
        var bundle = _adversary.Bundle();
        var other = _adversary.Bundle(new BundleOptions { Artifact = sameArtifact ? VirtualSigstore.DefaultArtifact : "another artifact"u8.ToArray() });
        Adversary.Material(bundle)["tlogEntries"] = new JsonArray(Adversary.Entry(other).DeepClone());

        Adversary.AssertRejected(await _adversary.VerifyAsync(bundle), DiagnosticCode.LogEntryBodyMismatch);
    }

    [Theory]
    [InlineData(Defect.EntryForOtherSignature, DiagnosticCode.LogEntryBodyMismatch)]
    [InlineData(Defect.EntryForOtherCertificate, DiagnosticCode.LogEntryBodyMismatch)]
    [InlineData(Defect.UnknownLogId, DiagnosticCode.TransparencyLogUnknown)]
    [InlineData(Defect.CheckpointMissing, DiagnosticCode.CheckpointInvalid)]
    [InlineData(Defect.CheckpointSignedByOtherKey, DiagnosticCode.CheckpointInvalid)]
    [InlineData(Defect.CheckpointWrongRootHash, DiagnosticCode.CheckpointMismatch)]
    public async Task An_entry_minted_with_one_defect_is_refused(Defect defect, DiagnosticCode code)
    {
        // The same signer's other signature or certificate; a log the root does not list; a checkpoint that is
        // missing, signed by another key, or validly signed for another root hash.
        Adversary.AssertRejected(await _adversary.VerifyAsync(_adversary.Bundle(new BundleOptions { Defect = defect })), code);
    }

    [Theory]
    [InlineData("integratedTime")]
    [InlineData("logIndex")]
    [InlineData("canonicalizedBody")]
    public async Task A_signed_entry_timestamp_over_other_fields_is_refused(string field)
    {
        // Version 0.1: the SET is the entry's only proof, so nothing but it can catch the change.
        var bundle = _adversary.Bundle(new BundleOptions { Version = BundleVersion.V01 });
        var entry = Adversary.Entry(bundle);
        entry[field] = field == "canonicalizedBody"
            ? Adversary.Flipped(entry[field])
            : (long.Parse(entry[field]!.GetValue<string>(), CultureInfo.InvariantCulture) + 1).ToString(CultureInfo.InvariantCulture);

        Adversary.AssertRejected(await _adversary.VerifyAsync(bundle), DiagnosticCode.SetInvalid);
    }

    [Fact]
    public async Task A_checkpoint_of_another_bundle_is_refused()
    {
        // Validly signed by the same log, for the tree another entry was proved in: it commits to another root.
        var bundle = _adversary.Bundle();
        Adversary.Proof(bundle)["checkpoint"] = Adversary.Proof(_adversary.Bundle(new BundleOptions { Artifact = "another"u8.ToArray() }))["checkpoint"]!.DeepClone();

        Adversary.AssertRejected(await _adversary.VerifyAsync(bundle), DiagnosticCode.CheckpointMismatch);
    }

    [Theory]
    [InlineData(RekorGeneration.V1)]
    [InlineData(RekorGeneration.V2)]
    public async Task A_checkpoint_whose_signature_is_over_other_text_is_refused(RekorGeneration generation)
    {
        // The note's size line says one more than the log signed; the signature line is the log's, unchanged.
        var bundle = _adversary.Bundle(new BundleOptions { Log = generation == RekorGeneration.V1 ? LogEntryType.RekorV1Dsse : LogEntryType.RekorV2Dsse });
        var checkpoint = Adversary.Proof(bundle)["checkpoint"]!;
        var lines = checkpoint["envelope"]!.GetValue<string>().Split('\n');
        lines[1] = (long.Parse(lines[1], CultureInfo.InvariantCulture) + 1).ToString(CultureInfo.InvariantCulture);
        checkpoint["envelope"] = string.Join('\n', lines);

        Adversary.AssertRejected(await _adversary.VerifyAsync(bundle), DiagnosticCode.CheckpointInvalid);
    }

    public static TheoryData<string, DiagnosticCode> ProofTampering() => new()
    {
        // One more leaf leaves the audit path of leaf 3 of 5 valid (the right subtree's hash is one value either
        // way), so it is the checkpoint, signed for 5, that refuses it.
        { "treeSize+1", DiagnosticCode.CheckpointMismatch },
        { "treeSize-1", DiagnosticCode.InclusionProofInvalid },
        { "rootHash", DiagnosticCode.InclusionProofInvalid },
        { "hash", DiagnosticCode.InclusionProofInvalid },
        { "extra hash", DiagnosticCode.InclusionProofInvalid },
        { "no hashes", DiagnosticCode.InclusionProofInvalid },
        { "treeSize 0", DiagnosticCode.InclusionProofInvalid },
        { "index = size", DiagnosticCode.InclusionProofInvalid },
        { "index > size", DiagnosticCode.InclusionProofInvalid },
    };

    [Theory]
    [MemberData(nameof(ProofTampering))]
    public async Task An_inclusion_proof_that_proves_nothing_is_refused(string tampering, DiagnosticCode code)
    {
        var bundle = _adversary.Bundle();
        var proof = Adversary.Proof(bundle);
        var size = long.Parse(proof["treeSize"]!.GetValue<string>(), CultureInfo.InvariantCulture);
        string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
        var hashes = proof["hashes"]!.AsArray();
        switch (tampering)
        {
            case "treeSize+1": proof["treeSize"] = Text(size + 1); break;
            case "treeSize-1": proof["treeSize"] = Text(size - 1); break;
            case "rootHash": proof["rootHash"] = Adversary.Flipped(proof["rootHash"]); break;
            case "hash": hashes[0] = Adversary.Flipped(hashes[0]); break;
            case "extra hash": hashes.Add(hashes[0]!.DeepClone()); break;
            case "no hashes": hashes.Clear(); break;
            case "treeSize 0": proof["treeSize"] = "0"; break;
            case "index = size": proof["logIndex"] = Text(size); break;
            default: proof["logIndex"] = Text(size + 10); break;
        }

        Adversary.AssertRejected(await _adversary.VerifyAsync(bundle), code);
    }

    [Fact]
    public async Task A_proof_longer_than_any_tree_needs_is_refused_as_malformed()
    {
        var bundle = _adversary.Bundle();
        var hashes = Adversary.Proof(bundle)["hashes"]!.AsArray();
        while (hashes.Count <= Limits.MaxInclusionProofHashes)
        {
            hashes.Add(hashes[0]!.DeepClone());
        }

        Adversary.AssertRejected(await _adversary.VerifyAsync(bundle), DiagnosticCode.LogEntryMalformed);
    }
}
