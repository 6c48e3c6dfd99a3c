using System.Collections.Immutable;
using System.Globalization;
using System.Runtime.CompilerServices;
using Provenance.Cryptography;

namespace Provenance.Verification;

/// <summary>How a batch verification runs: how many cores it uses, and whom it tells how far it got.</summary>
public sealed record BatchOptions
{
    /// <summary>How many attestations or artifacts are worked on at once; at least 1. Defaults to the processor count.</summary>
    public int MaxDegreeOfParallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>Told how many of the artifacts are done, as they finish; null for silence.</summary>
    public IProgress<BatchProgress>? Progress { get; init; }
}

/// <summary>How far a batch verification got.</summary>
/// <param name="Done">Artifacts verified so far.</param>
/// <param name="Total">Artifacts to verify.</param>
/// <param name="BytesHashed">Bytes of artifacts hashed so far: a large file moves this while <paramref name="Done"/> stands still.</param>
public readonly record struct BatchProgress(int Done, int Total, long BytesHashed = 0);

public sealed partial class ProvenanceVerifier
{
    /// <summary>
    /// Verifies many artifacts against many attestations in parallel, each artifact streamed once, in memory that
    /// does not grow with the batch beyond its list of inputs. Each attestation file is read first for the subjects
    /// its statements claim, and verified only when an artifact with one of those digests needs it. Unlike
    /// <see cref="VerifyAsync(IReadOnlyList{ArtifactInput}, IReadOnlyList{AttestationInput}, CancellationToken)"/>,
    /// an artifact's result holds only the attestations that claim its digest (found by digest, not by trying each
    /// one), and names only their files as its inputs, so the work and the report grow with the inputs, not with
    /// their product. An artifact no verified attestation names fails with
    /// <see cref="DiagnosticCode.ArtifactNotInSubjects"/>, showing the attestations that claimed it and failed, and
    /// the first of those whose subjects could not be read at all. Results are in the order of
    /// <paramref name="artifacts"/> and do not depend on <see cref="BatchOptions.MaxDegreeOfParallelism"/>.
    /// <see cref="VerifyEachAsync"/> hands them out as they are ready instead, for runs too large to hold every
    /// result at once.
    /// </summary>
    public async Task<ImmutableArray<VerificationResult>> VerifyBatchAsync(
        IReadOnlyList<ArtifactInput> artifacts,
        IReadOnlyList<AttestationInput> attestations,
        BatchOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        var results = VerifyEachAsync(artifacts, attestations, options, cancellationToken);
        var all = ImmutableArray.CreateBuilder<VerificationResult>(artifacts.Count);
        await foreach (var result in results.ConfigureAwait(false))
        {
            all.Add(result);
        }

        return all.MoveToImmutable();
    }

    /// <summary>
    /// The results of <see cref="VerifyBatchAsync"/>, handed out in the order of <paramref name="artifacts"/> as soon
    /// as each is ready, so that a caller can write each one out while the rest are verified. Only a few results per
    /// core are ever held waiting for an earlier one: memory does not grow with the number of artifacts.
    /// </summary>
    public IAsyncEnumerable<VerificationResult> VerifyEachAsync(
        IReadOnlyList<ArtifactInput> artifacts,
        IReadOnlyList<AttestationInput> attestations,
        BatchOptions? options = null,
        CancellationToken cancellationToken = default) =>
        VerifyEachAsync(artifacts, attestations, static result => result, options, cancellationToken);

    /// <summary>
    /// As <see cref="VerifyEachAsync(IReadOnlyList{ArtifactInput}, IReadOnlyList{AttestationInput}, BatchOptions?, CancellationToken)"/>,
    /// each result first passed through <paramref name="selector"/> on the thread that verified it: whatever the
    /// caller does with a result (apply a policy, write its report) then runs on every core, not only on the one
    /// reading the results. The selector must be safe to call from several threads at once.
    /// </summary>
    public IAsyncEnumerable<T> VerifyEachAsync<T>(
        IReadOnlyList<ArtifactInput> artifacts,
        IReadOnlyList<AttestationInput> attestations,
        Func<VerificationResult, T> selector,
        BatchOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        // Checked here, not in the iterator, so that a wrong call fails where it is made rather than on first use.
        ArgumentNullException.ThrowIfNull(artifacts);
        ArgumentNullException.ThrowIfNull(attestations);
        ArgumentNullException.ThrowIfNull(selector);
        options ??= new BatchOptions();
        if (options.MaxDegreeOfParallelism < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxDegreeOfParallelism, "MaxDegreeOfParallelism must be at least 1.");
        }

