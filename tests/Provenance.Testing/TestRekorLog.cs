using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Provenance.Testing;

/// <summary>Which Rekor a <see cref="TestRekorLog"/> behaves as.</summary>
public enum RekorGeneration
{
    /// <summary>Rekor v1: ECDSA P-256 key, signed entry timestamps, sigstore/rekor checkpoints.</summary>
    V1,
    /// <summary>Rekor v2 (rekor-tiles): Ed25519 key, C2SP tlog-checkpoint, no signed entry timestamp.</summary>
    V2,
}

/// <summary>
/// An in-memory Sigstore transparency log. Each entry is minted at a position of an RFC 6962 tree of filler leaves,
/// with its inclusion proof (RFC 6962 section 2.1.1, from <see cref="Rfc6962Tree"/>) and a checkpoint (C2SP
/// signed-note) signed by the log; Rekor v1 entries also carry a signed entry timestamp over the RFC 8785 canonical
/// JSON of body, integratedTime, logID and logIndex, as sigstore/rekor signs it. The key ID of a Rekor v1 checkpoint
/// line is the first 4 bytes of SHA-256 of the key's SubjectPublicKeyInfo (sigstore/rekor pkg/util); Rekor v2 signs
/// as C2SP signed-note Ed25519 keys do, with the log's host name as key name and origin.
/// </summary>
public sealed class TestRekorLog : IDisposable
{
    private readonly TestSigner _key;

    /// <summary>A log of <paramref name="generation"/> at <c>https://</c><paramref name="host"/>, with a fresh key.</summary>
    public TestRekorLog(RekorGeneration generation, string host = "rekor.provenance.test")
    {
        Generation = generation;
        Host = host;
        _key = TestSigner.Create(generation == RekorGeneration.V1 ? "ecdsa-p256-sha256" : "ed25519");
    }

    /// <summary>Rekor v1 or v2.</summary>
    public RekorGeneration Generation { get; }

    /// <summary>The log's host name: a Rekor v2 checkpoint's origin and key name.</summary>
    public string Host { get; }

    /// <summary>The base URL a trusted root gives the log.</summary>
    public string BaseUrl => "https://" + Host;

    /// <summary>The log's key, DER SubjectPublicKeyInfo.</summary>
    public byte[] PublicKeyDer => _key.PublicKeyDer;

    /// <summary>The log id entries name: SHA-256 of the key's SubjectPublicKeyInfo.</summary>
    public byte[] LogId => SHA256.HashData(_key.PublicKeyDer);

    /// <summary>The checkpoint origin: Rekor v1 appends its tree id to the host; Rekor v2 is the host itself.</summary>
    public string Origin => Generation == RekorGeneration.V1 ? Host + " - 1193050959916656506" : Host;

    /// <summary>The log as a trusted root's tlogs lists it.</summary>
    public JsonObject TrustedRootEntry(DateTimeOffset validFrom, DateTimeOffset? validTo = null) =>
        TrustedRootDocument.Log(BaseUrl, PublicKeyDer, Generation == RekorGeneration.V1 ? "PKIX_ECDSA_P256_SHA_256" : "PKIX_ED25519", validFrom, validTo);

    /// <summary>
    /// A bundle's tlog entry (protobuf-specs TransparencyLogEntry JSON) for <paramref name="body"/> at
    /// <paramref name="leafIndex"/> of a tree of <paramref name="treeSize"/> leaves, its proof claiming
    /// <paramref name="claimedSize"/> (default the real size). A signed entry timestamp is added when
    /// <paramref name="integratedTime"/> (Unix seconds) is given to a Rekor v1 log.
    /// </summary>
    public JsonObject Entry(byte[] body, string kind, string version, long? integratedTime, int leafIndex = 3, int treeSize = 5, int? claimedSize = null)
    {
        var leaves = Enumerable.Range(0, treeSize).Select(i => i == leafIndex ? body : [(byte)i]).ToArray();
        var root = Rfc6962Tree.Mth(leaves);
        var index = leafIndex.ToString(CultureInfo.InvariantCulture);
        var entry = new JsonObject
        {
            ["logIndex"] = index,
            ["logId"] = new JsonObject { ["keyId"] = Convert.ToBase64String(LogId) },
            ["kindVersion"] = new JsonObject { ["kind"] = kind, ["version"] = version },
        };
        if (integratedTime is { } time)
        {
            entry["integratedTime"] = time.ToString(CultureInfo.InvariantCulture);
        }

        entry["inclusionProof"] = new JsonObject
        {
            ["logIndex"] = index,
            ["rootHash"] = Convert.ToBase64String(root),
            ["treeSize"] = (claimedSize ?? treeSize).ToString(CultureInfo.InvariantCulture),
            ["hashes"] = new JsonArray([.. Rfc6962Tree.Path(leafIndex, leaves).Select(h => (JsonNode)Convert.ToBase64String(h.Span))]),
            ["checkpoint"] = new JsonObject { ["envelope"] = Checkpoint(treeSize, root) },
        };
        entry["canonicalizedBody"] = Convert.ToBase64String(body);
        if (integratedTime is not null && Generation == RekorGeneration.V1)
        {
            entry["inclusionPromise"] = new JsonObject { ["signedEntryTimestamp"] = Convert.ToBase64String(SignedEntryTimestamp(entry)) };
        }

        return entry;
    }

