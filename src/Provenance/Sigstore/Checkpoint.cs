using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Provenance.Cryptography;
using Provenance.Json;

namespace Provenance.Sigstore;

/// <summary>
/// A transparency log checkpoint (C2SP tlog-checkpoint): the note text a log signs to commit to its tree. Read only
/// after a signature by the log has verified (<see cref="CheckpointVerifier"/>).
/// </summary>
/// <param name="Origin">The first line: the log's identity (for Rekor v2, the host name of the log).</param>
/// <param name="Size">The tree size.</param>
/// <param name="RootHash">The root hash of the tree of that size.</param>
/// <param name="Extensions">Further non-empty lines (Rekor v1 writes <c>Timestamp: …</c>); not interpreted.</param>
public sealed record Checkpoint(string Origin, long Size, ReadOnlyMemory<byte> RootHash, ImmutableArray<string> Extensions)
{
    /// <summary>
    /// Reads the note text: origin, decimal tree size, base64 root hash, each ending in a newline, then optional
    /// non-empty extension lines (C2SP tlog-checkpoint, "Note text").
    /// </summary>
    internal static Checkpoint ParseText(string text)
    {
        if (!text.EndsWith('\n'))
        {
            throw CheckpointVerifier.Invalid("the checkpoint text does not end with a newline");
        }

        var lines = text[..^1].Split('\n');
        if (lines.Length < 3)
        {
            throw CheckpointVerifier.Invalid("the checkpoint needs an origin, a tree size and a root hash, each on its own line");
        }

        var origin = lines[0];
        if (origin.Length == 0)
        {
            throw CheckpointVerifier.Invalid("the checkpoint's origin line is empty");
        }

        // ASCII decimal without sign or leading zeros, so one size has one spelling.
        var sizeText = lines[1];
        if (sizeText.Length == 0 || sizeText.AsSpan().ContainsAnyExceptInRange('0', '9') || (sizeText.Length > 1 && sizeText[0] == '0')
            || !long.TryParse(sizeText, NumberStyles.None, CultureInfo.InvariantCulture, out var size))
        {
            throw CheckpointVerifier.Invalid($"the checkpoint's second line \"{StrictJson.Printable(sizeText, 40)}\" is not a tree size");
        }

        byte[] rootHash;
        try
        {
            rootHash = StrictJson.DecodeBase64(lines[2], "checkpoint", 2 * MerkleTree.HashSize);
        }
        catch (InvalidInputException)
        {
            throw CheckpointVerifier.Invalid("the checkpoint's third line is not a base64 root hash");
        }

        if (rootHash.Length != MerkleTree.HashSize)
        {
            throw CheckpointVerifier.Invalid($"the checkpoint's root hash is {rootHash.Length} bytes, not {MerkleTree.HashSize}");
        }

        var extensions = lines.AsSpan(3);
        foreach (var line in extensions)
        {
            if (line.Length == 0)
            {
                throw CheckpointVerifier.Invalid("the checkpoint has an empty extension line");
            }
        }

        return new Checkpoint(origin, size, rootHash, [.. extensions]);
    }
}

/// <summary>One signature line of a signed note: <c>— name base64(key ID || signature)</c>.</summary>
/// <param name="Name">The key name.</param>
/// <param name="KeyId">The 4-byte key ID, big-endian.</param>
/// <param name="Signature">The signature bytes after the key ID.</param>
internal sealed record NoteSignature(string Name, uint KeyId, ReadOnlyMemory<byte> Signature);

/// <summary>
/// A signed note (C2SP signed-note): a UTF-8 text ending in a newline, a blank line, and one or more signature lines.
/// The text is separated from the signatures by the last blank line.
/// </summary>
/// <param name="Text">The signed text, including its final newline.</param>
/// <param name="Signatures">The signature lines in order.</param>
internal sealed record SignedNote(string Text, ImmutableArray<NoteSignature> Signatures)
{
    private const string SignaturePrefix = "\u2014 ";
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The UTF-8 bytes every signature is over.</summary>
    public byte[] TextBytes() => StrictUtf8.GetBytes(Text);

