using System.Collections.Immutable;
using System.Globalization;
using Provenance.Attestations;
using Provenance.Cryptography;
using Provenance.Sigstore;

namespace Provenance.Verification;

/// <summary>A time established by verified evidence, never by what a bundle merely states.</summary>
/// <param name="Time">The time.</param>
/// <param name="Source">What proved it: a transparency log's signed entry timestamp or a timestamp authority.</param>
public sealed record VerifiedTime(DateTimeOffset Time, string Source);

/// <summary>What a bundle's verification established before the artifact is looked at.</summary>
/// <param name="Checks">Every check made, in order.</param>
/// <param name="Statement">The verified statement, for DSSE content; null for a message signature or a failure.</param>
/// <param name="Signers">The verified signers.</param>
/// <param name="Times">The verified times.</param>
/// <param name="Blob">For a message signature that passed every artifact-independent check: what the artifact must meet.</param>
internal sealed record BundleOutcome(
    ImmutableArray<Check> Checks, Statement? Statement, ImmutableArray<Signer> Signers, ImmutableArray<VerifiedTime> Times, PendingBlob? Blob)
{
    public bool Trusted => (Statement is not null || Blob is not null) && Checks.All(c => c.Passed);
}

/// <summary>A message signature whose last checks need the artifact's digest.</summary>
internal sealed record PendingBlob(
    Sigstore.MessageSignature Signature,
    ImmutableArray<VerificationKey> Keys,
    SignerMaterialKind MaterialKind,
    ReadOnlyMemory<byte>? CertificateDer,
    ImmutableArray<TransparencyLogEntry> Entries);

/// <summary>
/// Verifies a Sigstore bundle in the order of the Sigstore client specification: transparency log entries, then
/// verified times, then the certificate at each of those times (chain, SCTs, identity), then the signature, then
/// the log entries' bodies against what was signed. Nothing the bundle carries is trusted unless the trusted root
/// or the caller's keys vouch for it.
/// </summary>
internal sealed class BundleVerifier(VerifierOptions options, TimeProvider clock)
{
    /// <summary>Clock skew tolerated between a verified time and this machine's clock.</summary>
    private static readonly TimeSpan AllowedSkew = TimeSpan.FromMinutes(5);

