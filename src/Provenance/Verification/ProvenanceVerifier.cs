using System.Collections.Immutable;
using System.Globalization;
using Provenance.Attestations;
using Provenance.Cryptography;
using Provenance.Envelopes;
using Provenance.Sigstore;

namespace Provenance.Verification;

/// <summary>
/// Verifies artifacts against attestations: reads each attestation, checks its signature against the trusted
/// keys, reads the signed statement, and matches the artifact's digests against the statement's subjects.
/// Untrusted input never throws: every failure is a <see cref="Check"/> with a code in the result.
/// </summary>
public sealed partial class ProvenanceVerifier
{
    private readonly VerifierOptions _options;
    private readonly BundleVerifier _bundles;

    /// <summary>Builds a verifier; throws when the options could never verify anything.</summary>
    /// <param name="options">What to trust and how much to require.</param>
    /// <param name="timeProvider">
    /// The clock, used only to refuse evidence dated in the future; certificates are judged at verified times.
    /// </param>
    public ProvenanceVerifier(VerifierOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _bundles = new BundleVerifier(options, timeProvider ?? TimeProvider.System);
    }

    /// <summary>Verifies one artifact against the given attestations.</summary>
    public async Task<VerificationResult> VerifyAsync(
        ArtifactInput artifact, IReadOnlyList<AttestationInput> attestations, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(artifact);
        var results = await VerifyAsync([artifact], attestations, cancellationToken).ConfigureAwait(false);
        return results[0];
    }

    /// <summary>
    /// Verifies each artifact against the given attestations. Each attestation is read and its signature
    /// checked once, however many artifacts there are.
    /// </summary>
    public Task<ImmutableArray<VerificationResult>> VerifyAsync(
        IReadOnlyList<ArtifactInput> artifacts, IReadOnlyList<AttestationInput> attestations, CancellationToken cancellationToken = default) =>
        VerifyAsync(artifacts, attestations, progress: null, cancellationToken);

    /// <summary>
    /// As <see cref="VerifyAsync(IReadOnlyList{ArtifactInput}, IReadOnlyList{AttestationInput}, CancellationToken)"/>,
    /// telling <paramref name="progress"/> how many artifacts are done and how many of their bytes are hashed, for
    /// artifacts large enough that someone waits on them.
    /// </summary>
    public async Task<ImmutableArray<VerificationResult>> VerifyAsync(
        IReadOnlyList<ArtifactInput> artifacts,
        IReadOnlyList<AttestationInput> attestations,
        IProgress<BatchProgress>? progress,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(artifacts);
        ArgumentNullException.ThrowIfNull(attestations);
        if (artifacts.Count == 0)
        {
            throw new ArgumentException("Give at least one artifact: verifying nothing would prove nothing.", nameof(artifacts));
        }

        var fileChecks = ImmutableArray.CreateBuilder<Check>();
        var files = ImmutableArray.CreateBuilder<SummaryResource>();
        var outcomes = new List<AttestationOutcome>();
        if (attestations.Count == 0)
        {
            fileChecks.Add(Check.Fail(CheckNames.Load, new Problem(DiagnosticCode.NoAttestations,
                "no attestation was given: pass one with --attestation"), null));
        }

        foreach (var input in attestations)
        {
            var (loaded, content, failure, _) = await LoadAsync(input, cancellationToken).ConfigureAwait(false);
            if (failure is not null)
            {
                fileChecks.Add(failure);
                continue;
            }

            files.Add(SummaryResource.FromContent(input.Name, content.Span));

            fileChecks.Add(Check.Pass(CheckNames.Load,
                string.Create(CultureInfo.InvariantCulture, $"read {loaded.Length} attestation(s)"), input.Name));
            outcomes.AddRange(loaded.Select(Evaluate));
        }

        var results = ImmutableArray.CreateBuilder<VerificationResult>(artifacts.Count);
        long hashedBefore = 0;
        foreach (var artifact in artifacts)
        {
            var done = results.Count;
            var hashed = progress is null ? null : new HashProgress(bytes => progress.Report(new BatchProgress(done, artifacts.Count, hashedBefore += bytes)));
            var result = await VerifyArtifactAsync(artifact, fileChecks, outcomes, hashed, cancellationToken).ConfigureAwait(false);
            results.Add(result with { AttestationFiles = files.ToImmutable() });
            progress?.Report(new BatchProgress(results.Count, artifacts.Count, hashedBefore));
        }

        return results.MoveToImmutable();
    }

