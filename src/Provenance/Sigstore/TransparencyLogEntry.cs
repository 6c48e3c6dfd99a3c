using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Provenance.Json;

namespace Provenance.Sigstore;

/// <summary>
/// One transparency log entry of a Sigstore bundle (protobuf-specs rekor/v1 TransparencyLogEntry), as the bundle
/// states it. Nothing here is trusted until <see cref="TransparencyLogVerifier"/> has checked it against a trusted root.
/// </summary>
/// <param name="LogIndex">The entry's index in the log (for a sharded Rekor v1 log, across all shards).</param>
/// <param name="LogId">The log's id as the entry names it (SHA-256 of the log key for Rekor v1, the C2SP key hash for Rekor v2).</param>
/// <param name="Kind">The entry type, for example <c>hashedrekord</c>.</param>
/// <param name="Version">The entry type's version, for example <c>0.0.1</c>.</param>
/// <param name="IntegratedTime">Seconds since the Unix epoch when the log says it integrated the entry; 0 when absent (Rekor v2). A claim only: a time only once the SET verified.</param>
/// <param name="SignedEntryTimestamp">The inclusion promise (SET), when present.</param>
/// <param name="InclusionProof">The inclusion proof with its checkpoint, when present.</param>
/// <param name="CanonicalizedBody">The entry body exactly as the log hashed it into its tree.</param>
public sealed record TransparencyLogEntry(
    long LogIndex,
    ReadOnlyMemory<byte> LogId,
    string Kind,
    string Version,
    long IntegratedTime,
    ReadOnlyMemory<byte>? SignedEntryTimestamp,
    InclusionProof? InclusionProof,
    ReadOnlyMemory<byte> CanonicalizedBody)
{
    /// <summary>
    /// The last second of year 9999: integrated times beyond it are absurd and would not fit a
    /// <see cref="DateTimeOffset"/>.
    /// </summary>
    private const long MaxIntegratedTime = 253_402_300_799;

    /// <summary>Reads one element of a bundle's <c>verificationMaterial.tlogEntries</c>, or says what is wrong and where.</summary>
    public static bool TryParse(
        JsonElement element,
        string location,
        [NotNullWhen(true)] out TransparencyLogEntry? entry,
        [NotNullWhen(false)] out Problem? problem)
    {
        ArgumentNullException.ThrowIfNull(location);
        try
        {
            entry = Parse(element, location);
            problem = null;
            return true;
        }
        catch (InvalidInputException e)
        {
            entry = null;
            problem = e.Problem;
            return false;
        }
    }

    /// <summary>No unknown fields, as protojson refuses them: a field one reader ignores is one another may honour.</summary>
    internal static void RequireOnly(JsonElement element, string path, params ReadOnlySpan<string> names) =>
        StrictJson.RequireOnly(element, path, DiagnosticCode.LogEntryMalformed, "unknown field in a transparency log entry", names);

    internal static TransparencyLogEntry Parse(JsonElement element, string path)
    {
        RequireOnly(element, path,
            "logIndex", "log_index", "logId", "log_id", "kindVersion", "kind_version", "integratedTime", "integrated_time",
            "inclusionPromise", "inclusion_promise", "inclusionProof", "inclusion_proof", "canonicalizedBody", "canonicalized_body");

        var logIndex = ProtoJson.OptionalInt64(element, "logIndex", "log_index", path, DiagnosticCode.LogEntryMalformed);

        var logIdPath = StrictJson.Child(path, "logId");
        var logIdElement = ProtoJson.Required(element, "logId", "log_id", path);
        RequireOnly(logIdElement, logIdPath, "keyId", "key_id");
        var logId = ProtoJson.RequiredBytes(logIdElement, "keyId", "key_id", logIdPath, 64);

        var kindPath = StrictJson.Child(path, "kindVersion");
        var kindVersion = ProtoJson.Required(element, "kindVersion", "kind_version", path);
        RequireOnly(kindVersion, kindPath, "kind", "version");
        var kind = StrictJson.RequiredString(kindVersion, "kind", kindPath);
        var version = StrictJson.RequiredString(kindVersion, "version", kindPath);

        var integratedTime = ProtoJson.OptionalInt64(element, "integratedTime", "integrated_time", path, DiagnosticCode.LogEntryMalformed);
        if (integratedTime > MaxIntegratedTime)
        {
            throw InvalidInputException.At(DiagnosticCode.LogEntryMalformed, StrictJson.Child(path, "integratedTime"),
                "the integrated time is after the year 9999");
        }

        ReadOnlyMemory<byte>? set = null;
        if (ProtoJson.Optional(element, "inclusionPromise", "inclusion_promise", path) is { } promise)
        {
            var promisePath = StrictJson.Child(path, "inclusionPromise");
            RequireOnly(promise, promisePath, "signedEntryTimestamp", "signed_entry_timestamp");
            set = ProtoJson.RequiredBytes(promise, "signedEntryTimestamp", "signed_entry_timestamp", promisePath, Limits.MaxSignatureBytes);
        }

        var proof = ProtoJson.Optional(element, "inclusionProof", "inclusion_proof", path) is { } proofElement
            ? InclusionProof.Parse(proofElement, StrictJson.Child(path, "inclusionProof"))
            : null;

        var body = ProtoJson.RequiredBytes(element, "canonicalizedBody", "canonicalized_body", path, Limits.MaxLogEntryBodyBytes);
        return new TransparencyLogEntry(logIndex, logId, kind, version, integratedTime, set, proof, body);
    }
}

