using System.Diagnostics.CodeAnalysis;
using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;

namespace Provenance.Sigstore;

/// <summary>
/// A decoded RFC 3161 TimeStampResp (section 2.4.2) as Sigstore bundles carry it:
/// <code>
/// TimeStampResp ::= SEQUENCE { status PKIStatusInfo, timeStampToken TimeStampToken OPTIONAL }
/// PKIStatusInfo ::= SEQUENCE { status PKIStatus, statusString PKIFreeText OPTIONAL, failInfo PKIFailureInfo OPTIONAL }
/// </code>
/// The token's certificates are split off: they are untrusted, and <see cref="Token"/> is decoded without them so
/// that nothing the token carries can stand in for a certificate of the trusted root.
/// </summary>
internal sealed class TimestampResponse
{
    // RFC 3161 section 2.4.2: PKIStatus granted (0) and grantedWithMods (1) are the statuses that carry a token.
    private const int Granted = 0;
    private const int GrantedWithMods = 1;

    private TimestampResponse(Rfc3161TimestampToken token, X509Certificate2Collection embeddedCertificates)
    {
        Token = token;
        EmbeddedCertificates = embeddedCertificates;
    }

    /// <summary>The TimeStampToken, decoded with its embedded certificates removed.</summary>
    public Rfc3161TimestampToken Token { get; }

    /// <summary>The certificates the token embedded. Untrusted: a signer certificate at most, which must chain to a trusted root.</summary>
    public X509Certificate2Collection EmbeddedCertificates { get; }

    /// <summary>Decodes <paramref name="der"/>, or says why it is not a granted timestamp response.</summary>
    public static bool TryDecode(ReadOnlyMemory<byte> der, [NotNullWhen(true)] out TimestampResponse? response, [NotNullWhen(false)] out Problem? problem)
    {
        response = null;
        if (der.Length > Limits.MaxTimestampBytes)
        {
            problem = Malformed($"the signed timestamp is larger than {Limits.MaxTimestampBytes} bytes");
            return false;
        }

        ReadOnlyMemory<byte> tokenBytes;
        try
        {
            // DER, as sigstore-go's parser (Go encoding/asn1) requires; nothing may follow the response.
            var reader = new AsnReader(der, AsnEncodingRules.DER);
            var outer = reader.ReadSequence();
            reader.ThrowIfNotEmpty();
            var statusInfo = outer.ReadSequence();
            if (!statusInfo.TryReadInt32(out var status) || status is not (Granted or GrantedWithMods))
            {
                problem = new Problem(DiagnosticCode.TimestampNotGranted,
                    "the timestamp authority did not grant this timestamp (RFC 3161 PKIStatus is neither granted nor grantedWithMods)");
                return false;
            }

            if (!outer.HasData)
            {
                problem = Malformed("the timestamp response holds no TimeStampToken");
                return false;
            }

            tokenBytes = outer.ReadEncodedValue();
            outer.ThrowIfNotEmpty();
        }
        catch (AsnContentException e)
        {
            problem = Malformed("not a DER RFC 3161 TimeStampResp: " + e.Message);
            return false;
        }

        return TryDecodeToken(tokenBytes, out response, out problem);
    }

    private static bool TryDecodeToken(ReadOnlyMemory<byte> tokenBytes, [NotNullWhen(true)] out TimestampResponse? response, [NotNullWhen(false)] out Problem? problem)
    {
        response = null;
        var cms = new SignedCms();
        try
        {
            cms.Decode(tokenBytes.Span);
        }
        catch (CryptographicException e)
        {
            problem = Malformed("the TimeStampToken is not CMS SignedData: " + e.Message);
            return false;
        }

        // Rfc3161TimestampToken prefers an embedded signer certificate over every other candidate, so the token
        // is decoded again without its certificates: only certificates of the trusted root can verify it.
        // SignedCms decodes its certificates only when asked, so a corrupt embedded certificate throws here.
        X509Certificate2Collection embedded;
        byte[] stripped;
        try
        {
            embedded = new X509Certificate2Collection(cms.Certificates);
            foreach (var certificate in embedded)
            {
                cms.RemoveCertificate(certificate);
            }

            stripped = cms.Encode();
        }
        catch (CryptographicException e)
        {
            problem = Malformed("a certificate embedded in the TimeStampToken is not DER X.509: " + e.Message);
            return false;
        }

        // TryDecode checks RFC 3161 section 2.4.2: eContentType id-ct-TSTInfo, exactly one SignerInfo, and a
        // signing-certificate attribute (ESSCertID, or ESSCertIDv2 per RFC 5816 section 2.2.1).
        if (!Rfc3161TimestampToken.TryDecode(stripped, out var token, out var consumed) || consumed != stripped.Length)
        {
            problem = Malformed("not an RFC 3161 TimeStampToken: it needs a TSTInfo, one signer and a signing-certificate attribute");
            return false;
        }

        problem = null;
        response = new TimestampResponse(token, embedded);
        return true;
    }

    private static Problem Malformed(string message) => new(DiagnosticCode.TimestampMalformed, message);
}
