using System.Buffers.Binary;
using System.Formats.Asn1;
using System.Security.Cryptography;

namespace Provenance.Sigstore;

/// <summary>
/// Verifies the signed certificate timestamps (SCTs) embedded in a Fulcio leaf (RFC 6962 section 3.2 and 3.3): each
/// one a promise by a certificate transparency log of the trusted root to publish the precertificate. Only SCT v1 is
/// defined; SCTs of other versions, or from logs the root does not trust, count for nothing. The caller applies the
/// threshold, as sigstore-go's <c>VerifySignedCertificateTimestamp</c> does.
/// </summary>
internal static class SctVerifier
{
    /// <summary>The embedded SCT list extension (RFC 6962 section 3.3).</summary>
    public const string SctListOid = "1.3.6.1.4.1.11129.2.4.2";

    /// <summary>
    /// Null when SCTs from at least <paramref name="threshold"/> distinct trusted logs verify over
    /// <paramref name="leaf"/> as issued by <paramref name="issuer"/> (from <see cref="CertificateChainVerifier"/>).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="threshold"/> is below 1.</exception>
    public static Problem? Verify(FulcioCertificate leaf, CertificateAuthority issuer, TrustedRoot root, int threshold = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threshold, 1);
        int verified;
        try
        {
            verified = CountVerifiedLogs(leaf, issuer, root);
        }
        catch (InvalidInputException e)
        {
            return e.Problem;
        }

        if (verified >= threshold)
        {
            return null;
        }