    public BundleOutcome Evaluate(LoadedAttestation attestation)
    {
        var bundle = attestation.Bundle!;
        var source = attestation.Source;
        var checks = ImmutableArray.CreateBuilder<Check>();
        var times = ImmutableArray.CreateBuilder<VerifiedTime>();
        BundleOutcome Fail(string check, Problem problem)
        {
            checks.Add(Check.Fail(check, problem, source));
            return new BundleOutcome(checks.ToImmutable(), null, [], [], null);
        }

        // protobuf-specs: a bundle's envelope carries exactly one signature, the one its log entry records.
        if (bundle.Envelope is { Signatures.Length: not 1 } many)
        {
            return Fail(CheckNames.Signature, new Problem(DiagnosticCode.InvalidField,
                $"a Sigstore bundle's DSSE envelope must carry exactly one signature; this one has {many.Signatures.Length}", "dsseEnvelope.signatures"));
        }

        var signature = bundle.Envelope?.Signatures[0].Signature ?? bundle.MessageSignature!.Signature;

        // Who could have signed: the caller's keys, or a certificate that has yet to earn trust.
        FulcioCertificate? leaf = null;
        if (bundle.MaterialKind == VerificationMaterialKind.PublicKey)
        {
            if (options.Keys.IsDefaultOrEmpty)
            {
                return Fail(CheckNames.Signature, new Problem(DiagnosticCode.NoTrustMaterial,
                    "the bundle is signed with a key, but no key was given to verify it with (--key)", "verificationMaterial.publicKey"));
            }
        }
        else
        {
            if (!options.KeylessEnabled)
            {
                return Fail(CheckNames.Identity, new Problem(DiagnosticCode.KeylessIdentityRequired,
                    "the bundle is signed keyless, but no signer identity was given to accept: pass --certificate-identity (or -regex) and --certificate-oidc-issuer (or -regex)",
                    "verificationMaterial"));
            }

            if (ReadLeaf(bundle, out leaf) is { } leafProblem)
            {
                return Fail(CheckNames.Certificate, leafProblem);
            }
        }

        var root = options.TrustedRoot;
        var entries = ImmutableArray<TransparencyLogEntry>.Empty;
        if (root is not null)
        {
            // 1. Transparency log entries: known logs only; SET and inclusion proof with a signed checkpoint.
            if (VerifyLogEntries(bundle, root, times, out entries, out var untimedLogs) is { } logProblem)
            {
                return Fail(CheckNames.TransparencyLog, logProblem);
            }

            // 2. Times from timestamp authorities, over the signature bytes.
            var logTimes = times.Count;
            if (VerifyTimestamps(bundle, signature, root, leaf, times) is { } timeProblem)
            {
                return Fail(CheckNames.Timestamp, timeProblem);
            }

            // A log's key must be valid when the entry was logged. A Rekor v2 entry states no integrated time, so its
            // log's key must be valid at every time the timestamp authorities verified (see VerifiedLogEntry).
            foreach (var log in untimedLogs)
            {
                if (times.Skip(logTimes).FirstOrDefault(t => !log.ValidFor.Contains(t.Time)) is { } outside)
                {
                    return Fail(CheckNames.TransparencyLog, new Problem(DiagnosticCode.LogKeyNotValidAtTime,
                        $"the key of the log {log.BaseUrl} is not valid at the verified time {outside.Time:yyyy-MM-ddTHH:mm:ssZ} ({outside.Source}) per the trusted root",
                        "verificationMaterial.tlogEntries"));
                }
            }

            checks.Add(Check.Pass(CheckNames.TransparencyLog,
                string.Create(CultureInfo.InvariantCulture, $"{entries.Length} log entr{(entries.Length == 1 ? "y" : "ies")} verified against the trusted root"), source));

            if (times.FirstOrDefault(t => t.Time > clock.GetUtcNow() + AllowedSkew) is { } future)
            {
                return Fail(CheckNames.Timestamp, new Problem(DiagnosticCode.TimeInFuture,
                    $"the verified time {future.Time:u} from {future.Source} is in the future"));
            }
        }

        var signers = ImmutableArray.CreateBuilder<Signer>();
        if (leaf is not null)
        {
            // 3. The certificate: chain to a trusted CA at every verified time, SCTs, identity.
            // Times count once per log or authority that proved them: two entries of one log are one log's word.
            var independent = times.Select(t => t.Source).Distinct(StringComparer.Ordinal).Count();
            if (independent < options.TimestampThreshold)
            {
                return Fail(CheckNames.Timestamp, new Problem(DiagnosticCode.NoVerifiedTime,
                    string.Create(CultureInfo.InvariantCulture,
                        $"{independent} independently verified time(s) where {options.TimestampThreshold} are required: a signed entry timestamp or an RFC 3161 timestamp from a trusted authority")));
            }

            checks.Add(Check.Pass(CheckNames.Timestamp, "verified at " + string.Join(", ", times.Select(t => $"{t.Time:u} ({t.Source})")), source));
            if (CertificateChainVerifier.Verify(leaf, [.. bundle.Certificates.Skip(1)], [.. times.Select(t => t.Time)], root!, out var authority) is { } chainProblem)
            {
                return Fail(CheckNames.Certificate, chainProblem);
            }

            checks.Add(Check.Pass(CheckNames.Certificate, $"the signing certificate chains to {authority!.Uri} at every verified time", source));
            if (SctVerifier.Verify(leaf, authority, root!, options.CertificateTransparencyThreshold) is { } sctProblem)
            {
                return Fail(CheckNames.CertificateTransparency, sctProblem);
            }

            checks.Add(Check.Pass(CheckNames.CertificateTransparency, "the certificate was logged to a trusted CT log", source));
            var subjects = leaf.SubjectAlternativeNames.Select(s => s.Value).ToList();
            if (!options.AcceptAnyIdentityUnsafe && !options.Identities.Any(i => i.Matches(leaf.SignerNames, leaf.Issuer)))
            {
                checks.Add(Check.Fail(CheckNames.Identity, new Problem(DiagnosticCode.IdentityMismatch,
                    "the certificate's identity is not one of those accepted", "verificationMaterial.certificate"), source,
                    expected: string.Join(" or ", options.Identities),
                    actual: $"subject {string.Join(", ", subjects.Select(s => Json.StrictJson.Printable(s, 200)))}, issuer {Json.StrictJson.Printable(leaf.Issuer ?? "(none)", 200)}"));
                return new BundleOutcome(checks.ToImmutable(), null, [], [], null);
            }

            checks.Add(Check.Pass(CheckNames.Identity, options.AcceptAnyIdentityUnsafe
                ? "UNSAFE: any identity accepted"
                : $"identity {subjects.FirstOrDefault()} from {leaf.Issuer} accepted", source));
            signers.Add(Signer.FromCertificate(leaf));
        }

        var materialKind = leaf is not null ? SignerMaterialKind.Certificate : SignerMaterialKind.PublicKey;
        if (bundle.Envelope is not { } envelope)
        {
            // A message signature is over the artifact's bytes: the signature and body checks wait for the artifact.
            ImmutableArray<VerificationKey> keys = leaf is not null ? [leaf.PublicKey] : options.Keys;
            return new BundleOutcome(checks.ToImmutable(), null, signers.ToImmutable(), times.ToImmutable(),
                new PendingBlob(bundle.MessageSignature!, keys, materialKind, leaf?.Der, entries));
        }

        // 4. The signature over the envelope's PAE.
        var pae = envelope.PreAuthenticationEncoding();
        var verifying = leaf is not null
            ? (leaf.PublicKey.Verify(pae, signature.Span) ? [leaf.PublicKey] : [])
            : options.Keys.Where(k => k.Verify(pae, signature.Span)).ToList();
        if (verifying.Count < (leaf is null ? options.SignatureThreshold : 1))
        {
            return Fail(CheckNames.Signature, new Problem(DiagnosticCode.SignatureInvalid,
                leaf is null
                    ? $"the envelope's signature does not verify with the {options.Keys.Length} trusted key(s)"
                    : "the envelope's signature does not verify with the signing certificate's key", "dsseEnvelope.signatures[0]"));
        }

        if (leaf is null)
        {
            signers.AddRange(verifying.Select(Signer.FromKey));
        }

        checks.Add(Check.Pass(CheckNames.Signature, "signed by " + string.Join(", ", signers), source));

        // 5. The log entries' bodies must record exactly this envelope, signature and signer.
        var content = SignedContent.ForEnvelope(envelope, materialKind, leaf?.Der ?? verifying[0].SubjectPublicKeyInfo);
        if (BindEntries(entries, content) is { } bindingProblem)
        {
            return Fail(CheckNames.LogEntryBinding, bindingProblem);
        }

        if (!entries.IsEmpty)
        {
            checks.Add(Check.Pass(CheckNames.LogEntryBinding, "the log entries record this envelope, signature and signer", source));
        }

        // The payload is interpreted only after everything about it verified.
        if (StatementReader.Read(envelope, source, checks) is not { } statement)
        {
            return new BundleOutcome(checks.ToImmutable(), null, [], [], null);
        }

        return new BundleOutcome(checks.ToImmutable(), statement, signers.ToImmutable(), times.ToImmutable(), null);
    }

