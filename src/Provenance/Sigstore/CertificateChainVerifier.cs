using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Globalization;
using System.Security.Cryptography;
using Provenance.Attestations;

namespace Provenance.Sigstore;

/// <summary>
/// One certificate authority of a trusted root, checked once: its certificates and keys (issuing certificate first,
/// root last), and whether the chain itself is sound. Unusable authorities keep the reason, so a leaf that names
/// one is told why.
/// </summary>
internal sealed record TrustedCertificateAuthority(TrustedCertificateChain Chain, string? Defect)
{
    public CertificateAuthority Authority => Chain.Authority;

    public ImmutableArray<ParsedCertificate> Certificates => Chain.Certificates;

    /// <summary>The certificate that issues leaves.</summary>
    public ParsedCertificate Issuing => Certificates[0];

    /// <summary>
    /// How many leaves an authority remembers having signed. A long-running verifier (an admission controller, a
    /// batch over a release) meets the same certificates again; past this many it simply checks every time.
    /// </summary>
    internal const int MaxRememberedLeaves = 4096;

    // Keyed by the SHA-256 of the leaf's whole DER: the same bytes under the same key verify the same way every time,
    // so a remembered success gives up no check. Failures are not remembered.
    private readonly ConcurrentDictionary<string, bool> _signedLeaves = new(StringComparer.Ordinal);

    /// <summary>
    /// True when the issuing certificate issued <paramref name="leaf"/>: the names chain and its key verifies the
    /// leaf's signature (RFC 5280 section 6.1.3 (a)(1) and (a)(4)). A P-384 signature check costs ~0.75 ms, the
    /// largest single cost of a keyless verification, so a verified leaf is remembered.
    /// </summary>
    public bool IssuedLeaf(ParsedCertificate leaf)
    {
        Span<byte> fingerprint = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(leaf.Der.Span, fingerprint);
        var key = Convert.ToHexString(fingerprint);
        if (_signedLeaves.ContainsKey(key))
        {
            return true;
        }

        if (Certificates.IsEmpty || !CertificatePath.IsSignedBy(leaf, Issuing, Chain.Keys[0]))
        {
            return false;
        }

        if (_signedLeaves.Count < MaxRememberedLeaves)
        {
            _signedLeaves.TryAdd(key, true);
        }

        return true;
    }

    public static TrustedCertificateAuthority Create(CertificateAuthority authority)
    {
        var chain = TrustedCertificateChain.Create(authority);
        return new(chain, chain.Problem ?? FindDefect(chain));
    }

    /// <summary>
    /// RFC 5280 section 6.1 for the authority's own path: every certificate a CA allowed to sign certificates
    /// (basicConstraints cA, keyUsage keyCertSign; section 4.2.1.3 and 4.2.1.9), path lengths respected, code
    /// signing not excluded by an extKeyUsage, no unprocessed critical extension, and each certificate issued by the
    /// next. The last one is the trust anchor: its self-signature proves nothing and is not checked.
    /// </summary>
    private static string? FindDefect(TrustedCertificateChain chain)
    {
        var certificates = chain.Certificates;
        for (var i = 0; i < certificates.Length; i++)
        {
            var certificate = certificates[i];
            var position = Position(i);
            if (!certificate.MayIssueCertificates(keyUsageRequired: true))
            {
                return position + " is not a CA certificate allowed to sign certificates (basicConstraints cA, keyUsage keyCertSign)";
            }

            // Below certificate i are i intermediate certificates (those before it in the list); the leaf does not count.
            if (certificate.PathLength is { } maximum && i > maximum)
            {
                return position + " allows a shorter path than the chain has (pathLenConstraint)";
            }

            if (!certificate.AllowsCodeSigning)
            {
                return position + " restricts extKeyUsage to purposes other than code signing";
            }

            if (certificate.UnhandledCriticalExtension(CertificateChainVerifier.HandledCriticalExtensions) is { } oid)
            {
                return position + $" has the unprocessed critical extension {oid}";
            }
        }

        return CertificatePath.FirstUnissued(certificates, chain.Keys, keyUsageRequired: true) is var unissued and >= 0
            ? Position(unissued) + " is not issued by the next certificate of the chain"
            : null;
    }

