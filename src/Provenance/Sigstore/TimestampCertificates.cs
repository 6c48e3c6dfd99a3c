using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;
using System.Security.Cryptography.Xml;
using Provenance.Cryptography;

namespace Provenance.Sigstore;

/// <summary>
/// Checks on the certificates of a timestamp authority: RFC 5280 (validity, basic constraints, key usage,
/// signatures, done directly on the certificates: the system store and X509Chain play no part), RFC 3161
/// section 2.3 (the timestamping extended key usage) and RFC 2634 section 5.4 / RFC 5816 section 2.2.1
/// (the ESSCertID and ESSCertIDv2 signing-certificate attributes).
/// </summary>
internal static class TimestampCertificates
{
    /// <summary>id-kp-timeStamping (RFC 5280 section 4.2.1.12).</summary>
    public const string TimestampingPurpose = "1.3.6.1.5.5.7.3.8";

    private const string SigningCertificateOid = "1.2.840.113549.1.9.16.2.12";
    private const string SigningCertificateV2Oid = "1.2.840.113549.1.9.16.2.47";

    /// <summary>True when <paramref name="time"/> is within the certificate's notBefore and notAfter, both included.</summary>
    public static bool IsValidAt(X509Certificate2 certificate, DateTimeOffset time) =>
        time >= new DateTimeOffset(certificate.NotBefore) && time <= new DateTimeOffset(certificate.NotAfter);

    /// <summary>True for a certificate whose basic constraints make it a certificate authority.</summary>
    public static bool IsCertificateAuthority(X509Certificate2 certificate) =>
        certificate.Extensions.OfType<X509BasicConstraintsExtension>().Any(b => b.CertificateAuthority);

    /// <summary>
    /// True when the certificate has exactly one extended key usage extension, naming id-kp-timeStamping and nothing
    /// else: RFC 3161 section 2.3 for the signer (which must also mark it critical), and sigstore-go's "EKU chaining"
    /// for the intermediates above it.
    /// </summary>
    public static bool IsRestrictedToTimestamping(X509Certificate2 certificate, bool mustBeCritical)
    {
        var extensions = certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().ToList();
        if (extensions.Count != 1 || (mustBeCritical && !extensions[0].Critical))
        {
            return false;
        }

        var purposes = extensions[0].EnhancedKeyUsages;
        return purposes.Count == 1 && purposes[0].Value == TimestampingPurpose;
    }

