using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;
using Provenance.Attestations;
using Provenance.Cryptography;

namespace Provenance.Sigstore;

/// <summary>A signed timestamp that verified: when the signature existed, by the word of which trusted authority.</summary>
/// <param name="Time">The token's genTime (RFC 3161 section 2.4.2 TSTInfo), in UTC.</param>
/// <param name="Authority">The timestamp authority of the trusted root whose certificate signed the token.</param>
public sealed record VerifiedTimestamp(DateTimeOffset Time, CertificateAuthority Authority);

/// <summary>
/// Verifies one RFC 3161 signed timestamp of a Sigstore bundle against the trusted root, as sigstore-go does
/// (pkg/verify/tsa.go with timestamp-authority's VerifyTimestampResponse), and at least as strictly:
/// <list type="number">
/// <item>the TimeStampResp is granted and well formed (RFC 3161 section 2.4.2), with nothing after it;</item>
/// <item>its message imprint is the SHA-256, SHA-384 or SHA-512 (as the token names) of the signature bytes exactly;</item>
/// <item>the signer is a timestamp authority of the trusted root: its certificate is the authority's leaf (certChain
/// lists leaf, intermediates, root), or, for an authority the root lists by its root alone, an embedded certificate
/// that chains to it; an embedded certificate is never trusted by itself;</item>
/// <item>genTime is within the authority's validFor and the validity of every certificate of the chain, which is
/// judged at genTime, never now: a chain that has expired since still vouches for what it signed while valid;</item>
/// <item>the signer certificate is not a certificate authority and carries the sole, critical id-kp-timeStamping
/// extended key usage (RFC 3161 section 2.3); intermediates are restricted to timestamping;</item>
/// <item>the chain's signatures verify certificate by certificate (RFC 5280), without X509Chain or a system store;</item>
/// <item>the ESSCertID / ESSCertIDv2 signing-certificate attribute names the signer certificate (RFC 5816);</item>
/// <item>the CMS signature (RFC 5652 section 5.6) verifies with that certificate.</item>
/// </list>
/// The clock is never read: genTime is the time every check is made at.
/// </summary>
internal static class TimestampVerifier
{
    /// <summary>Verifies <paramref name="token"/> over <paramref name="signatureBytes"/>; null when it verified.</summary>
    /// <param name="token">The DER TimeStampResp, as <see cref="TimestampVerificationData.ReadTokens"/> returns it.</param>
    /// <param name="signatureBytes">The bundle's signature: messageSignature.signature or the DSSE envelope's signature.</param>
    /// <param name="root">The only source of trust.</param>
    /// <param name="verified">The verified time and authority, when the result is null.</param>
    public static Problem? Verify(ReadOnlyMemory<byte> token, ReadOnlySpan<byte> signatureBytes, TrustedRoot root, out VerifiedTimestamp? verified) =>
        Verify(token, signatureBytes, root, signerValidity: null, out verified);

    /// <summary>
    /// As <see cref="Verify(ReadOnlyMemory{byte}, ReadOnlySpan{byte}, TrustedRoot, out VerifiedTimestamp?)"/>, and the
    /// time must also be within <paramref name="signerValidity"/>, the validity of the certificate that made the
    /// signature: sigstore-go counts a timestamp only if the signing certificate was valid at its time.
    /// </summary>
    public static Problem? Verify(
        ReadOnlyMemory<byte> token,
        ReadOnlySpan<byte> signatureBytes,
        TrustedRoot root,
        ValidityPeriod? signerValidity,
        out VerifiedTimestamp? verified)
    {
        ArgumentNullException.ThrowIfNull(root);
        verified = null;
        if (!TimestampResponse.TryDecode(token, out var response, out var problem))
        {
            return problem;
        }

        var info = response.Token.TokenInfo;
        if (CheckImprint(info, signatureBytes) is { } imprintProblem)
        {
            return imprintProblem;
        }

        var time = info.Timestamp.ToUniversalTime();
        var signer = response.Token.AsSignedCms().SignerInfos[0];
        Problem? failure = null;
        foreach (var trusted in root.Parsed.TimestampAuthorities)
        {
            if (trusted.First is not { } first)
            {
                continue;
            }

            var authority = trusted.Authority;
            foreach (var path in SignerPaths(trusted.Chain, first, response.EmbeddedCertificates))
            {
                if (!TimestampCertificates.Identifies(signer.SignerIdentifier, path.Signer))
                {
                    continue;
                }

                // Like sigstore-go, try every authority: another one may still verify the token.
                var pathFailure = CheckAuthority(response.Token, signer, path, authority, time);
                failure ??= pathFailure;
                if (pathFailure is null)
                {
                    if (signerValidity is { } validity && !validity.Contains(time))
                    {
                        return new Problem(DiagnosticCode.TimestampOutsideSignerValidity,
                            $"the timestamp's time {Format(time)} is outside the validity of the signing certificate ({Format(validity)})");
                    }

                    verified = new VerifiedTimestamp(time, authority);
                    return null;
                }
            }
        }

        return failure ?? new Problem(DiagnosticCode.TimestampUntrustedAuthority,
            "no timestamp authority of the trusted root signed this timestamp; a certificate the token carries is not trusted by itself");
    }

