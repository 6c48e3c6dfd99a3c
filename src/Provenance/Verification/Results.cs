using System.Collections.Immutable;
using Provenance.Attestations;
using Provenance.Cryptography;

namespace Provenance.Verification;

/// <summary>
/// One check the verifier made: what it checked, whether it passed and, when it did not, the stable code and
/// what was expected against what was found.
/// </summary>
/// <param name="Name">A stable name for the kind of check (see <see cref="CheckNames"/>).</param>
/// <param name="Passed">Whether the check passed.</param>
/// <param name="Message">What was found, in one sentence.</param>
/// <param name="Source">The attestation (file, line or item) the check is about, when it is about one.</param>
/// <param name="Code">The diagnostic code of a failure; null when passed.</param>
/// <param name="Expected">What the check required, when that is a value.</param>
/// <param name="Actual">What was found instead, when that is a value.</param>
/// <param name="Location">Where inside the source the failure is (JSON path, line).</param>
public sealed record Check(
    string Name,
    bool Passed,
    string Message,
    string? Source = null,
    DiagnosticCode? Code = null,
    string? Expected = null,
    string? Actual = null,
    string? Location = null)
{
    internal static Check Pass(string name, string message, string? source) => new(name, true, message, source);

    internal static Check Fail(string name, Problem problem, string? source, string? expected = null, string? actual = null) =>
        new(name, false, problem.Message, source, problem.Code, expected, actual, problem.Location);
}

/// <summary>The stable names of checks, as they appear in results and JSON output.</summary>
public static class CheckNames
{
    /// <summary>Reading the attestation file and finding attestations in it.</summary>
    public const string Load = "load";
    /// <summary>The DSSE payload type is that of in-toto statements.</summary>
    public const string PayloadType = "payload-type";
    /// <summary>A trusted signer signed the attestation.</summary>
    public const string Signature = "signature";
    /// <summary>The signed payload is a well-formed in-toto statement.</summary>
    public const string Statement = "statement";
    /// <summary>The artifact's digest is a subject of the statement.</summary>
    public const string Subject = "subject";
    /// <summary>Reading and hashing the artifact.</summary>
    public const string Artifact = "artifact";
    /// <summary>The bundle's transparency log entries verify against the trusted root.</summary>
    public const string TransparencyLog = "transparency-log";
    /// <summary>Enough verified times (signed entry timestamps, RFC 3161 timestamps).</summary>
    public const string Timestamp = "timestamp";
    /// <summary>The signing certificate chains to a trusted CA at every verified time.</summary>
    public const string Certificate = "certificate";
    /// <summary>The signing certificate was logged to trusted certificate transparency logs.</summary>
    public const string CertificateTransparency = "certificate-transparency";
    /// <summary>The certificate's identity is one of those accepted.</summary>
    public const string Identity = "identity";
    /// <summary>The log entries record exactly what the bundle signed.</summary>
    public const string LogEntryBinding = "log-entry-binding";
}

/// <summary>Who signed an attestation, as established by verification (never as claimed by the attestation).</summary>
/// <param name="Kind">How the signer was trusted: <c>key</c> for a public key the caller gave, <c>keyless</c> for a certificate.</param>
/// <param name="KeyId">The signing key's identifier (<c>SHA256:</c> and its OpenSSH fingerprint).</param>
/// <param name="Algorithm">The signature algorithm.</param>
/// <param name="Certificate">The verified signing certificate of a keyless signer: identity, issuer, every Fulcio extension.</param>
public sealed record Signer(string Kind, string KeyId, string Algorithm, Sigstore.FulcioCertificate? Certificate = null)
{
    internal static Signer FromKey(VerificationKey key) => new("key", key.KeyId, key.Algorithm);

    internal static Signer FromCertificate(Sigstore.FulcioCertificate certificate) =>
        new("keyless", certificate.PublicKey.KeyId, certificate.PublicKey.Algorithm, certificate);

    /// <summary>The certificate's identity (its first subject alternative name), for keyless signers.</summary>
    public string? Identity => Certificate?.SubjectAlternativeNames.FirstOrDefault()?.Value;

    /// <summary>The OIDC issuer that vouched for the identity, for keyless signers.</summary>
    public string? Issuer => Certificate?.Issuer;

    /// <inheritdoc />
    public override string ToString() => Certificate is null ? $"{Kind} {KeyId} ({Algorithm})" : $"{Identity} (issuer {Issuer})";
}

/// <summary>An attestation whose signature verified and which names the artifact.</summary>
/// <param name="Source">Where the attestation came from.</param>
/// <param name="Format">The container it came in.</param>
/// <param name="Statement">The verified statement; null for a Sigstore message signature, which signs the artifact itself.</param>
/// <param name="Signers">Every trusted signer whose signature verified (at least the threshold).</param>
/// <param name="Times">The times verified evidence established for the signature.</param>
public sealed record VerifiedAttestation(string Source, AttestationFormat Format, Statement? Statement, ImmutableArray<Signer> Signers, ImmutableArray<VerifiedTime> Times);

/// <summary>The verdict for one artifact, with every check that led to it.</summary>
/// <param name="Artifact">The artifact as the caller named it (a path, or <c>sha256:HEX</c>).</param>
/// <param name="Digests">The artifact's digests that were compared with subjects.</param>
/// <param name="Verified">True only when at least one attestation verified and names the artifact, and every input could be read.</param>
/// <param name="Attestations">The attestations that verified and name the artifact.</param>
/// <param name="Checks">Every check, passed and failed, in the order they were made.</param>
public sealed record VerificationResult(
    string Artifact,
    ImmutableArray<ArtifactDigest> Digests,
    bool Verified,
    ImmutableArray<VerifiedAttestation> Attestations,
    ImmutableArray<Check> Checks)
{
    /// <summary>Every attestation input that was read, with the SHA-256 of the bytes verified.</summary>
    public ImmutableArray<SummaryResource> AttestationFiles { get; init; } = [];

    /// <summary>The checks that failed.</summary>
    public IEnumerable<Check> Failures => Checks.Where(c => !c.Passed);

    /// <summary>True when a failure is about the input or invocation rather than verification (exit code 2).</summary>
    public bool HasInputError => Failures.Any(c => c.Code is { } code && code.IsInputError());
}