    /// <summary>The protobuf-specs HashAlgorithm name of a message digest, when it is one the artifact can be hashed with.</summary>
    public static DigestAlgorithm? HintAlgorithm(string name) => name switch
    {
        "SHA2_256" => DigestAlgorithm.Sha256,
        "SHA2_384" => DigestAlgorithm.Sha384,
        "SHA2_512" => DigestAlgorithm.Sha512,
        _ => null,
    };

    /// <summary>The digests of the artifact that <see cref="MatchBlob"/> compares: the message digest's and each candidate key's.</summary>
    public static IEnumerable<DigestAlgorithm> DigestsNeeded(PendingBlob blob)
    {
        if (blob.Signature.DigestAlgorithm is { } hint && HintAlgorithm(hint) is { } algorithm)
        {
            yield return algorithm;
        }

        foreach (var key in blob.Keys)
        {
            if (key.DigestAlgorithm is { } hash)
            {
                yield return hash;
            }
        }
    }

    /// <summary>
    /// The last checks of a message signature, once the artifact's digests are known: the signature over the
    /// artifact, the bundle's digest hint, and the log entries' record of both.
    /// </summary>
    public static Check MatchBlob(PendingBlob blob, ImmutableArray<ArtifactDigest> artifactDigests, string source)
    {
        var sha256 = artifactDigests.FirstOrDefault(d => d.Algorithm == DigestAlgorithm.Sha256);
        var message = blob.Signature;
        if (message.Digest is { } hint && message.DigestAlgorithm is { } hintAlgorithm)
        {
            // The digest in the bundle is only a hint, but one that disagrees with the artifact is a wrong bundle.
            var algorithm = HintAlgorithm(hintAlgorithm);
            var artifact = algorithm is { } a ? artifactDigests.FirstOrDefault(d => d.Algorithm == a) : null;
            if (algorithm is null || (artifact is not null && !artifact.Matches(algorithm.Value, Convert.ToHexStringLower(hint.Span))))
            {
                return Check.Fail(CheckNames.Subject, new Problem(DiagnosticCode.MessageDigestMismatch,
                    "the bundle's message digest is not the artifact's digest", "messageSignature.messageDigest"), source,
                    expected: artifact?.ToString() ?? artifactDigests.FirstOrDefault()?.ToString(),
                    actual: $"{hintAlgorithm}:{Convert.ToHexStringLower(hint.Span)}");
            }
        }

        VerificationKey? signer = null;
        foreach (var key in blob.Keys)
        {
            if (key.DigestAlgorithm is { } hash && artifactDigests.FirstOrDefault(d => d.Algorithm == hash) is { } digest
                && key.VerifyDigest(digest.ToBytes(), message.Signature.Span))
            {
                signer = key;
                break;
            }
        }

        if (signer is null)
        {
            return Check.Fail(CheckNames.Signature, new Problem(DiagnosticCode.SignatureInvalid,
                "the message signature does not verify over this artifact", "messageSignature.signature"), source);
        }

        if (sha256 is null && !blob.Entries.IsEmpty)
        {
            return Check.Fail(CheckNames.LogEntryBinding, new Problem(DiagnosticCode.LogEntryBodyMismatch,
                "the log entry records the artifact's sha256 digest, which is not known for this artifact"), source);
        }

        foreach (var entry in blob.Entries)
        {
            var content = SignedContent.ForMessage(message.Signature, blob.MaterialKind,
                blob.CertificateDer ?? signer.SubjectPublicKeyInfo, DigestAlgorithm.Sha256, sha256!.ToBytes());
            if (RekorBodyMatcher.Verify(entry, content) is { } mismatch)
            {
                return Check.Fail(CheckNames.LogEntryBinding, mismatch, source);
            }
        }

        return Check.Pass(CheckNames.Subject, "the message signature is over this artifact, as its log entries record", source);
    }