    public static SignedNote Parse(string note)
    {
        // "Signed notes MUST be valid UTF-8 and MUST NOT contain any ASCII control characters other than newline."
        foreach (var c in note)
        {
            if (c < 0x20 && c != '\n')
            {
                throw CheckpointVerifier.Invalid("the note contains a control character");
            }
        }

        try
        {
            _ = StrictUtf8.GetByteCount(note);
        }
        catch (EncoderFallbackException)
        {
            throw CheckpointVerifier.Invalid("the note is not valid Unicode");
        }

        var split = note.LastIndexOf("\n\n", StringComparison.Ordinal);
        if (split < 0)
        {
            throw CheckpointVerifier.Invalid("the note has no blank line before its signatures");
        }

        var text = note[..(split + 1)];
        var block = note[(split + 2)..];
        if (block.Length == 0 || !block.EndsWith('\n'))
        {
            throw CheckpointVerifier.Invalid("the note's signature lines do not end with a newline");
        }

        var signatures = ImmutableArray.CreateBuilder<NoteSignature>();
        foreach (var line in block[..^1].Split('\n'))
        {
            if (signatures.Count == Limits.MaxNoteSignatures)
            {
                throw CheckpointVerifier.Invalid($"the note has more than {Limits.MaxNoteSignatures} signatures");
            }

            signatures.Add(ParseSignatureLine(line));
        }

        return new SignedNote(text, signatures.ToImmutable());
    }

    private static NoteSignature ParseSignatureLine(string line)
    {
        if (!line.StartsWith(SignaturePrefix, StringComparison.Ordinal))
        {
            throw CheckpointVerifier.Invalid("a signature line does not start with an em dash (U+2014) and a space");
        }

        var rest = line[SignaturePrefix.Length..];
        var space = rest.IndexOf(' ', StringComparison.Ordinal);
        if (space < 0)
        {
            throw CheckpointVerifier.Invalid("a signature line has no space between the key name and the signature");
        }

        var name = rest[..space];
        var encoded = rest[(space + 1)..];
        if (!IsValidKeyName(name))
        {
            throw CheckpointVerifier.Invalid($"the key name \"{StrictJson.Printable(name, 60)}\" is empty or contains a space or '+'");
        }

        byte[] bytes;
        try
        {
            bytes = StrictJson.DecodeBase64(encoded, "checkpoint", Limits.MaxSignatureBytes + 4);
        }
        catch (InvalidInputException)
        {
            throw CheckpointVerifier.Invalid($"the signature of \"{StrictJson.Printable(name, 60)}\" is not standard base64");
        }

        if (bytes.Length < 5)
        {
            throw CheckpointVerifier.Invalid($"the signature of \"{StrictJson.Printable(name, 60)}\" is shorter than a key ID and one byte");
        }

        return new NoteSignature(name, BinaryPrimitives.ReadUInt32BigEndian(bytes), bytes.AsMemory(4));
    }

