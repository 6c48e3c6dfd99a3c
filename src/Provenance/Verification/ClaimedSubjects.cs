using System.Buffers.Binary;
using System.Text.Json;
using Provenance.Cryptography;

namespace Provenance.Verification;

/// <summary>
/// A subject digest as an index key: the algorithm and the digest's first 16 bytes. It only chooses which
/// attestations to verify for an artifact; the match itself is always made on the whole digest of a verified
/// statement, so a shared prefix could at most cost one extra verification. Two longs rather than an Int128, whose
/// 16-byte alignment made each key, and so each index entry, a third larger.
/// </summary>
internal readonly record struct ClaimKey(DigestAlgorithm Algorithm, long High, long Low)
{
    public static ClaimKey Of(DigestAlgorithm algorithm, ReadOnlySpan<byte> digest) =>
        new(algorithm, BinaryPrimitives.ReadInt64LittleEndian(digest), BinaryPrimitives.ReadInt64LittleEndian(digest[8..]));

    public static ClaimKey Of(ArtifactDigest digest) => Of(digest.Algorithm, digest.ToBytes());
}

/// <summary>
/// Reads which artifacts an in-toto statement claims to be about, before anything in it is verified. A batch uses
/// this to decide which attestations an artifact needs verified, so that verified attestations need not be kept
/// until every artifact has been hashed. Nothing read here decides a verdict: the statement is read again, strictly,
/// once its signature has verified.
/// </summary>
internal static class ClaimedSubjects
{
    // Escaping can spell one character in six bytes, so a value of up to this many bytes fits once unescaped.
    private const int MaxDigestValueBytes = 6 * 2 * 64;

    /// <summary>
    /// Adds a key for each sha256, sha384 or sha512 subject digest of <paramref name="payload"/> to
    /// <paramref name="keys"/>, and returns how many subjects gave one; 0 when the payload is not a statement with
    /// such subjects.
    /// </summary>
    public static int Read(ReadOnlySpan<byte> payload, List<ClaimKey> keys)
    {
        var before = keys.Count;
        try
        {
            var reader = new Utf8JsonReader(payload);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return 0;
            }

            var subjects = 0;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isSubject = reader.ValueTextEquals("subject"u8);
                reader.Read();
                if (isSubject && reader.TokenType == JsonTokenType.StartArray)
                {
                    subjects += ReadSubjects(ref reader, keys);
                }
                else
                {
                    reader.Skip();
                }
            }

            // Anything after the statement makes it no statement, as the strict reader would find.
            return reader.Read() ? 0 : subjects;
        }
        catch (JsonException)
        {
            // Not JSON after all: whatever was read from it names nothing.
            keys.RemoveRange(before, keys.Count - before);
            return 0;
        }
    }

    private static int ReadSubjects(ref Utf8JsonReader reader, List<ClaimKey> keys)
    {
        var subjects = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                continue;
            }

            var before = keys.Count;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isDigest = reader.ValueTextEquals("digest"u8);
                reader.Read();
                if (isDigest && reader.TokenType == JsonTokenType.StartObject)
                {
                    ReadDigests(ref reader, keys);
                }
                else
                {
                    reader.Skip();
                }
            }

            subjects += keys.Count > before ? 1 : 0;
        }

        return subjects;
    }

    private static void ReadDigests(ref Utf8JsonReader reader, List<ClaimKey> keys)
    {
        Span<char> hex = stackalloc char[MaxDigestValueBytes];
        Span<byte> digest = stackalloc byte[64];
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            // The names are compared exactly, as the strict statement reader does: "SHA256" can never match.
            DigestAlgorithm? algorithm = reader.ValueTextEquals("sha256"u8) ? DigestAlgorithm.Sha256
                : reader.ValueTextEquals("sha384"u8) ? DigestAlgorithm.Sha384
                : reader.ValueTextEquals("sha512"u8) ? DigestAlgorithm.Sha512
                : null;
            reader.Read();
            if (algorithm is not { } known || reader.TokenType != JsonTokenType.String || reader.ValueSpan.Length > MaxDigestValueBytes)
            {
                reader.Skip();
                continue;
            }

            var size = known.SizeInBytes();
            var chars = reader.CopyString(hex);
            if (chars == 2 * size
                && Convert.FromHexString(hex[..chars], digest, out _, out var written) == System.Buffers.OperationStatus.Done
                && written == size)
            {
                keys.Add(ClaimKey.Of(known, digest[..size]));
            }
        }
    }
}