/// <summary>
/// A Merkle inclusion proof (protobuf-specs rekor/v1 InclusionProof, RFC 9162 section 2.1.3) with the checkpoint
/// that commits to its root.
/// </summary>
/// <param name="LogIndex">The leaf's index in the tree the proof is for (for Rekor v1, within the shard).</param>
/// <param name="RootHash">The tree's root hash (32 bytes).</param>
/// <param name="TreeSize">The tree's size.</param>
/// <param name="Hashes">The audit path, leaf to root, each 32 bytes.</param>
/// <param name="Checkpoint">The signed checkpoint (a C2SP signed note) as written; null when absent, which verification refuses.</param>
public sealed record InclusionProof(
    long LogIndex, ReadOnlyMemory<byte> RootHash, long TreeSize, ImmutableArray<ReadOnlyMemory<byte>> Hashes, string? Checkpoint)
{
    /// <summary>Decoding bound for a hash field; its exact length is checked after decoding.</summary>
    private const int MaxDecodedHash = 2 * MerkleTree.HashSize;

    internal static InclusionProof Parse(JsonElement element, string path)
    {
        TransparencyLogEntry.RequireOnly(element, path,
            "logIndex", "log_index", "rootHash", "root_hash", "treeSize", "tree_size", "hashes", "hashes", "checkpoint", "checkpoint");
        var logIndex = ProtoJson.OptionalInt64(element, "logIndex", "log_index", path, DiagnosticCode.LogEntryMalformed);
        var rootHash = ProtoJson.RequiredBytes(element, "rootHash", "root_hash", path, MaxDecodedHash);
        RequireHashSize(rootHash, StrictJson.Child(path, "rootHash"));
        var treeSize = ProtoJson.OptionalInt64(element, "treeSize", "tree_size", path, DiagnosticCode.LogEntryMalformed);

        var hashes = ImmutableArray<ReadOnlyMemory<byte>>.Empty;
        if (StrictJson.Optional(element, "hashes") is { } list)
        {
            var hashesPath = StrictJson.Child(path, "hashes");
            StrictJson.AsArray(list, hashesPath, Limits.MaxInclusionProofHashes, DiagnosticCode.LogEntryMalformed);
            var builder = ImmutableArray.CreateBuilder<ReadOnlyMemory<byte>>(list.GetArrayLength());
            var index = 0;
            foreach (var item in list.EnumerateArray())
            {
                var itemPath = StrictJson.Index(hashesPath, index++);
                var hash = StrictJson.DecodeBase64(StrictJson.AsString(item, itemPath), itemPath, MaxDecodedHash);
                RequireHashSize(hash, itemPath);
                builder.Add(hash);
            }

            hashes = builder.MoveToImmutable();
        }

        // A missing checkpoint is kept as null rather than refused here: the verifier then says whether the proof
        // itself holds before saying that nothing signed commits to its root.
        string? envelope = null;
        if (ProtoJson.Optional(element, "checkpoint", "checkpoint", path) is { } checkpoint)
        {
            var checkpointPath = StrictJson.Child(path, "checkpoint");
            TransparencyLogEntry.RequireOnly(checkpoint, checkpointPath, "envelope");
            envelope = StrictJson.OptionalString(checkpoint, "envelope", checkpointPath);
            if (envelope?.Length > Limits.MaxCheckpointBytes)
            {
                throw InvalidInputException.At(DiagnosticCode.CheckpointInvalid, checkpointPath,
                    $"the checkpoint is longer than {Limits.MaxCheckpointBytes} characters");
            }
        }

        return new InclusionProof(logIndex, rootHash, treeSize, hashes, string.IsNullOrEmpty(envelope) ? null : envelope);
    }

    private static void RequireHashSize(byte[] hash, string path)
    {
        if (hash.Length != MerkleTree.HashSize)
        {
            throw InvalidInputException.At(DiagnosticCode.LogEntryMalformed, path,
                $"a Merkle tree hash is {MerkleTree.HashSize} bytes (SHA-256), not {hash.Length}");
        }
    }
}