    /// <summary>
    /// Reads one input, and hands back its bytes so that a summary names the digest of the very bytes verified.
    /// They are hashed only by a caller that keeps them: a batch's first read of each file does not.
    /// <c>Rereadable</c> is false for a pipe, whose bytes cannot be read a second time.
    /// </summary>
    private static async Task<(ImmutableArray<LoadedAttestation> Loaded, ReadOnlyMemory<byte> Content, Check? Failure, bool Rereadable)> LoadAsync(
        AttestationInput input, CancellationToken cancellationToken)
    {
        ReadOnlyMemory<byte> content;
        var rereadable = true;
        if (input.Content is { } inMemory)
        {
            content = inMemory;
        }
        else
        {
            var (bytes, problem, again) = await BoundedFile.ReadOnceAsync(input.Path!, Limits.MaxAttestationFileBytes, "attestation", cancellationToken)
                .ConfigureAwait(false);
            if (problem is not null)
            {
                return ([], default, Check.Fail(CheckNames.Load, problem with { Location = StripSource(problem.Location, input.Name) }, input.Name), again);
            }

            content = bytes;
            rereadable = again;
        }

        try
        {
            return (AttestationLoader.Load(content, input.Name), content, null, rereadable);
        }
        catch (InvalidInputException e)
        {
            return ([], default, Check.Fail(CheckNames.Load, e.Problem with { Location = StripSource(e.Problem.Location, input.Name) }, input.Name), rereadable);
        }
    }

    private static string? StripSource(string? location, string source) =>
        location is not null && location.StartsWith(source, StringComparison.Ordinal)
            ? location[source.Length..].TrimStart(':', ' ') is { Length: > 0 } rest ? rest : null
            : location;

    /// <summary>
    /// Everything about one attestation that does not depend on the artifact. It names its source rather than holding
    /// the loaded envelope or bundle, so a batch of thousands keeps no payload bytes once they are verified.
    /// </summary>
    private sealed record AttestationOutcome(
        string Source,
        AttestationFormat Format,
        ImmutableArray<Check> Checks,
        Statement? Statement,
        ImmutableArray<Signer> Signers,
        ImmutableArray<VerifiedTime> Times,
        PendingBlob? Blob)
    {
        public bool Trusted => (Statement is not null || Blob is not null) && Checks.All(c => c.Passed);
    }

    private AttestationOutcome Evaluate(LoadedAttestation attestation)
    {
        var checks = ImmutableArray.CreateBuilder<Check>();
        var source = attestation.Source;
        AttestationOutcome Stop() => new(attestation.Source, attestation.Format, checks.ToImmutable(), null, [], [], null);

        if (attestation.Envelope is { } typed)
        {
            if (!string.Equals(typed.PayloadType, DsseEnvelope.InTotoPayloadType, StringComparison.Ordinal))
            {
                checks.Add(Check.Fail(CheckNames.PayloadType, new Problem(DiagnosticCode.UnsupportedPayloadType,
                    "the envelope's payloadType is not that of an in-toto statement", "payloadType"), source,
                    DsseEnvelope.InTotoPayloadType, Json.StrictJson.Printable(typed.PayloadType)));
                return Stop();
            }

            checks.Add(Check.Pass(CheckNames.PayloadType, "payloadType is " + DsseEnvelope.InTotoPayloadType, source));
        }

        if (attestation.Bundle is not null)
        {
            var bundle = _bundles.Evaluate(attestation);
            checks.AddRange(bundle.Checks);
            return new AttestationOutcome(attestation.Source, attestation.Format, checks.ToImmutable(), bundle.Statement, bundle.Signers, bundle.Times, bundle.Blob);
        }

        var envelope = attestation.Envelope!;
        if (_options.Keys.IsDefaultOrEmpty)
        {
            // A bare envelope carries no log entry, so keyless trust cannot be established offline.
            var problem = envelope.Signatures.Any(s => s.CertificatePem is not null)
                ? new Problem(DiagnosticCode.LogEntryLookupRequired,
                    "the envelope is signed keyless but carries no transparency log entry; its log entry must be looked up online, or use the Sigstore bundle instead",
                    "signatures")
                : new Problem(DiagnosticCode.NoTrustMaterial, "the envelope is signed with a key, but no key was given to verify it with (--key)", "signatures");
            checks.Add(Check.Fail(CheckNames.Signature, problem, source));
            return Stop();
        }

        var signers = VerifySignatures(envelope);
        if (signers.Length < _options.SignatureThreshold)
        {
            var problem = signers.IsEmpty
                ? new Problem(DiagnosticCode.SignatureInvalid,
                    $"none of the envelope's {envelope.Signatures.Length} signature(s) verifies with the {_options.Keys.Length} trusted key(s)", "signatures")
                : new Problem(DiagnosticCode.SignatureThresholdNotMet,
                    $"{signers.Length} trusted key(s) signed, {_options.SignatureThreshold} required", "signatures");
            checks.Add(Check.Fail(CheckNames.Signature, problem, source,
                expected: string.Create(CultureInfo.InvariantCulture, $"{_options.SignatureThreshold} valid signature(s) from: {string.Join(", ", _options.Keys.Select(k => k.KeyId))}"),
                actual: string.Create(CultureInfo.InvariantCulture, $"{signers.Length} valid")));
            return Stop();
        }

        checks.Add(Check.Pass(CheckNames.Signature, "signed by " + string.Join(", ", signers), source));

        // The payload is interpreted only after its signature verified: nothing unauthenticated is read for meaning.
        if (StatementReader.Read(envelope, source, checks) is not { } statement)
        {
            return Stop();
        }

        return new AttestationOutcome(attestation.Source, attestation.Format, checks.ToImmutable(), statement, signers, [], null);
    }