    /// <summary>
    /// This log's signature over the SET payload of <paramref name="entry"/> as it now stands: canonical JSON (RFC 8785)
    /// of these four ASCII keys is their code-point order with integers in decimal.
    /// </summary>
    public byte[] SignedEntryTimestamp(JsonObject entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var payload = new JsonObject
        {
            ["body"] = entry["canonicalizedBody"]!.GetValue<string>(),
            ["integratedTime"] = long.Parse(entry["integratedTime"]!.GetValue<string>(), CultureInfo.InvariantCulture),
            ["logID"] = Convert.ToHexStringLower(Convert.FromBase64String(entry["logId"]!["keyId"]!.GetValue<string>())),
            ["logIndex"] = long.Parse(entry["logIndex"]!.GetValue<string>(), CultureInfo.InvariantCulture),
        };
        return _key.Sign(Encoding.UTF8.GetBytes(payload.ToJsonString()));
    }

    /// <summary>A checkpoint for a tree of <paramref name="size"/> with <paramref name="rootHash"/>, signed by this log's key.</summary>
    public string Checkpoint(long size, ReadOnlySpan<byte> rootHash) => Checkpoint(size, rootHash, this);

    /// <summary>
    /// A checkpoint of this log's origin signed by <paramref name="signer"/>'s key, under that log's key name and ID:
    /// what a log the trusted root does not list would produce.
    /// </summary>
    public string Checkpoint(long size, ReadOnlySpan<byte> rootHash, TestRekorLog signer)
    {
        ArgumentNullException.ThrowIfNull(signer);
        var text = string.Create(CultureInfo.InvariantCulture, $"{Origin}\n{size}\n{Convert.ToBase64String(rootHash)}\n");
        if (Generation == RekorGeneration.V1)
        {
            text += "Timestamp: 1704067200000000000\n";
        }

        return text + "\n" + NoteSignatureLine(signer.Host, signer.KeyId(signer.Host), signer._key.Sign(Encoding.UTF8.GetBytes(text)));
    }

    /// <summary>One signature line of a C2SP signed note: em dash, key name, base64 of the 4-byte key ID and the signature.</summary>
    public static string NoteSignatureLine(string name, uint keyId, byte[] signature)
    {
        ArgumentNullException.ThrowIfNull(signature);
        var bytes = new byte[4 + signature.Length];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, keyId);
        signature.CopyTo(bytes, 4);
        return "\u2014 " + name + " " + Convert.ToBase64String(bytes) + "\n";
    }

    /// <summary>
    /// The key ID of a note signature: Rekor v1, SHA-256 of the SubjectPublicKeyInfo; C2SP Ed25519,
    /// SHA-256(key name || 0x0A || 0x01 || 32-byte key); both cut to their first 4 bytes.
    /// </summary>
    private uint KeyId(string keyName)
    {
        var hashed = Generation == RekorGeneration.V1
            ? PublicKeyDer
            : [.. Encoding.UTF8.GetBytes(keyName), 0x0A, 0x01, .. PublicKeyDer.AsSpan(PublicKeyDer.Length - 32)];
        return BinaryPrimitives.ReadUInt32BigEndian(SHA256.HashData(hashed));
    }

    /// <inheritdoc />
    public void Dispose() => _key.Dispose();
}
