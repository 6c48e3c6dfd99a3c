using System.Collections.Immutable;

namespace Provenance.Sigstore;

/// <summary>
/// The certificates of one authority of a trusted root (a Fulcio certificate authority or an RFC 3161 timestamp
/// authority), parsed once with their keys, in the root's order: the certificate closest to the leaf first, the
/// root last. Both verifiers start from this, so a certificate is read and its key imported in one way only.
/// </summary>
/// <param name="Authority">The authority as the trusted root states it.</param>
/// <param name="Certificates">Its certificates, or none when one of them does not parse (then nothing chains to it).</param>
/// <param name="Keys">Each certificate's key, for the certificates it issued; null where the key cannot be used.</param>
/// <param name="Problem">Why a certificate or a key of the authority cannot be used, or null.</param>
internal sealed record TrustedCertificateChain(
    CertificateAuthority Authority,
    ImmutableArray<ParsedCertificate> Certificates,
    ImmutableArray<CertificateSignatureKey?> Keys,
    string? Problem)
{
    public static TrustedCertificateChain Create(CertificateAuthority authority)
    {
        var certificates = ImmutableArray.CreateBuilder<ParsedCertificate>();
        var keys = ImmutableArray.CreateBuilder<CertificateSignatureKey?>();
        string? problem = null;
        try
        {
            foreach (var der in authority.Certificates)
            {
                certificates.Add(ParsedCertificate.Parse(der));
            }
        }
        catch (InvalidInputException e)
        {
            return new(authority, [], [], Unusable(e));
        }

        foreach (var certificate in certificates)
        {
            try
            {
                keys.Add(CertificateSignatureKey.Create(certificate.SubjectPublicKeyInfo));
            }
            catch (InvalidInputException e)
            {
                keys.Add(null);
                problem ??= Unusable(e);
            }
        }

        return new(authority, certificates.ToImmutable(), keys.ToImmutable(), problem);
    }

    private static string Unusable(InvalidInputException e) =>
        "a certificate of the trusted authority cannot be used: " + e.Problem.Message;
}

/// <summary>
/// The RFC 5280 section 6.1 checks of a certification path that the Fulcio chain verifier and the timestamp
/// verifier share: validity at a given time (section 6.1.3 (a)(2)) and, link by link, issuer name (section
/// 6.1.3 (a)(4)), the issuer's authority to sign certificates (sections 4.2.1.3 and 4.2.1.9) and the signature by
/// the issuer's key (section 6.1.3 (a)(1)). Each verifier adds the rules of its own profile.
/// </summary>
internal static class CertificatePath
{
    /// <summary>True when <paramref name="issuer"/>, with <paramref name="issuerKey"/>, issued <paramref name="child"/>: names chain and the signature verifies.</summary>
    public static bool IsSignedBy(ParsedCertificate child, ParsedCertificate issuer, CertificateSignatureKey? issuerKey) =>
        issuerKey is not null && child.Issuer.Span.SequenceEqual(issuer.Subject.Span) && issuerKey.Verifies(child);

    /// <summary>
    /// The index of the first certificate of <paramref name="path"/> (leaf first) that the next one did not issue:
    /// the issuer must be a CA allowed to sign certificates (keyUsage keyCertSign, which a certificate without
    /// keyUsage only satisfies when <paramref name="keyUsageRequired"/> is false), and its key, the one at the same
    /// index in <paramref name="keys"/>, must verify the child's signature. -1 when every link holds.
    /// </summary>
    public static int FirstUnissued(IReadOnlyList<ParsedCertificate> path, IReadOnlyList<CertificateSignatureKey?> keys, bool keyUsageRequired)
    {
        for (var i = 0; i + 1 < path.Count; i++)
        {
            if (!path[i + 1].MayIssueCertificates(keyUsageRequired) || !IsSignedBy(path[i], path[i + 1], keys[i + 1]))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The index of the first certificate of <paramref name="path"/> not valid at <paramref name="time"/>, or -1.</summary>
    public static int FirstNotValidAt(IReadOnlyList<ParsedCertificate> path, DateTimeOffset time)
    {
        for (var i = 0; i < path.Count; i++)
        {
            if (!path[i].IsValidAt(time))
            {
                return i;
            }
        }

        return -1;
    }
}