    private static Problem? CheckImprint(Rfc3161TimestampTokenInfo info, ReadOnlySpan<byte> signatureBytes)
    {
        if (!DigestAlgorithms.TryFromOid(info.HashAlgorithmId.Value, out var digest))
        {
            return new Problem(DiagnosticCode.TimestampMalformed,
                $"the timestamp's message imprint uses hash {info.HashAlgorithmId.Value}; only SHA-256, SHA-384 and SHA-512 are accepted");
        }

        var imprint = info.GetMessageHash().Span;
        if (imprint.Length != digest.SizeInBytes())
        {
            return new Problem(DiagnosticCode.TimestampMalformed,
                $"the timestamp's message imprint has {imprint.Length} bytes, but {digest.Name()} digests have {digest.SizeInBytes()}");
        }

        Span<byte> actual = stackalloc byte[SHA512.HashSizeInBytes];
        var written = CryptographicOperations.HashData(digest.ToHashAlgorithmName(), signatureBytes, actual);
        return CryptographicOperations.FixedTimeEquals(imprint, actual[..written])
            ? null
            : new Problem(DiagnosticCode.TimestampImprintMismatch,
                "the timestamp is over other data than this bundle's signature (RFC 3161 messageImprint differs)");
    }

    /// <summary>A candidate signer chain, signer first, with the key of each certificate and the signer as .NET loads it.</summary>
    private sealed record SignerPath(
        ImmutableArray<ParsedCertificate> Certificates, ImmutableArray<CertificateSignatureKey?> Keys, X509Certificate2 Signer);

    /// <summary>
    /// Candidate signer chains, signer first. An authority listed with its leaf (as Sigstore trusted roots list
    /// them) has exactly one; one listed by its root alone may have signed with any certificate it issued, which
    /// the token must then embed; each embedded certificate is a candidate to be checked against that root.
    /// </summary>
    private static IEnumerable<SignerPath> SignerPaths(TrustedCertificateChain chain, X509Certificate2 first, X509Certificate2Collection embedded)
    {
        if (chain.Certificates.Length > 1)
        {
            yield return new(chain.Certificates, chain.Keys, first);
            yield break;
        }

        foreach (var certificate in embedded)
        {
            ParsedCertificate parsed;
            try
            {
                parsed = ParsedCertificate.Parse(certificate.RawData);
            }
            catch (InvalidInputException)
            {
                // Not a certificate this verifier reads strictly, so nothing it signed can be trusted.
                continue;
            }

            // The signer's own key signs no certificate of the path.
            yield return new([parsed, .. chain.Certificates], [null, .. chain.Keys], certificate);
        }
    }

    private static Problem? CheckAuthority(
        Rfc3161TimestampToken token,
        SignerInfo signer,
        SignerPath path,
        CertificateAuthority authority,
        DateTimeOffset time)
    {
        if (!authority.ValidFor.Contains(time))
        {
            return new Problem(DiagnosticCode.TimestampNotValidAtTime,
                $"the timestamp's time {Format(time)} is outside the window the trusted root gives authority {authority.Uri} ({Format(authority.ValidFor)})");
        }

        var certificates = path.Certificates;
        var leaf = certificates[0];
        if (leaf.IsCa)
        {
            return new Problem(DiagnosticCode.TimestampSignerIsCertificateAuthority,
                $"the timestamp is signed with a certificate authority's certificate ({leaf.SubjectText}), not a timestamping key");
        }

        if (!leaf.IsRestrictedTo(ParsedCertificate.TimestampingOid, mustBeCritical: true))
        {
            return new Problem(DiagnosticCode.TimestampAuthorityMissingEku,
                $"the timestamp signing certificate ({leaf.SubjectText}) must have one critical extended key usage, id-kp-timeStamping alone (RFC 3161 section 2.3)");
        }

        for (var i = 1; i < certificates.Length - 1; i++)
        {
            if (!certificates[i].IsRestrictedTo(ParsedCertificate.TimestampingOid, mustBeCritical: false))
            {
                return new Problem(DiagnosticCode.TimestampAuthorityMissingEku,
                    $"the intermediate certificate {certificates[i].SubjectText} of the timestamp authority is not restricted to timestamping");
            }
        }

        if (CertificatePath.FirstNotValidAt(certificates, time) is var invalid and >= 0)
        {
            var certificate = certificates[invalid];
            return new Problem(DiagnosticCode.TimestampNotValidAtTime,
                $"the timestamp's time {Format(time)} is outside the validity of {certificate.SubjectText} ({Format(certificate.NotBefore)} to {Format(certificate.NotAfter)})");
        }

        // RFC 5280 section 4.2.1.3 lets a CA certificate omit keyUsage; TSA chains are held to that, not to Fulcio's profile.
        if (CertificatePath.FirstUnissued(certificates, path.Keys, keyUsageRequired: false) is var unissued and >= 0)
        {
            return new Problem(DiagnosticCode.TimestampUntrustedAuthority,
                $"{certificates[unissued].SubjectText} is not issued by {certificates[unissued + 1].SubjectText} of the trusted timestamp authority {authority.Uri}");
        }

        if (!TimestampCertificates.SigningCertificateMatches(signer, leaf))
        {
            return new Problem(DiagnosticCode.TimestampSigningCertificateMismatch,
                $"the timestamp's signing-certificate attribute (ESSCertID) does not name the authority's certificate {leaf.SubjectText}");
        }

        var info = token.TokenInfo;
        return token.VerifySignatureForHash(info.GetMessageHash().Span, info.HashAlgorithmId, out var signerCertificate, [path.Signer])
            && signerCertificate.RawData.AsSpan().SequenceEqual(leaf.Der.Span)
                ? null
                : new Problem(DiagnosticCode.TimestampSignatureInvalid,
                    $"the timestamp's signature does not verify with the certificate of timestamp authority {authority.Uri}");
    }

    private static string Format(DateTimeOffset time) => Rfc3339.Format(time);

    private static string Format(ValidityPeriod period) =>
        Format(period.Start) + " to " + (period.End is { } end ? Format(end) : "open end");
}