    private static string Position(int index) =>
        string.Create(CultureInfo.InvariantCulture, $"certificate {index + 1} of the trusted authority");
}

/// <summary>
/// Verifies that a Fulcio leaf certificate chains to a certificate authority of the trusted root at every verified
/// time, per the Sigstore client specification ("Certificate" verification) and RFC 5280 section 6.1, as
/// sigstore-go does with Go's x509 verifier and at least as strictly. Only the leaf comes from the bundle: any
/// intermediate or root certificate a bundle carries is ignored, so trust comes from the trusted root alone.
/// Every link is checked by a direct signature check; the system certificate store is never consulted.
/// </summary>
internal static class CertificateChainVerifier
{
    /// <summary>Critical extensions this verifier processes; any other critical extension fails (RFC 5280 section 4.2).</summary>
    internal static readonly IReadOnlySet<string> HandledCriticalExtensions = ImmutableHashSet.Create(
        StringComparer.Ordinal,
        ParsedCertificate.BasicConstraintsOid,
        ParsedCertificate.KeyUsageOid,
        ParsedCertificate.ExtendedKeyUsageOid,
        ParsedCertificate.SubjectAlternativeNameOid);

    /// <summary>
    /// Null when <paramref name="leaf"/> is a code-signing certificate issued by an authority of
    /// <paramref name="root"/>, with that authority and every certificate valid at each of
    /// <paramref name="verifiedTimes"/>; otherwise the problem.
    /// </summary>
    /// <param name="leaf">The signing certificate from the bundle.</param>
    /// <param name="verifiedTimes">Times established by verified evidence (log entries, timestamps); never "now".</param>
    /// <param name="root">The trust material.</param>
    /// <param name="authority">The authority the leaf chains to, when it does.</param>
    /// <exception cref="ArgumentException"><paramref name="verifiedTimes"/> is empty: without a time nothing can be checked.</exception>
    public static Problem? Verify(
        FulcioCertificate leaf,
        IReadOnlyList<DateTimeOffset> verifiedTimes,
        TrustedRoot root,
        out CertificateAuthority? authority) =>
        Verify(leaf, [], verifiedTimes, root, out authority);

    /// <summary>
    /// As <see cref="Verify(FulcioCertificate, IReadOnlyList{DateTimeOffset}, TrustedRoot, out CertificateAuthority?)"/>,
    /// for a bundle (v0.1, v0.2) that also carries intermediate or root certificates. They are never used to build
    /// the chain; each must be a certificate of the authority the leaf chains to, so a bundle whose chain ends in
    /// another root fails, and one that carries the trusted certificates themselves verifies as without them.
    /// </summary>
    /// <param name="leaf">The signing certificate from the bundle.</param>
    /// <param name="carriedCertificates">The bundle's other certificates (DER), after the leaf.</param>
    /// <param name="verifiedTimes">Times established by verified evidence (log entries, timestamps); never "now".</param>
    /// <param name="root">The trust material.</param>
    /// <param name="authority">The authority the leaf chains to, when it does.</param>
    public static Problem? Verify(
        FulcioCertificate leaf,
        IReadOnlyList<ReadOnlyMemory<byte>> carriedCertificates,
        IReadOnlyList<DateTimeOffset> verifiedTimes,
        TrustedRoot root,
        out CertificateAuthority? authority)
    {
        ArgumentNullException.ThrowIfNull(carriedCertificates);
        var problem = VerifyLeaf(leaf, verifiedTimes, root, out var trusted);
        authority = null;
        if (problem is not null)
        {
            return problem;
        }

        for (var i = 0; i < carriedCertificates.Count; i++)
        {
            var carried = carriedCertificates[i];
            if (!trusted!.Certificates.Any(c => c.Der.Span.SequenceEqual(carried.Span)))
            {
                return Fail(DiagnosticCode.CertificateChainMismatch, string.Create(CultureInfo.InvariantCulture,
                    $"the bundle's certificate {i + 2} is not a certificate of the trusted authority {trusted.Authority.Uri}; a bundle may only repeat trusted certificates"));
            }
        }

        authority = trusted!.Authority;
        return null;
    }