    private static Problem? ReadLeaf(SigstoreBundle bundle, out FulcioCertificate? leaf) =>
        FulcioCertificate.TryParse(bundle.Certificates[0], out leaf, out var problem) ? null : problem;

    private Problem? VerifyLogEntries(
        SigstoreBundle bundle, TrustedRoot root, ImmutableArray<VerifiedTime>.Builder times, out ImmutableArray<TransparencyLogEntry> entries,
        out ImmutableArray<TransparencyLogInstance> untimedLogs)
    {
        entries = [];
        untimedLogs = [];
        var untimed = ImmutableArray.CreateBuilder<TransparencyLogInstance>();
        var parsed = ImmutableArray.CreateBuilder<TransparencyLogEntry>();
        var logs = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < bundle.TransparencyLogEntries.Length; i++)
        {
            var path = string.Create(CultureInfo.InvariantCulture, $"verificationMaterial.tlogEntries[{i}]");
            if (!TransparencyLogEntry.TryParse(bundle.TransparencyLogEntries[i], path, out var entry, out var parseProblem))
            {
                return parseProblem;
            }

            if (TransparencyLogVerifier.Verify(entry!, root, bundle.Version, out var verified) is { } problem)
            {
                return problem with { Location = problem.Location is { } l ? $"{path}: {l}" : path };
            }

            // Two entries from one log are one witness, not two.
            logs.Add(Convert.ToBase64String(verified!.Log.LogId.Span));
            if (verified.IntegratedTime is { } integrated)
            {
                times.Add(new VerifiedTime(integrated, "signed entry timestamp of " + verified.Log.BaseUrl));
            }
            else
            {
                untimed.Add(verified.Log);
            }

            parsed.Add(entry!);
        }

        if (logs.Count < options.TransparencyLogThreshold)
        {
            return new Problem(DiagnosticCode.LogEntryMissing, string.Create(CultureInfo.InvariantCulture,
                $"{logs.Count} transparency log(s) verified where {options.TransparencyLogThreshold} are required"), "verificationMaterial.tlogEntries");
        }

        entries = parsed.ToImmutable();
        untimedLogs = untimed.ToImmutable();
        return null;
    }

    private static Problem? VerifyTimestamps(
        SigstoreBundle bundle, ReadOnlyMemory<byte> signature, TrustedRoot root, FulcioCertificate? leaf, ImmutableArray<VerifiedTime>.Builder times)
    {
        ImmutableArray<ReadOnlyMemory<byte>> tokens;
        try
        {
            tokens = TimestampVerificationData.ReadTokens(bundle.TimestampVerificationData, "verificationMaterial.timestampVerificationData");
        }
        catch (InvalidInputException e)
        {
            return e.Problem;
        }

        for (var i = 0; i < tokens.Length; i++)
        {
            // A timestamp counts only while the signing certificate was valid (as sigstore-go rules).
            var signerValidity = leaf is null ? null : new ValidityPeriod(leaf.NotBefore, leaf.NotAfter);
            if (TimestampVerifier.Verify(tokens[i], signature.Span, root, signerValidity, out var verified) is { } problem)
            {
                var path = string.Create(CultureInfo.InvariantCulture, $"verificationMaterial.timestampVerificationData.rfc3161Timestamps[{i}]");
                return problem with { Location = problem.Location is { } l ? $"{path}: {l}" : path };
            }

            times.Add(new VerifiedTime(verified!.Time, "RFC 3161 timestamp from " + verified.Authority.Uri));
        }

        return null;
    }

    private static Problem? BindEntries(ImmutableArray<TransparencyLogEntry> entries, SignedContent content)
    {
        foreach (var entry in entries)
        {
            if (RekorBodyMatcher.Verify(entry, content) is { } mismatch)
            {
                return mismatch;
            }
        }

        return null;
    }
}
