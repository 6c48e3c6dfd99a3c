using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Provenance.Json;

namespace Provenance.Sigstore;

/// <summary>What a transparency log entry proved, once <see cref="TransparencyLogVerifier"/> accepted it.</summary>
/// <param name="Log">The trusted root's log the entry is in.</param>
/// <param name="LogIndex">The entry's index in that log.</param>
/// <param name="IntegratedTime">
/// When the log integrated the entry: only when its signed entry timestamp verified, since an integrated time
/// without one is the bundle's word, not the log's. Null for Rekor v2, whose time comes from an RFC 3161 timestamp
/// (check then that <see cref="TransparencyLogInstance.ValidFor"/> of <paramref name="Log"/> contains it).
/// </param>
/// <param name="Checkpoint">The verified checkpoint the inclusion proof leads to, when there was a proof.</param>
public sealed record VerifiedLogEntry(TransparencyLogInstance Log, long LogIndex, DateTimeOffset? IntegratedTime, Checkpoint? Checkpoint);

/// <summary>
/// Verifies one transparency log entry offline against the trusted root, in the steps of the Sigstore client
/// specification ("Transparency log entry"): the log must be one the root trusts; the signed entry timestamp
/// (Rekor v1) must verify with the log's key, valid at the integrated time; the inclusion proof must lead from the
/// entry's leaf (RFC 6962 section 2.1) to a root hash that a checkpoint signed by the log commits to. Which of these a
/// bundle must carry follows protobuf-specs sigstore_bundle.proto: v0.1 an inclusion promise, v0.2 and later an
/// inclusion proof; Rekor v2 entries carry a proof and never a promise.
/// </summary>
/// <remarks>
/// The body is not looked at here beyond hashing it; <see cref="RekorBodyMatcher"/> binds it to the signed content.
/// </remarks>
internal static class TransparencyLogVerifier
{
    /// <summary>Verifies <paramref name="entry"/>; null and <paramref name="verified"/> set when it holds.</summary>
    public static Problem? Verify(TransparencyLogEntry entry, TrustedRoot root, BundleVersion version, out VerifiedLogEntry? verified)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(root);
        verified = null;
        try
        {
            verified = VerifyCore(entry, root, version);
            return null;
        }
        catch (InvalidInputException e)
        {
            return e.Problem;
        }
    }

    /// <summary>
    /// Rekor v2 (rekor-tiles) writes only these entry types; Rekor v1 never wrote them. The entry type, not the
    /// bundle's checkpoint, chooses how the checkpoint is verified, so a bundle cannot pick the laxer rules.
    /// </summary>
    public static bool IsRekorV2(TransparencyLogEntry entry) =>
        entry.Version == "0.0.2" && entry.Kind is "hashedrekord" or "dsse";

    private static VerifiedLogEntry VerifyCore(TransparencyLogEntry entry, TrustedRoot root, BundleVersion version)
    {
        // Trust comes from the root alone: the entry's log id only selects among the root's logs.
        var log = root.FindTransparencyLog(entry.LogId.Span)
            ?? throw Fail(DiagnosticCode.TransparencyLogUnknown, "logId",
                $"the entry is from the log {Convert.ToHexStringLower(entry.LogId.Span)}, which the trusted root does not list");
        var key = log.Key
            ?? throw Fail(DiagnosticCode.TransparencyLogUnknown, "logId",
                $"the trusted root's key for the log {log.BaseUrl} is of a type this verifier cannot use ({log.KeyDetails})");

        var rekorV2 = IsRekorV2(entry);
        if (rekorV2 && entry.SignedEntryTimestamp is not null)
        {
            throw Fail(DiagnosticCode.SetInvalid, "inclusionPromise",
                "a Rekor v2 entry carries a signed entry timestamp, which Rekor v2 logs never issue");
        }

        if (version == BundleVersion.V01 && entry.SignedEntryTimestamp is null)
        {
            throw Fail(DiagnosticCode.InclusionPromiseMissing, "inclusionPromise",
                "a version 0.1 bundle's log entry must carry an inclusion promise (signed entry timestamp)");
        }

        if ((version != BundleVersion.V01 || rekorV2) && entry.InclusionProof is null)
        {
            throw Fail(DiagnosticCode.InclusionProofMissing, "inclusionProof",
                "the log entry must carry an inclusion proof with a checkpoint (bundle version 0.2 and later, and every Rekor v2 entry); the verifier does not ask the log");
        }

        DateTimeOffset? integratedTime = null;
        if (entry.SignedEntryTimestamp is { } set)
        {
            integratedTime = VerifySignedEntryTimestamp(entry, log, set.Span);
        }

        Checkpoint? checkpoint = null;
        if (entry.InclusionProof is { } proof)
        {
            checkpoint = VerifyInclusion(entry, proof, log, rekorV2);
        }

        return new VerifiedLogEntry(log, entry.LogIndex, integratedTime, checkpoint);
    }

    /// <summary>
    /// The SET is the log key's signature over the RFC 8785 canonical JSON of body (base64), integratedTime, logID
    /// (lowercase hex) and logIndex, as sigstore/rekor signs it and sigstore-go's tlog.VerifySET checks it. With only
    /// these four keys, all ASCII, canonical form is the keys in code-point order and integers in decimal.
    /// </summary>
    private static DateTimeOffset VerifySignedEntryTimestamp(TransparencyLogEntry entry, TransparencyLogInstance log, ReadOnlySpan<byte> set)
    {
        var integratedTime = DateTimeOffset.FromUnixTimeSeconds(entry.IntegratedTime);
        if (!log.ValidFor.Contains(integratedTime))
        {
            throw Fail(DiagnosticCode.LogKeyNotValidAtTime, "integratedTime",
                $"the log's key is not valid at the integrated time {integratedTime:yyyy-MM-ddTHH:mm:ssZ} per the trusted root");
        }

        if (!log.Key!.Verify(SignedEntryTimestampPayload(entry), set))
        {
            throw Fail(DiagnosticCode.SetInvalid, "inclusionPromise.signedEntryTimestamp",
                "the signed entry timestamp does not verify with the log's key");
        }

        return integratedTime;
    }

    internal static byte[] SignedEntryTimestampPayload(TransparencyLogEntry entry) =>
        Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
            $"{{\"body\":\"{Convert.ToBase64String(entry.CanonicalizedBody.Span)}\",\"integratedTime\":{entry.IntegratedTime},\"logID\":\"{Convert.ToHexStringLower(entry.LogId.Span)}\",\"logIndex\":{entry.LogIndex}}}"));

    private static Checkpoint VerifyInclusion(TransparencyLogEntry entry, InclusionProof proof, TransparencyLogInstance log, bool rekorV2)
    {
        if (proof.TreeSize <= 0 || proof.LogIndex >= proof.TreeSize)
        {
            throw Fail(DiagnosticCode.InclusionProofInvalid, "inclusionProof",
                $"leaf {proof.LogIndex} cannot be in a tree of size {proof.TreeSize}");
        }

        // Rekor v1 shards its log, so the proof's index is within the shard; Rekor v2 has one tree per log, and
        // sigstore-go (rekor-tiles) proves the entry's own index, so the two must agree.
        if (rekorV2 && proof.LogIndex != entry.LogIndex)
        {
            throw Fail(DiagnosticCode.InclusionProofInvalid, "inclusionProof.logIndex",
                $"the proof is for leaf {proof.LogIndex} but the entry is at index {entry.LogIndex}");
        }

        var leaf = MerkleTree.HashLeaf(entry.CanonicalizedBody.Span);
        if (!MerkleTree.VerifyInclusion(proof.LogIndex, proof.TreeSize, leaf, proof.Hashes, proof.RootHash.Span))
        {
            throw Fail(DiagnosticCode.InclusionProofInvalid, "inclusionProof",
                "the audit path does not lead from the entry to the proof's root hash");
        }

        if (proof.Checkpoint is not { } envelope)
        {
            throw Fail(DiagnosticCode.CheckpointInvalid, "inclusionProof.checkpoint",
                "the inclusion proof has no checkpoint, so nothing the log signed commits to its root hash");
        }

        Checkpoint checkpoint;
        try
        {
            checkpoint = rekorV2
                ? CheckpointVerifier.VerifyC2sp(envelope, ExpectedOrigin(log), log.Key!)
                : CheckpointVerifier.VerifyRekorV1(envelope, log.Key!);
        }
        catch (InvalidInputException e)
        {
            throw new InvalidInputException(e.Problem with { Location = "inclusionProof.checkpoint" });
        }

        if (checkpoint.Size != proof.TreeSize || !CryptographicOperations.FixedTimeEquals(checkpoint.RootHash.Span, proof.RootHash.Span))
        {
            throw Fail(DiagnosticCode.CheckpointMismatch, "inclusionProof.checkpoint",
                $"the log signed a tree of size {checkpoint.Size} with another root hash than the proof's tree of size {proof.TreeSize}");
        }

        return checkpoint;
    }

    /// <summary>
    /// A Rekor v2 log's checkpoint origin, and the name of its key, is the host name of its base URL (sigstore-go
    /// VerifyTlogEntry); a log without a usable base URL cannot have its checkpoints verified.
    /// </summary>
    private static string ExpectedOrigin(TransparencyLogInstance log) =>
        Uri.TryCreate(log.BaseUrl, UriKind.Absolute, out var uri) && uri.Host.Length > 0
            ? uri.Host
            : throw Fail(DiagnosticCode.TransparencyLogUnknown, "logId",
                $"the trusted root gives the Rekor v2 log no base URL (\"{StrictJson.Printable(log.BaseUrl, 80)}\") to take its checkpoint origin from");

    private static InvalidInputException Fail(DiagnosticCode code, string location, string message) =>
        InvalidInputException.At(code, location, message);
}