    private static Problem? VerifyLeaf(
        FulcioCertificate leaf,
        IReadOnlyList<DateTimeOffset> verifiedTimes,
        TrustedRoot root,
        out TrustedCertificateAuthority? authority)
    {
        ArgumentNullException.ThrowIfNull(leaf);
        ArgumentNullException.ThrowIfNull(verifiedTimes);
        ArgumentNullException.ThrowIfNull(root);
        if (verifiedTimes.Count == 0)
        {
            throw new ArgumentException("At least one verified time is required to check a certificate's validity.", nameof(verifiedTimes));
        }

        authority = null;
        var certificate = leaf.Certificate;
        Problem? firstProblem = null;
        foreach (var candidate in root.Parsed.CertificateAuthorities)
        {
            if (!candidate.IssuedLeaf(certificate))
            {
                continue;
            }

            // The leaf is this authority's; several authorities may share a key (a renewed chain), so keep looking on failure.
            var problem = CheckIssued(certificate, candidate, verifiedTimes);
            if (problem is null)
            {
                authority = candidate;
                return null;
            }

            firstProblem ??= problem;
        }

        return firstProblem ?? new Problem(DiagnosticCode.CertificateChainUntrusted,
            "the signing certificate is not issued by any certificate authority of the trusted root", "certificate");
    }

    private static Problem? CheckIssued(ParsedCertificate leaf, TrustedCertificateAuthority authority, IReadOnlyList<DateTimeOffset> times)
    {
        if (authority.Defect is { } defect)
        {
            return Fail(DiagnosticCode.CertificateChainUntrusted, defect);
        }

        // The leaf adds no intermediate, so the authority's own path lengths (checked once) still hold.
        if (leaf.IsCa)
        {
            return Fail(DiagnosticCode.CertificateIsCa, "the signing certificate is a CA certificate (basicConstraints cA)");
        }

        if (leaf.ExtendedKeyUsages is not { } purposes || !purposes.Contains(ParsedCertificate.CodeSigningOid)
            || !leaf.HasKeyUsage(ParsedCertificate.DigitalSignatureBit))
        {
            return Fail(DiagnosticCode.CertificateMissingCodeSigning,
                "the signing certificate is not for code signing (extKeyUsage codeSigning and keyUsage digitalSignature are required)");
        }

        if (leaf.UnhandledCriticalExtension(HandledCriticalExtensions) is { } oid)
        {
            return Fail(DiagnosticCode.CertificateUnhandledCriticalExtension,
                $"the signing certificate has the critical extension {oid}, which this verifier does not process");
        }

        foreach (var time in times)
        {
            if (!leaf.IsValidAt(time))
            {
                return Fail(DiagnosticCode.CertificateNotValidAtTime,
                    $"the signing certificate is valid from {Format(leaf.NotBefore)} to {Format(leaf.NotAfter)}, not at the verified time {Format(time)}");
            }

            if (CertificatePath.FirstNotValidAt(authority.Certificates, time) is var i and >= 0)
            {
                var certificate = authority.Certificates[i];
                return Fail(DiagnosticCode.CertificateNotValidAtTime, string.Create(CultureInfo.InvariantCulture,
                    $"certificate {i + 1} of the authority is valid from {Format(certificate.NotBefore)} to {Format(certificate.NotAfter)}, not at the verified time {Format(time)}"));
            }

            if (!authority.Authority.ValidFor.Contains(time))
            {
                return Fail(DiagnosticCode.CertificateAuthorityNotValidAtTime,
                    $"the trusted root trusts the certificate authority {authority.Authority.Uri} from {Format(authority.Authority.ValidFor.Start)}"
                    + (authority.Authority.ValidFor.End is { } end ? " to " + Format(end) : "") + $", not at the verified time {Format(time)}");
            }
        }

        return null;
    }

    private static Problem Fail(DiagnosticCode code, string message) => new(code, message, "certificate");

    private static string Format(DateTimeOffset time) => Rfc3339.Format(time);
}