    /// <summary>
    /// True when <paramref name="issuer"/> issued <paramref name="child"/>: names chain, the issuer is a certificate
    /// authority allowed to sign certificates, and the child's signature verifies with the issuer's key.
    /// </summary>
    public static bool IsIssuedBy(X509Certificate2 child, X509Certificate2 issuer)
    {
        if (!child.IssuerName.RawData.AsSpan().SequenceEqual(issuer.SubjectName.RawData)
            || !IsCertificateAuthority(issuer)
            || issuer.Extensions.OfType<X509KeyUsageExtension>().Any(k => !k.KeyUsages.HasFlag(X509KeyUsageFlags.KeyCertSign)))
        {
            return false;
        }

        try
        {
            var reader = new AsnReader(child.RawData, AsnEncodingRules.DER);
            var certificate = reader.ReadSequence();
            var toBeSigned = certificate.ReadEncodedValue();
            var algorithm = certificate.ReadSequence();
            var oid = algorithm.ReadObjectIdentifier();
            var signature = certificate.ReadBitString(out var unusedBits);
            return unusedBits == 0 && VerifyCertificateSignature(oid, toBeSigned.Span, signature, issuer);
        }
        catch (AsnContentException)
        {
            return false;
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    // RFC 5758 section 3.2 (ECDSA) and RFC 4055 section 5 (RSA PKCS #1 v1.5): the algorithms TSA chains use.
    private static bool VerifyCertificateSignature(string oid, ReadOnlySpan<byte> toBeSigned, byte[] signature, X509Certificate2 issuer)
    {
        switch (oid)
        {
            case "1.2.840.10045.4.3.2":
            case "1.2.840.10045.4.3.3":
            case "1.2.840.10045.4.3.4":
            {
                using var key = issuer.GetECDsaPublicKey();
                var hash = oid[^1] switch { '2' => HashAlgorithmName.SHA256, '3' => HashAlgorithmName.SHA384, _ => HashAlgorithmName.SHA512 };
                return key is not null && key.VerifyData(toBeSigned, signature, hash, DSASignatureFormat.Rfc3279DerSequence);
            }

            case "1.2.840.113549.1.1.11":
            case "1.2.840.113549.1.1.12":
            case "1.2.840.113549.1.1.13":
            {
                using var key = issuer.GetRSAPublicKey();
                var hash = oid[^1] switch { '1' => HashAlgorithmName.SHA256, '2' => HashAlgorithmName.SHA384, _ => HashAlgorithmName.SHA512 };
                return key is not null && key.KeySize is >= 2048 and <= Limits.MaxRsaKeyBits
                    && key.VerifyData(toBeSigned, signature, hash, RSASignaturePadding.Pkcs1);
            }

            default:
                return false;
        }
    }

    /// <summary>True when the CMS signer's identifier (issuer and serial number, or subject key identifier) names the certificate.</summary>
    public static bool Identifies(SubjectIdentifier signer, X509Certificate2 certificate) => signer.Type switch
    {
        SubjectIdentifierType.IssuerAndSerialNumber when signer.Value is X509IssuerSerial issuerSerial =>
            string.Equals(issuerSerial.IssuerName, certificate.IssuerName.Name, StringComparison.Ordinal)
            && string.Equals(issuerSerial.SerialNumber, certificate.SerialNumber, StringComparison.OrdinalIgnoreCase),
        SubjectIdentifierType.SubjectKeyIdentifier when signer.Value is string keyIdentifier =>
            certificate.Extensions.OfType<X509SubjectKeyIdentifierExtension>()
                .Any(e => string.Equals(e.SubjectKeyIdentifier, keyIdentifier, StringComparison.OrdinalIgnoreCase)),
        _ => false,
    };

    /// <summary>
    /// True when every signing-certificate attribute the signer carries names <paramref name="certificate"/>: the
    /// first ESSCertID (SHA-1) or ESSCertIDv2 (its hash, SHA-256 by default) identifies the signing certificate
    /// (RFC 2634 section 5.4, RFC 5035 section 3). A malformed attribute matches nothing.
    /// </summary>
    public static bool SigningCertificateMatches(SignerInfo signer, X509Certificate2 certificate)
    {
        foreach (var attribute in signer.SignedAttributes)
        {
            var version2 = attribute.Oid.Value == SigningCertificateV2Oid;
            if (!version2 && attribute.Oid.Value != SigningCertificateOid)
            {
                continue;
            }

            if (attribute.Values.Count != 1 || !FirstCertIdMatches(attribute.Values[0].RawData, version2, certificate))
            {
                return false;
            }
        }

        return true;
    }

    private static bool FirstCertIdMatches(byte[] signingCertificate, bool version2, X509Certificate2 certificate)
    {
        try
        {
            var reader = new AsnReader(signingCertificate, AsnEncodingRules.DER);
            var certId = reader.ReadSequence().ReadSequence().ReadSequence();
            var hash = HashAlgorithmName.SHA1;
            if (version2 && certId.PeekTag().HasSameClassAndValue(Asn1Tag.Sequence))
            {
                var algorithm = certId.ReadSequence();
                if (!DigestAlgorithms.TryFromOid(algorithm.ReadObjectIdentifier(), out var digest))
                {
                    return false;
                }

                hash = digest.ToHashAlgorithmName();
            }
            else if (version2)
            {
                hash = HashAlgorithmName.SHA256;
            }

            var expected = certId.ReadOctetString();
            // SHA-1 only names a certificate here (ESSCertID predates SHA-2); the trust comes from the chain checks.
            var actual = CryptographicOperations.HashData(hash, certificate.RawData);
            return CryptographicOperations.FixedTimeEquals(expected, actual);
        }
        catch (AsnContentException)
        {
            return false;
        }
    }
}