        if (artifacts.Count == 0)
        {
            throw new ArgumentException("Give at least one artifact: verifying nothing would prove nothing.", nameof(artifacts));
        }

        return VerifyEachCoreAsync(artifacts, attestations, selector, options, cancellationToken);
    }

    private async IAsyncEnumerable<T> VerifyEachCoreAsync<T>(
        IReadOnlyList<ArtifactInput> artifacts,
        IReadOnlyList<AttestationInput> attestations,
        Func<VerificationResult, T> selector,
        BatchOptions options,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // 1. Every attestation file read once, in parallel, for the subjects its statements claim. Nothing is verified
        // yet: keeping thousands of verified attestations until their artifacts are hashed is what made memory grow
        // with the batch. Only files whose claims cannot be read are verified now, since no digest leads to them.
        var surveys = new FileSurvey[attestations.Count];
        await ForEachAsync(attestations.Count, options.MaxDegreeOfParallelism, async (i, token) =>
            surveys[i] = await SurveyAsync(attestations[i], token).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

        var fileChecks = ImmutableArray.CreateBuilder<Check>();
        if (attestations.Count == 0)
        {
            fileChecks.Add(Check.Fail(CheckNames.Load, new Problem(DiagnosticCode.NoAttestations,
                "no attestation was given: pass one with --attestation"), null));
        }

        // Only failures are repeated in each result: a passing load check per file would make every result as long as the batch.
        fileChecks.AddRange(surveys.Where(s => s.Failure is not null).Select(s => s.Failure!));
        var index = new ClaimIndex(surveys);
        surveys = null;
        var outcomes = new OutcomeCache(this, attestations, index);

        // 2. Every artifact, hashed once with the algorithms the statements use, then checked against the attestations
        // that claim its digest, each verified when first needed and kept only while other artifacts may need it. Each
        // result is handed out in order as soon as it and those before it are done.
        var done = 0;
        long bytes = 0;
        var report = options.Progress;
        var inputsReadable = fileChecks.Count == 0;
        var ordered = new OrderedResults<T>(artifacts.Count, options.MaxDegreeOfParallelism);
        await foreach (var result in ordered.RunAsync(async (i, token) =>
        {
            var hashed = report is null ? null : new HashProgress(delta => report.Report(
                new BatchProgress(Volatile.Read(ref done), artifacts.Count, Interlocked.Add(ref bytes, delta))));
            var (digests, failure) = await DigestAsync(artifacts[i], index.DigestsNeeded, hashed, token).ConfigureAwait(false);
            var result = await MatchAsync(artifacts[i], digests, failure, fileChecks, inputsReadable, index, outcomes, token).ConfigureAwait(false);
            var selected = selector(result);
            report?.Report(new BatchProgress(Interlocked.Increment(ref done), artifacts.Count, Interlocked.Read(ref bytes)));
            return selected;
        }, cancellationToken).ConfigureAwait(false))
        {
            yield return result;
        }
    }

    /// <summary>
    /// What the first read of an attestation file found: a failure to load it; or, per attestation, the subject
    /// digests it claims; or, when some attestation's claims cannot be read, every attestation already verified.
    /// </summary>
    private readonly record struct FileSurvey(
        Check? Failure, ClaimKey[][]? Claims, int ClaimedSubjects, SummaryResource? Read, ImmutableArray<AttestationOutcome> Outcomes);

    private async Task<FileSurvey> SurveyAsync(AttestationInput input, CancellationToken cancellationToken)
    {
        var (loaded, content, failure, rereadable) = await LoadAsync(input, cancellationToken).ConfigureAwait(false);
        if (failure is not null)
        {
            return new FileSurvey(failure, null, 0, null, []);
        }

        // A pipe cannot be read a second time, so it is verified now, as is a file whose claims cannot be read.
        FileSurvey VerifiedNow() => new(null, null, 0, SummaryResource.FromContent(input.Name, content.Span), [.. loaded.Select(Evaluate)]);
        if (!rereadable)
        {
            return VerifiedNow();
        }

        var claims = new ClaimKey[loaded.Length][];
        var keys = new List<ClaimKey>();
        var subjects = 0;
        for (var i = 0; i < loaded.Length; i++)
        {
            // A message signature names its artifact by a digest hint and by keys known only once it is verified.
            var claimed = loaded[i].Envelope is { } envelope ? ClaimedSubjects.Read(envelope.Payload.Span, keys) : 0;
            if (claimed == 0)
            {
                return VerifiedNow();
            }

            subjects += claimed;
            claims[i] = [.. keys];
            keys.Clear();
        }

        return new FileSurvey(null, claims, subjects, null, []);
    }

    /// <summary>Reads and verifies every attestation of one file, for the artifacts whose digests it claims.</summary>
    private async Task<FileOutcomes> VerifyFileAsync(AttestationInput input, CancellationToken cancellationToken)
    {
        var (loaded, content, failure, _) = await LoadAsync(input, cancellationToken).ConfigureAwait(false);
        return failure is null
            ? new FileOutcomes(null, SummaryResource.FromContent(input.Name, content.Span), [.. loaded.Select(Evaluate)])
            : new FileOutcomes(failure, null, []);
    }

    private sealed record FileOutcomes(Check? Failure, SummaryResource? Read, ImmutableArray<AttestationOutcome> Outcomes);

    private static async ValueTask<VerificationResult> MatchAsync(
        ArtifactInput artifact,
        ImmutableArray<ArtifactDigest> digests,
        Check? failure,
        ImmutableArray<Check>.Builder fileChecks,
        bool inputsReadable,
        ClaimIndex index,
        OutcomeCache cache,
        CancellationToken cancellationToken)
    {
        var checks = ImmutableArray.CreateBuilder<Check>();
        checks.AddRange(fileChecks);
        if (failure is not null)
        {
            checks.Add(failure);
            return new VerificationResult(artifact.DisplayName, [], false, [], checks.ToImmutable());
        }

        var verified = ImmutableArray.CreateBuilder<VerifiedAttestation>();
        var files = ImmutableArray.CreateBuilder<SummaryResource>();
        var fetched = new List<int>();
        FileOutcomes? outcomes = null;
        foreach (var (file, position) in index.Candidates(digests))
        {
            // Candidates come sorted by file, so each file is fetched, and its use counted, once per artifact.
            if (fetched.Count == 0 || fetched[^1] != file)
            {
                fetched.Add(file);
                outcomes = index.VerifiedEarly(file) ?? await cache.GetAsync(file, cancellationToken).ConfigureAwait(false);
                if (outcomes.Failure is not null)
                {
                    // The file was readable when it was first read; what it holds now is what counts.
                    checks.Add(outcomes.Failure);
                }

                if (outcomes.Read is { } read)
                {
                    files.Add(read);
                }
            }

            if (position < outcomes!.Outcomes.Length)
            {
                var outcome = outcomes.Outcomes[position];
                checks.AddRange(outcome.Checks);
                if (outcome.Trusted)
                {
                    MatchSubject(outcome, digests, checks, verified);
                }
            }
        }

        cache.Release(fetched);
        if (verified.Count == 0)
        {
            foreach (var outcome in index.Untrusted)
            {
                checks.AddRange(outcome.Checks);
            }

            var more = index.UntrustedCount > index.Untrusted.Count
                ? string.Create(CultureInfo.InvariantCulture, $" ({index.UntrustedCount} attestations could not be verified; the first {index.Untrusted.Count} are shown)")
                : "";
            checks.Add(Check.Fail(CheckNames.Subject, new Problem(DiagnosticCode.ArtifactNotInSubjects,
                "no verified attestation names the artifact's digest" + more), null,
                expected: "a verified attestation with the artifact as a subject", actual: digests.IsDefaultOrEmpty ? "none" : digests[0].ToString()));
        }

        return new VerificationResult(artifact.DisplayName, digests, inputsReadable && verified.Count > 0, verified.ToImmutable(), checks.ToImmutable())
        {
            AttestationFiles = files.ToImmutable(),
        };
    }

    /// <summary>Turns one artifact's running byte count into increments of the batch's total.</summary>
    private sealed class HashProgress(Action<long> added) : IProgress<long>
    {
        private long _seen;

        public void Report(long value)
        {
            added(value - _seen);
            _seen = value;
        }
    }

    /// <summary>Runs <paramref name="body"/> for 0 to count - 1 on at most <paramref name="parallelism"/> threads.</summary>
    private static Task ForEachAsync(int count, int parallelism, Func<int, CancellationToken, ValueTask> body, CancellationToken cancellationToken) =>
        Parallel.ForEachAsync(Enumerable.Range(0, count),
            new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken }, body);

}