    /// <summary>"Key names MUST be non-empty and MUST NOT contain any Unicode spaces or plus (U+002B) characters."</summary>
    private static bool IsValidKeyName(string name)
    {
        if (name.Length == 0)
        {
            return false;
        }

        foreach (var c in name)
        {
            if (c == '+' || char.IsWhiteSpace(c))
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>
/// Verifies the checkpoint of an inclusion proof with the log's key from the trusted root, in the two ways Sigstore
/// logs sign them:
/// Rekor v2 per C2SP signed-note and tlog-checkpoint (key name = origin = the log's host name; signatures from
/// unknown keys ignored), and Rekor v1 as sigstore/rekor <c>SignedNote.Verify</c> does (every signature line must be
/// the log's and verify; key ID = first 4 bytes of SHA-256 of the key's DER SubjectPublicKeyInfo).
/// </summary>
internal static class CheckpointVerifier
{
    /// <summary>
    /// C2SP signed-note: key ID = SHA-256(key name || 0x0A || 0x01 || 32-byte Ed25519 public key)[:4].
    /// </summary>
    public static uint Ed25519KeyId(string keyName, ReadOnlySpan<byte> publicKey)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes(keyName));
        hash.AppendData([0x0A, 0x01]);
        hash.AppendData(publicKey);
        return BinaryPrimitives.ReadUInt32BigEndian(hash.GetHashAndReset());
    }

    /// <summary>
    /// Key ID of ECDSA (C2SP signed-note type 0x02, and Rekor v1 for every key type): the first 4 bytes of SHA-256 of
    /// the DER SubjectPublicKeyInfo.
    /// </summary>
    public static uint SpkiKeyId(ReadOnlySpan<byte> subjectPublicKeyInfo) =>
        BinaryPrimitives.ReadUInt32BigEndian(SHA256.HashData(subjectPublicKeyInfo));

    /// <summary>The key ID a Rekor v2 log (rekor-tiles) signs its checkpoints with, by key type.</summary>
    public static uint C2spKeyId(string keyName, VerificationKey key) =>
        key.Algorithm == KeyAlgorithms.Ed25519.Name
            ? Ed25519KeyId(keyName, RawEd25519(key))
            : SpkiKeyId(key.SubjectPublicKeyInfo.Span);

    /// <summary>
    /// Opens a signed note as C2SP signed-note requires: signatures whose key name and ID are not the log's are ignored;
    /// one that claims the log's name and ID must verify; at least one must. Then reads it as a checkpoint of
    /// <paramref name="origin"/>.
    /// </summary>
    public static Checkpoint VerifyC2sp(string envelope, string origin, VerificationKey key)
    {
        var note = SignedNote.Parse(envelope);
        var keyId = C2spKeyId(origin, key);
        var text = note.TextBytes();
        var verified = false;
        foreach (var signature in note.Signatures)
        {
            if (signature.Name != origin || signature.KeyId != keyId)
            {
                continue;
            }

            if (!key.Verify(text, signature.Signature.Span))
            {
                throw Invalid($"the checkpoint signature by the log \"{StrictJson.Printable(origin, 80)}\" does not verify");
            }

            verified = true;
        }

        if (!verified)
        {
            throw Invalid($"the checkpoint carries no signature by the log \"{StrictJson.Printable(origin, 80)}\" with its key from the trusted root");
        }

        var checkpoint = Checkpoint.ParseText(note.Text);
        if (checkpoint.Origin != origin)
        {
            throw Invalid($"the checkpoint's origin \"{StrictJson.Printable(checkpoint.Origin, 80)}\" is not the log's \"{StrictJson.Printable(origin, 80)}\"");
        }

        return checkpoint;
    }

    /// <summary>
    /// Verifies a Rekor v1 checkpoint: every signature line must carry the log key's ID and verify (sigstore/rekor
    /// pkg/util SignedNote.Verify), so a checkpoint with a stranger's line is refused.
    /// </summary>
    public static Checkpoint VerifyRekorV1(string envelope, VerificationKey key)
    {
        var note = SignedNote.Parse(envelope);
        var keyId = SpkiKeyId(key.SubjectPublicKeyInfo.Span);
        var text = note.TextBytes();

        // Rekor v1 names its key after its host, the start of its origin "HOST - TREE_ID"; a line under another name
        // is not the log's, whatever key ID it shows (golang.org/x/mod/sumdb/note matches name and ID together).
        var checkpoint = Checkpoint.ParseText(note.Text);
        var separator = checkpoint.Origin.IndexOf(" - ", StringComparison.Ordinal);
        var host = separator > 0 ? checkpoint.Origin[..separator] : checkpoint.Origin;
        foreach (var signature in note.Signatures)
        {
            if (signature.Name != host)
            {
                throw Invalid($"the checkpoint signature is by \"{StrictJson.Printable(signature.Name, 80)}\", not by the log \"{StrictJson.Printable(host, 80)}\" its origin names");
            }

            if (signature.KeyId != keyId)
            {
                throw Invalid($"the checkpoint signature of \"{StrictJson.Printable(signature.Name, 80)}\" has key ID {signature.KeyId:x8}, not the log key's {keyId:x8}");
            }

            if (!key.Verify(text, signature.Signature.Span))
            {
                throw Invalid($"the checkpoint signature of \"{StrictJson.Printable(signature.Name, 80)}\" does not verify with the log's key");
            }
        }

        return checkpoint;
    }

    internal static InvalidInputException Invalid(string message) =>
        InvalidInputException.At(DiagnosticCode.CheckpointInvalid, "checkpoint", message);

    /// <summary>The 32-byte key of an Ed25519 SubjectPublicKeyInfo (RFC 8410: the BIT STRING ends the structure).</summary>
    private static ReadOnlySpan<byte> RawEd25519(VerificationKey key) => key.SubjectPublicKeyInfo.Span[^32..];
}
