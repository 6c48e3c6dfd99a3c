using System.Collections.Immutable;
using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Provenance.Cryptography;

namespace Provenance.Sigstore;

/// <summary>The signature schemes a certificate may be signed with (RFC 5758 section 3.2, RFC 4055, RFC 8410).</summary>
internal enum CertificateSignatureFamily
{
    Ecdsa,
    RsaPkcs1,
    RsaPss,
    Ed25519,
}

/// <summary>A certificate's signatureAlgorithm, when it is one the verifier supports.</summary>
internal sealed record CertificateSignatureAlgorithm(CertificateSignatureFamily Family, HashAlgorithmName Hash);

/// <summary>One extension as encoded (RFC 5280 section 4.1): its OID, criticality, extnValue contents and whole DER.</summary>
internal sealed record CertificateExtension(string Oid, bool Critical, ReadOnlyMemory<byte> Value, ReadOnlyMemory<byte> Encoded);

/// <summary>
/// An X.509 v3 certificate split into the parts verification needs (RFC 5280 section 4.1), read with strict DER
/// from untrusted bytes. Nothing here is trusted: <see cref="CertificateChainVerifier"/> decides that. Malformed
/// input throws <see cref="InvalidInputException"/> with <see cref="DiagnosticCode.CertificateMalformed"/>.
/// </summary>
internal sealed class ParsedCertificate
{
    public const string BasicConstraintsOid = "2.5.29.19";
    public const string KeyUsageOid = "2.5.29.15";
    public const string ExtendedKeyUsageOid = "2.5.29.37";
    public const string SubjectAlternativeNameOid = "2.5.29.17";
    public const string CodeSigningOid = "1.3.6.1.5.5.7.3.3";
    public const string AnyExtendedKeyUsageOid = "2.5.29.37.0";

    /// <summary>id-kp-timeStamping (RFC 5280 section 4.2.1.12).</summary>
    public const string TimestampingOid = "1.3.6.1.5.5.7.3.8";

    /// <summary>RFC 5280 section 4.2.1.3: bit 0 (the most significant bit of the first byte).</summary>
    public const int DigitalSignatureBit = 0;

    /// <summary>RFC 5280 section 4.2.1.3: bit 5.</summary>
    public const int KeyCertSignBit = 5;

    private static readonly Asn1Tag VersionTag = new(TagClass.ContextSpecific, 0, isConstructed: true);
    private static readonly Asn1Tag ExtensionsTag = new(TagClass.ContextSpecific, 3, isConstructed: true);

    private ParsedCertificate()
    {
    }

    public ReadOnlyMemory<byte> Der { get; private init; }

    /// <summary>The encoded TBSCertificate: the bytes the issuer signed.</summary>
    public ReadOnlyMemory<byte> Tbs { get; private init; }

    /// <summary>The encoded TBSCertificate fields before the extensions, to re-encode it without one (RFC 6962 section 3.2).</summary>
    public ImmutableArray<ReadOnlyMemory<byte>> TbsFieldsBeforeExtensions { get; private init; }

    /// <summary>Null when the signature algorithm is not supported: such a certificate never verifies.</summary>
    public CertificateSignatureAlgorithm? SignatureAlgorithm { get; private init; }

    public ReadOnlyMemory<byte> Signature { get; private init; }

    public ReadOnlyMemory<byte> SerialNumber { get; private init; }

    public ReadOnlyMemory<byte> Issuer { get; private init; }

    public ReadOnlyMemory<byte> Subject { get; private init; }

    public DateTimeOffset NotBefore { get; private init; }

    public DateTimeOffset NotAfter { get; private init; }

    public ReadOnlyMemory<byte> SubjectPublicKeyInfo { get; private init; }

    public ImmutableArray<CertificateExtension> Extensions { get; private init; }

    /// <summary>basicConstraints cA; false when the extension is absent (RFC 5280 section 4.2.1.9).</summary>
    public bool IsCa { get; private init; }

    /// <summary>basicConstraints pathLenConstraint, when given.</summary>
    public int? PathLength { get; private init; }

    /// <summary>The keyUsage bits, or null when the extension is absent.</summary>
    public ReadOnlyMemory<byte>? KeyUsage { get; private init; }

    /// <summary>The extKeyUsage purposes, or null when the extension is absent.</summary>
    public ImmutableArray<string>? ExtendedKeyUsages { get; private init; }

    /// <summary>True when <paramref name="time"/> is within notBefore..notAfter, both included (RFC 5280 section 4.1.2.5).</summary>
    public bool IsValidAt(DateTimeOffset time) => time >= NotBefore && time <= NotAfter;

