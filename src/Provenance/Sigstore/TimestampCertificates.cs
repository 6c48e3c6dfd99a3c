using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;
using System.Security.Cryptography.Xml;
using Provenance.Cryptography;

namespace Provenance.Sigstore;

/// <summary>
/// One timestamp authority of a trusted root, parsed once: its certificates and keys (signing certificate first when
/// the root lists it, root last) and the first certificate as .NET loads it, which CMS signer matching needs.
/// </summary>
/// <param name="Chain">The authority's certificates and keys; none when one does not parse (then the authority is unusable).</param>
/// <param name="First">The first certificate of the chain, or null when the authority is unusable.</param>
internal sealed record ParsedTimestampAuthority(TrustedCertificateChain Chain, X509Certificate2? First)
{
    public CertificateAuthority Authority => Chain.Authority;

    public static ParsedTimestampAuthority Create(CertificateAuthority authority)
    {
        var chain = TrustedCertificateChain.Create(authority);
        if (chain.Certificates.IsEmpty)
        {
            return new(chain, null);
        }

        try
        {
            return new(chain, X509CertificateLoader.LoadCertificate(chain.Certificates[0].Der.Span));
        }
        catch (CryptographicException)
        {
            return new(chain, null);
        }
    }
}

/// <summary>
/// The timestamp-specific checks on the certificates of a timestamp authority, beyond the RFC 5280 path checks of
/// <see cref="CertificatePath"/>: the CMS signer identifier and the ESSCertID and ESSCertIDv2 signing-certificate
/// attributes (RFC 2634 section 5.4 / RFC 5816 section 2.2.1).
/// </summary>
internal static class TimestampCertificates
{
    private const string SigningCertificateOid = "1.2.840.113549.1.9.16.2.12";
    private const string SigningCertificateV2Oid = "1.2.840.113549.1.9.16.2.47";

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
    public static bool SigningCertificateMatches(SignerInfo signer, ParsedCertificate certificate)
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

    private static bool FirstCertIdMatches(byte[] signingCertificate, bool version2, ParsedCertificate certificate)
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
            var actual = CryptographicOperations.HashData(hash, certificate.Der.Span);
            return CryptographicOperations.FixedTimeEquals(expected, actual);
        }
        catch (AsnContentException)
        {
            return false;
        }
    }
}