        return leaf.Certificate.FindExtension(SctListOid) is null
            ? new Problem(DiagnosticCode.SctMissing, "the signing certificate carries no signed certificate timestamps (RFC 6962)", "certificate")
            : new Problem(DiagnosticCode.SctInvalid,
                $"signed certificate timestamps from {verified} trusted log(s) verified; {threshold} are required", "certificate");
    }

    /// <summary>
    /// The number of distinct trusted logs whose SCT over <paramref name="leaf"/> verifies; throws
    /// <see cref="InvalidInputException"/> (<see cref="DiagnosticCode.SctInvalid"/>) when the SCT list is malformed.
    /// </summary>
    public static int CountVerifiedLogs(FulcioCertificate leaf, CertificateAuthority issuer, TrustedRoot root)
    {
        ArgumentNullException.ThrowIfNull(leaf);
        ArgumentNullException.ThrowIfNull(issuer);
        ArgumentNullException.ThrowIfNull(root);
        var certificate = leaf.Certificate;
        if (certificate.FindExtension(SctListOid) is not { } extension)
        {
            return 0;
        }

        var trusted = root.Parsed.CertificateAuthorities.FirstOrDefault(a => ReferenceEquals(a.Authority, issuer))
            ?? throw new ArgumentException("The issuer is not an authority of this trusted root.", nameof(issuer));
        if (trusted.Certificates.IsEmpty)
        {
            return 0;
        }

        var list = ReadList(extension.Value);
        var issuerKeyHash = SHA256.HashData(trusted.Issuing.SubjectPublicKeyInfo.Span);
        var tbs = TbsWithoutSctList(certificate);
        var verifiedLogs = new HashSet<string>(StringComparer.Ordinal);
        foreach (var sct in list)
        {
            if (Verify(sct, issuerKeyHash, tbs, root) is { } logId)
            {
                verifiedLogs.Add(logId);
            }
        }

        return verifiedLogs.Count;
    }

    /// <summary>The log's id (base64) when <paramref name="sct"/> verifies with a trusted log, else null.</summary>
    private static string? Verify(ReadOnlyMemory<byte> sct, byte[] issuerKeyHash, byte[] tbs, TrustedRoot root)
    {
        // RFC 6962 section 3.2: version(1) log_id(32) timestamp(8) extensions<0..2^16-1> hash(1) signature-algorithm(1) signature<0..2^16-1>.
        var span = sct.Span;
        if (span.Length < 1 || span[0] != 0)
        {
            return null;
        }

        var reader = new TlsReader(sct[1..]);
        var logId = reader.Read(32);
        var timestamp = BinaryPrimitives.ReadUInt64BigEndian(reader.Read(8).Span);
        var extensions = reader.ReadVector(2);
        var hash = reader.Read(1).Span[0];
        var signatureAlgorithm = reader.Read(1).Span[0];
        var signature = reader.ReadVector(2);
        reader.ThrowIfNotEmpty();

        if (root.FindCertificateTransparencyLog(logId.Span) is not { Key: { } key } log
            || timestamp > (ulong)DateTimeOffset.MaxValue.ToUnixTimeMilliseconds()
            || !log.ValidFor.Contains(DateTimeOffset.FromUnixTimeMilliseconds((long)timestamp))
            || key.Algorithm != AlgorithmName(hash, signatureAlgorithm))
        {
            return null;
        }

        // RFC 6962 section 3.2, the digitally-signed struct for a precert_entry: version, signature_type
        // certificate_timestamp (0), timestamp, entry_type precert_entry (1), issuer_key_hash, tbs_certificate<1..2^24-1>, extensions.
        var signed = new byte[1 + 1 + 8 + 2 + 32 + 3 + tbs.Length + 2 + extensions.Length];
        var position = 0;
        signed[position++] = 0;
        signed[position++] = 0;
        BinaryPrimitives.WriteUInt64BigEndian(signed.AsSpan(position), timestamp);
        position += 8;
        BinaryPrimitives.WriteUInt16BigEndian(signed.AsSpan(position), 1);
        position += 2;
        issuerKeyHash.CopyTo(signed, position);
        position += 32;
        signed[position++] = unchecked((byte)(tbs.Length >> 16));
        signed[position++] = unchecked((byte)(tbs.Length >> 8));
        signed[position++] = unchecked((byte)tbs.Length);
        tbs.CopyTo(signed, position);
        position += tbs.Length;
        BinaryPrimitives.WriteUInt16BigEndian(signed.AsSpan(position), (ushort)extensions.Length);
        position += 2;
        extensions.Span.CopyTo(signed.AsSpan(position));

        return key.Verify(signed, signature.Span) ? Convert.ToBase64String(logId.Span) : null;
    }

    /// <summary>
    /// The <see cref="Cryptography.VerificationKey.Algorithm"/> an SCT's SignatureAndHashAlgorithm (RFC 5246 section
    /// 7.4.1.4.1) means; the log's key must be of exactly that scheme.
    /// </summary>
    private static string? AlgorithmName(byte hash, byte signature) => (hash, signature) switch
    {
        (4, 3) => "ecdsa-p256-sha256",
        (5, 3) => "ecdsa-p384-sha384",
        (6, 3) => "ecdsa-p521-sha512",
        (4, 1) => "rsa-pkcs1v15-sha256",
        (5, 1) => "rsa-pkcs1v15-sha384",
        (6, 1) => "rsa-pkcs1v15-sha512",
        _ => null,
    };

    /// <summary>Reads the SignedCertificateTimestampList inside the extension's OCTET STRING (RFC 6962 section 3.3).</summary>
    private static List<ReadOnlyMemory<byte>> ReadList(ReadOnlyMemory<byte> extensionValue)
    {
        ReadOnlyMemory<byte> tls;
        try
        {
            var reader = new AsnReader(extensionValue, AsnEncodingRules.DER);
            tls = reader.ReadOctetString();
            reader.ThrowIfNotEmpty();
        }
        catch (AsnContentException)
        {
            throw Invalid("the SCT list extension is not a DER OCTET STRING");
        }

        var outer = new TlsReader(tls);
        var list = new TlsReader(outer.ReadVector(2));
        outer.ThrowIfNotEmpty();
        var result = new List<ReadOnlyMemory<byte>>();
        while (list.HasData)
        {
            if (result.Count >= Limits.MaxSignedCertificateTimestamps)
            {
                throw Invalid($"more than {Limits.MaxSignedCertificateTimestamps} signed certificate timestamps");
            }

            var sct = list.ReadVector(2);
            if (sct.IsEmpty)
            {
                throw Invalid("an empty signed certificate timestamp");
            }

            result.Add(sct);
        }

        if (result.Count == 0)
        {
            throw Invalid("the SCT list is empty");
        }

        return result;
    }

    /// <summary>
    /// The leaf's TBSCertificate as the log signed it, the precertificate's (RFC 6962 section 3.2): the same fields,
    /// without the SCT list extension, re-encoded.
    /// </summary>
    private static byte[] TbsWithoutSctList(ParsedCertificate certificate)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            foreach (var field in certificate.TbsFieldsBeforeExtensions)
            {
                writer.WriteEncodedValue(field.Span);
            }

            var remaining = certificate.Extensions.Where(e => e.Oid != SctListOid).ToList();
            if (remaining.Count > 0)
            {
                using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 3, isConstructed: true)))
                using (writer.PushSequence())
                {
                    foreach (var extension in remaining)
                    {
                        writer.WriteEncodedValue(extension.Encoded.Span);
                    }
                }
            }
        }

        return writer.Encode();
    }

    private static InvalidInputException Invalid(string message) =>
        InvalidInputException.At(DiagnosticCode.SctInvalid, "certificate", message + " (RFC 6962 section 3.3)");

    /// <summary>TLS presentation-language reads (RFC 5246 section 4) over untrusted bytes; short input throws.</summary>
    private struct TlsReader(ReadOnlyMemory<byte> data)
    {
        private ReadOnlyMemory<byte> _rest = data;

        public readonly bool HasData => !_rest.IsEmpty;

        public ReadOnlyMemory<byte> Read(int length)
        {
            if (_rest.Length < length)
            {
                throw Invalid("a signed certificate timestamp is truncated");
            }

            var value = _rest[..length];
            _rest = _rest[length..];
            return value;
        }

        /// <summary>A vector with a big-endian length prefix of <paramref name="lengthBytes"/> bytes.</summary>
        public ReadOnlyMemory<byte> ReadVector(int lengthBytes)
        {
            var prefix = Read(lengthBytes).Span;
            var length = 0;
            foreach (var b in prefix)
            {
                length = (length << 8) | b;
            }

            return Read(length);
        }

        public readonly void ThrowIfNotEmpty()
        {
            if (HasData)
            {
                throw Invalid("bytes follow a signed certificate timestamp structure");
            }
        }
    }
}