    public bool HasKeyUsage(int bit) =>
        KeyUsage is { } bits && bit / 8 < bits.Length && (bits.Span[bit / 8] & (0x80 >> (bit % 8))) != 0;

    /// <summary>True when the extKeyUsage extension is absent, or allows code signing (directly or as anyExtendedKeyUsage).</summary>
    public bool AllowsCodeSigning =>
        ExtendedKeyUsages is not { } purposes || purposes.Contains(CodeSigningOid) || purposes.Contains(AnyExtendedKeyUsageOid);

    /// <summary>
    /// True when the extKeyUsage extension names <paramref name="purpose"/> and nothing else, and is critical when
    /// <paramref name="mustBeCritical"/> (RFC 3161 section 2.3 for a timestamping key).
    /// </summary>
    public bool IsRestrictedTo(string purpose, bool mustBeCritical) =>
        FindExtension(ExtendedKeyUsageOid) is { } extension
        && (extension.Critical || !mustBeCritical)
        && ExtendedKeyUsages is [var only] && only == purpose;

    /// <summary>
    /// True for a CA certificate whose keyUsage allows keyCertSign (RFC 5280 sections 4.2.1.3 and 4.2.1.9). With
    /// <paramref name="keyUsageRequired"/> false a certificate without keyUsage also qualifies.
    /// </summary>
    public bool MayIssueCertificates(bool keyUsageRequired) =>
        IsCa && (KeyUsage is null ? !keyUsageRequired : HasKeyUsage(KeyCertSignBit));

    /// <summary>The subject as text (RFC 4514 style), for messages.</summary>
    public string SubjectText => new X500DistinguishedName(Subject.Span).Name;

    public CertificateExtension? FindExtension(string oid) => Find(Extensions, oid);

    private static CertificateExtension? Find(ImmutableArray<CertificateExtension> extensions, string oid)
    {
        foreach (var extension in extensions)
        {
            if (extension.Oid == oid)
            {
                return extension;
            }
        }

        return null;
    }

    /// <summary>The first critical extension not in <paramref name="handled"/>, if any (RFC 5280 section 4.2).</summary>
    public string? UnhandledCriticalExtension(IReadOnlySet<string> handled)
    {
        foreach (var extension in Extensions)
        {
            if (extension.Critical && !handled.Contains(extension.Oid))
            {
                return extension.Oid;
            }
        }

        return null;
    }

    public static ParsedCertificate Parse(ReadOnlyMemory<byte> der)
    {
        if (der.Length > Limits.MaxCertificateBytes)
        {
            throw Malformed($"a certificate is at most {Limits.MaxCertificateBytes} bytes; this is {der.Length}");
        }

        try
        {
            return ParseCore(der);
        }
        catch (AsnContentException e)
        {
            throw Malformed("not a DER X.509 certificate (RFC 5280 section 4.1): " + e.Message);
        }
    }