    /// <summary>The distinct trusted keys with a valid signature over the envelope's PAE.</summary>
    private ImmutableArray<Signer> VerifySignatures(DsseEnvelope envelope)
    {
        var pae = envelope.PreAuthenticationEncoding();
        var signers = ImmutableArray.CreateBuilder<Signer>();
        foreach (var key in _options.Keys)
        {
            // A signature that does not verify never counts, and one key counts once however often it signed.
            if (envelope.Signatures.Any(signature => key.Verify(pae, signature.Signature.Span)))
            {
                signers.Add(Signer.FromKey(key));
            }
        }

        return signers.ToImmutable();
    }

    private static async Task<VerificationResult> VerifyArtifactAsync(
        ArtifactInput artifact, ImmutableArray<Check>.Builder fileChecks, List<AttestationOutcome> outcomes, IProgress<long>? hashed, CancellationToken cancellationToken)
    {
        var checks = ImmutableArray.CreateBuilder<Check>();
        checks.AddRange(fileChecks);
        var (digests, failure) = await DigestAsync(artifact, DigestsNeeded(outcomes), hashed, cancellationToken).ConfigureAwait(false);
        if (failure is not null)
        {
            checks.Add(failure);
            foreach (var outcome in outcomes)
            {
                checks.AddRange(outcome.Checks);
            }

            return new VerificationResult(artifact.DisplayName, [], false, [], checks.ToImmutable());
        }

        var verified = ImmutableArray.CreateBuilder<VerifiedAttestation>();
        foreach (var outcome in outcomes)
        {
            checks.AddRange(outcome.Checks);
            if (!outcome.Trusted)
            {
                continue;
            }

            MatchSubject(outcome, digests, checks, verified);
        }

        var inputsReadable = fileChecks.All(c => c.Passed);
        return new VerificationResult(artifact.DisplayName, digests, inputsReadable && verified.Count > 0, verified.ToImmutable(), checks.ToImmutable());
    }

    /// <summary>The last check of a trusted attestation: does it name the artifact? When it does, it counts as verified.</summary>
    private static void MatchSubject(
        AttestationOutcome outcome, ImmutableArray<ArtifactDigest> digests, ImmutableArray<Check>.Builder checks, ImmutableArray<VerifiedAttestation>.Builder verified)
    {
        var subjectCheck = outcome.Blob is { } blob
            ? BundleVerifier.MatchBlob(blob, digests, outcome.Source)
            : SubjectMatcher.Match(outcome.Statement!, digests, outcome.Source);
        checks.Add(subjectCheck);
        if (subjectCheck.Passed)
        {
            verified.Add(new VerifiedAttestation(outcome.Source, outcome.Format, outcome.Statement, outcome.Signers, outcome.Times));
        }
    }

    /// <summary>
    /// The digests the trusted attestations can be matched with: every strong algorithm a verified statement's subjects
    /// use, and those a message signature is checked with. SHA-256 always, for reports and summaries. An algorithm
    /// no attestation uses could not change a match, so leaving it out gives up no check.
    /// </summary>
    private static HashSet<DigestAlgorithm> DigestsNeeded(IEnumerable<AttestationOutcome> outcomes)
    {
        var needed = new HashSet<DigestAlgorithm> { DigestAlgorithm.Sha256 };
        foreach (var outcome in outcomes)
        {
            if (!outcome.Trusted)
            {
                continue;
            }

            if (outcome.Blob is { } blob)
            {
                needed.UnionWith(BundleVerifier.DigestsNeeded(blob));
            }

            foreach (var subject in outcome.Statement?.Subjects ?? [])
            {
                foreach (var (name, _) in subject.Digest.StrongDigests)
                {
                    if (DigestAlgorithms.TryFromName(name, out var algorithm))
                    {
                        needed.Add(algorithm);
                    }
                }
            }

            if (needed.Count == DigestAlgorithms.All.Length)
            {
                break;
            }
        }

        return needed;
    }

    private static async Task<(ImmutableArray<ArtifactDigest> Digests, Check? Failure)> DigestAsync(
        ArtifactInput artifact, IReadOnlyCollection<DigestAlgorithm> algorithms, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        if (artifact.Digest is { } given)
        {
            return ([given], null);
        }

        var path = artifact.Path!;
        try
        {
            return (await ArtifactHasher.HashFileAsync(path, algorithms, progress, cancellationToken).ConfigureAwait(false), null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return ([], Check.Fail(CheckNames.Artifact, BoundedFile.Unreadable(e, path, "artifact"), null));
        }
    }
}