    private static ParsedCertificate ParseCore(ReadOnlyMemory<byte> der)
    {
        var outer = new AsnReader(der, AsnEncodingRules.DER);
        var certificate = outer.ReadSequence();
        outer.ThrowIfNotEmpty();

        var tbs = certificate.ReadEncodedValue();
        var outerAlgorithm = certificate.ReadEncodedValue();
        var signature = certificate.ReadBitString(out var unusedBits);
        certificate.ThrowIfNotEmpty();
        if (unusedBits != 0)
        {
            throw Malformed("the signature BIT STRING has unused bits");
        }

        var fields = new AsnReader(tbs, AsnEncodingRules.DER).ReadSequence();
        var fieldsBeforeExtensions = ImmutableArray.CreateBuilder<ReadOnlyMemory<byte>>();
        for (var scan = fields.Clone(); scan.HasData && !scan.PeekTag().HasSameClassAndValue(ExtensionsTag);)
        {
            fieldsBeforeExtensions.Add(scan.ReadEncodedValue());
        }

        if (!fields.HasData || !fields.PeekTag().HasSameClassAndValue(VersionTag))
        {
            throw Malformed("not an X.509 v3 certificate (the version is missing)");
        }

        var versionField = fields.ReadSequence(VersionTag);
        if (versionField.ReadInteger() != 2)
        {
            throw Malformed("not an X.509 v3 certificate");
        }

        versionField.ThrowIfNotEmpty();
        var serial = fields.ReadIntegerBytes();
        // RFC 5280 section 4.1.2.2: positive, at most 20 octets.
        if (serial.Length > 21 || (serial.Span[0] & 0x80) != 0)
        {
            throw Malformed("the serial number is negative or longer than 20 octets (RFC 5280 section 4.1.2.2)");
        }

        var innerAlgorithm = fields.ReadEncodedValue();
        if (!innerAlgorithm.Span.SequenceEqual(outerAlgorithm.Span))
        {
            throw Malformed("the signature algorithm inside and outside the signed part differ (RFC 5280 section 4.1.1.2)");
        }

        var issuer = fields.ReadEncodedValue();
        new AsnReader(issuer, AsnEncodingRules.DER).ReadSequence();
        var validity = fields.ReadSequence();
        var notBefore = ReadTime(validity);
        var notAfter = ReadTime(validity);
        validity.ThrowIfNotEmpty();
        var subject = fields.ReadEncodedValue();
        new AsnReader(subject, AsnEncodingRules.DER).ReadSequence();
        var spki = fields.ReadEncodedValue();

        // issuerUniqueID [1] and subjectUniqueID [2] are allowed but unused.
        for (var tag = 1; tag <= 2; tag++)
        {
            if (fields.HasData && fields.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, tag)))
            {
                fields.ReadEncodedValue();
            }
        }

        var extensions = ImmutableArray<CertificateExtension>.Empty;
        if (fields.HasData)
        {
            var wrapper = fields.ReadSequence(ExtensionsTag);
            extensions = ReadExtensions(wrapper.ReadSequence());
            wrapper.ThrowIfNotEmpty();
        }

        fields.ThrowIfNotEmpty();

        var (isCa, pathLength, keyUsage, purposes) = ReadStandardExtensions(extensions);
        return new ParsedCertificate
        {
            Der = der,
            Tbs = tbs,
            TbsFieldsBeforeExtensions = fieldsBeforeExtensions.ToImmutable(),
            SignatureAlgorithm = ReadSignatureAlgorithm(outerAlgorithm),
            Signature = signature,
            SerialNumber = serial,
            Issuer = issuer,
            Subject = subject,
            NotBefore = notBefore,
            NotAfter = notAfter,
            SubjectPublicKeyInfo = spki,
            Extensions = extensions,
            IsCa = isCa,
            PathLength = pathLength,
            KeyUsage = keyUsage,
            ExtendedKeyUsages = purposes,
        };
    }

    private static ImmutableArray<CertificateExtension> ReadExtensions(AsnReader sequence)
    {
        var result = ImmutableArray.CreateBuilder<CertificateExtension>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (sequence.HasData)
        {
            if (result.Count >= Limits.MaxCertificateExtensions)
            {
                throw Malformed($"more than {Limits.MaxCertificateExtensions} extensions");
            }

            var encoded = sequence.ReadEncodedValue();
            var extension = new AsnReader(encoded, AsnEncodingRules.DER).ReadSequence();
            var oid = extension.ReadObjectIdentifier();
            // DER omits a DEFAULT FALSE, so an explicit FALSE is itself malformed; the DER reader cannot see that.
            var critical = false;
            if (extension.PeekTag().HasSameClassAndValue(Asn1Tag.Boolean))
            {
                critical = extension.ReadBoolean();
                if (!critical)
                {
                    throw Malformed($"the extension {oid} encodes critical FALSE, which DER omits");
                }
            }

            var value = extension.ReadOctetString();
            extension.ThrowIfNotEmpty();
            // RFC 5280 section 4.2: a certificate MUST NOT include more than one instance of an extension.
            if (!seen.Add(oid))
            {
                throw Malformed($"the extension {oid} appears twice (RFC 5280 section 4.2)");
            }

            result.Add(new CertificateExtension(oid, critical, value, encoded));
        }

        return result.ToImmutable();
    }

    private static (bool IsCa, int? PathLength, ReadOnlyMemory<byte>? KeyUsage, ImmutableArray<string>? Purposes) ReadStandardExtensions(
        ImmutableArray<CertificateExtension> extensions)
    {
        var isCa = false;
        int? pathLength = null;
        if (Find(extensions, BasicConstraintsOid) is { } basic)
        {
            var sequence = Single(basic.Value).ReadSequence();
            if (sequence.HasData && sequence.PeekTag().HasSameClassAndValue(Asn1Tag.Boolean))
            {
                isCa = sequence.ReadBoolean();
                if (!isCa)
                {
                    throw Malformed("basicConstraints encodes cA FALSE, which DER omits");
                }
            }

            if (sequence.HasData)
            {
                var length = sequence.ReadInteger();
                if (length < 0 || length > 255)
                {
                    throw Malformed("basicConstraints pathLenConstraint is out of range");
                }

                pathLength = (int)length;
            }

            sequence.ThrowIfNotEmpty();
        }

        ReadOnlyMemory<byte>? keyUsage = null;
        if (Find(extensions, KeyUsageOid) is { } usage)
        {
            keyUsage = Single(usage.Value).ReadBitString(out _);
        }

        ImmutableArray<string>? purposes = null;
        if (Find(extensions, ExtendedKeyUsageOid) is { } extended)
        {
            var sequence = Single(extended.Value).ReadSequence();
            var builder = ImmutableArray.CreateBuilder<string>();
            while (sequence.HasData)
            {
                builder.Add(sequence.ReadObjectIdentifier());
            }

            purposes = builder.ToImmutable();
        }

        return (isCa, pathLength, keyUsage, purposes);
    }

    /// <summary>A reader over an extension value that must hold exactly one DER value.</summary>
    public static AsnReader Single(ReadOnlyMemory<byte> value)
    {
        var reader = new AsnReader(value, AsnEncodingRules.DER);
        var inner = new AsnReader(reader.ReadEncodedValue(), AsnEncodingRules.DER);
        reader.ThrowIfNotEmpty();
        return inner;
    }

    private static DateTimeOffset ReadTime(AsnReader validity)
    {
        // RFC 5280 section 4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050.
        var tag = validity.PeekTag();
        return tag.HasSameClassAndValue(Asn1Tag.UtcTime) ? validity.ReadUtcTime(2049) : validity.ReadGeneralizedTime();
    }

    private static CertificateSignatureAlgorithm? ReadSignatureAlgorithm(ReadOnlyMemory<byte> encoded)
    {
        var algorithm = new AsnReader(encoded, AsnEncodingRules.DER).ReadSequence();
        var oid = algorithm.ReadObjectIdentifier();
        // The cast matters: a bare null would become an empty ReadOnlyMemory through its conversion from byte[].
        ReadOnlyMemory<byte>? parameters = algorithm.HasData ? algorithm.ReadEncodedValue() : (ReadOnlyMemory<byte>?)null;
        algorithm.ThrowIfNotEmpty();
        var isNull = parameters is { } p && p.Span.SequenceEqual((byte[])[0x05, 0x00]);
        switch (oid)
        {
            // RFC 5758 section 3.2: the ECDSA parameters are absent.
            case "1.2.840.10045.4.3.2" when parameters is null:
                return new(CertificateSignatureFamily.Ecdsa, HashAlgorithmName.SHA256);
            case "1.2.840.10045.4.3.3" when parameters is null:
                return new(CertificateSignatureFamily.Ecdsa, HashAlgorithmName.SHA384);
            case "1.2.840.10045.4.3.4" when parameters is null:
                return new(CertificateSignatureFamily.Ecdsa, HashAlgorithmName.SHA512);
            // RFC 4055 section 5: the parameters are NULL (their absence is tolerated, as by most verifiers).
            case "1.2.840.113549.1.1.11" when parameters is null || isNull:
                return new(CertificateSignatureFamily.RsaPkcs1, HashAlgorithmName.SHA256);
            case "1.2.840.113549.1.1.12" when parameters is null || isNull:
                return new(CertificateSignatureFamily.RsaPkcs1, HashAlgorithmName.SHA384);
            case "1.2.840.113549.1.1.13" when parameters is null || isNull:
                return new(CertificateSignatureFamily.RsaPkcs1, HashAlgorithmName.SHA512);
            case Cryptography.SubjectPublicKeyInfo.RsaPssOid when parameters is { } pss:
                try
                {
                    return new(CertificateSignatureFamily.RsaPss, RsaPssParameters.ReadHash(pss));
                }
                catch (InvalidInputException)
                {
                    return null;
                }

            // RFC 8410 section 3: the parameters are absent.
            case Cryptography.SubjectPublicKeyInfo.Ed25519Oid when parameters is null:
                return new(CertificateSignatureFamily.Ed25519, HashAlgorithmName.SHA512);
            default:
                return null;
        }
    }

    public static InvalidInputException Malformed(string message) =>
        InvalidInputException.At(DiagnosticCode.CertificateMalformed, "certificate", message);

    /// <summary>Lowercase hex of a DER INTEGER's content without its sign byte, as certificate tools show serial numbers.</summary>
    public static string Hex(ReadOnlyMemory<byte> integer) =>
        Convert.ToHexStringLower(integer.Length > 1 && integer.Span[0] == 0 ? integer.Span[1..] : integer.Span);
}
