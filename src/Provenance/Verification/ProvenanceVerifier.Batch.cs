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
    /// <summary>At most this many unverifiable attestations are shown in the result of an artifact none named.</summary>
    private const int MaxUnverifiedShownPerArtifact = 8;

    /// <summary>
    /// Verifies many artifacts against many attestations in parallel, each attestation read and verified once and
    /// each artifact streamed once, in bounded memory for the bytes. Unlike
    /// <see cref="VerifyAsync(IReadOnlyList{ArtifactInput}, IReadOnlyList{AttestationInput}, CancellationToken)"/>,
    /// an artifact's result holds only the attestations whose verified subjects name it (found by digest, not by
    /// trying each one), so the work and the report grow with the inputs, not with their product. An artifact no
    /// verified attestation names fails with <see cref="DiagnosticCode.ArtifactNotInSubjects"/> and shows the first
    /// attestations that could not be verified. Results are in the order of <paramref name="artifacts"/> and do not
    /// depend on <see cref="BatchOptions.MaxDegreeOfParallelism"/>. <see cref="VerifyEachAsync"/> hands them out as
    /// they are ready instead, for runs too large to hold every result at once.
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
        // 1. Every attestation file, read and verified once, in parallel; kept in input order.
        var loaded = new (Check? Failure, SummaryResource? Read, ImmutableArray<AttestationOutcome> Outcomes)[attestations.Count];
        await ForEachAsync(attestations.Count, options.MaxDegreeOfParallelism, async (i, token) =>
        {
            var (attestationsRead, read, failure, _) = await LoadAsync(attestations[i], token).ConfigureAwait(false);
            loaded[i] = failure is not null
                ? (failure, null, [])
                : (null, read, [.. attestationsRead.Select(Evaluate)]);
        }, cancellationToken).ConfigureAwait(false);

        var fileChecks = ImmutableArray.CreateBuilder<Check>();
        if (attestations.Count == 0)
        {
            fileChecks.Add(Check.Fail(CheckNames.Load, new Problem(DiagnosticCode.NoAttestations,
                "no attestation was given: pass one with --attestation"), null));
        }

        // Only failures are repeated in each result: a passing load check per file would make every result as long as the batch.
        fileChecks.AddRange(loaded.Where(l => l.Failure is not null).Select(l => l.Failure!));
        var files = loaded.Where(l => l.Read is not null).Select(l => l.Read!).ToImmutableArray();
        var index = new OutcomeIndex(loaded.SelectMany(l => l.Outcomes));
        var needed = DigestsNeeded(index.All);

        // 2. Every artifact, hashed once with the algorithms the verified attestations use, and looked up by digest;
        // each result handed out in order as soon as it and those before it are done.
        var done = 0;
        long bytes = 0;
        var report = options.Progress;
        var inputsReadable = fileChecks.Count == 0;
        var ordered = new OrderedResults<T>(artifacts.Count, options.MaxDegreeOfParallelism);
        await foreach (var result in ordered.RunAsync(async (i, token) =>
        {
            var hashed = report is null ? null : new HashProgress(delta => report.Report(
                new BatchProgress(Volatile.Read(ref done), artifacts.Count, Interlocked.Add(ref bytes, delta))));
            var (digests, failure) = await DigestAsync(artifacts[i], needed, hashed, token).ConfigureAwait(false);
            var result = Match(artifacts[i], digests, failure, fileChecks, inputsReadable, index) with { AttestationFiles = files };
            var selected = selector(result);
            report?.Report(new BatchProgress(Interlocked.Increment(ref done), artifacts.Count, Interlocked.Read(ref bytes)));
            return selected;
        }, cancellationToken).ConfigureAwait(false))
        {
            yield return result;
        }
    }

    private static VerificationResult Match(
        ArtifactInput artifact,
        ImmutableArray<ArtifactDigest> digests,
        Check? failure,
        ImmutableArray<Check>.Builder fileChecks,
        bool inputsReadable,
        OutcomeIndex index)
    {
        var checks = ImmutableArray.CreateBuilder<Check>();
        checks.AddRange(fileChecks);
        if (failure is not null)
        {
            checks.Add(failure);
            return new VerificationResult(artifact.DisplayName, [], false, [], checks.ToImmutable());
        }

        var verified = ImmutableArray.CreateBuilder<VerifiedAttestation>();
        foreach (var outcome in index.Candidates(digests))
        {
            checks.AddRange(outcome.Checks);
            MatchSubject(outcome, digests, checks, verified);
        }

        if (verified.Count == 0)
        {
            foreach (var outcome in index.Untrusted.Take(MaxUnverifiedShownPerArtifact))
            {
                checks.AddRange(outcome.Checks);
            }

            var more = index.Untrusted.Count > MaxUnverifiedShownPerArtifact
                ? string.Create(CultureInfo.InvariantCulture, $" ({index.Untrusted.Count} attestations could not be verified; the first {MaxUnverifiedShownPerArtifact} are shown)")
                : "";
            checks.Add(Check.Fail(CheckNames.Subject, new Problem(DiagnosticCode.ArtifactNotInSubjects,
                "no verified attestation names the artifact's digest" + more), null,
                expected: "a verified attestation with the artifact as a subject", actual: digests.IsDefaultOrEmpty ? "none" : digests[0].ToString()));
        }

        return new VerificationResult(artifact.DisplayName, digests, inputsReadable && verified.Count > 0, verified.ToImmutable(), checks.ToImmutable());
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

    /// <summary>
    /// The verified attestations by the subject digests they name, so each artifact meets only the attestations
    /// about it. A message signature names its artifact by its digest hint; one without a hint is a candidate for
    /// every artifact. Candidates come back in input order, each once.
    /// </summary>
    private sealed class OutcomeIndex
    {
        private readonly List<AttestationOutcome> _trusted = [];
        private readonly Dictionary<(DigestAlgorithm, string), List<int>> _byDigest = [];
        private readonly List<int> _everywhere = [];

        public OutcomeIndex(IEnumerable<AttestationOutcome> outcomes)
        {
            foreach (var outcome in outcomes)
            {
                All.Add(outcome);
                if (!outcome.Trusted)
                {
                    Untrusted.Add(outcome);
                    continue;
                }

                var position = _trusted.Count;
                _trusted.Add(outcome);
                var keys = outcome.Blob is { } blob ? BlobKeys(blob) : StatementKeys(outcome.Statement!);
                var any = false;
                foreach (var key in keys.Distinct())
                {
                    any = true;
                    if (!_byDigest.TryGetValue(key, out var list))
                    {
                        _byDigest[key] = list = [];
                    }

                    list.Add(position);
                }

                if (!any && outcome.Blob is not null)
                {
                    _everywhere.Add(position);
                }
            }
        }

        /// <summary>Every attestation, in input order.</summary>
        public List<AttestationOutcome> All { get; } = [];

        /// <summary>Attestations that failed a check before their subjects could be trusted, in input order.</summary>
        public List<AttestationOutcome> Untrusted { get; } = [];

        public IEnumerable<AttestationOutcome> Candidates(ImmutableArray<ArtifactDigest> digests)
        {
            var positions = new SortedSet<int>(_everywhere);
            foreach (var digest in digests)
            {
                if (_byDigest.TryGetValue((digest.Algorithm, digest.Hex.ToLowerInvariant()), out var list))
                {
                    positions.UnionWith(list);
                }
            }

            return positions.Select(p => _trusted[p]);
        }

        private static IEnumerable<(DigestAlgorithm, string)> StatementKeys(Attestations.Statement statement)
        {
            foreach (var subject in statement.Subjects)
            {
                foreach (var (name, hex) in subject.Digest.StrongDigests)
                {
                    if (DigestAlgorithms.TryFromName(name, out var algorithm))
                    {
                        yield return (algorithm, hex.ToLowerInvariant());
                    }
                }
            }
        }

        private static IEnumerable<(DigestAlgorithm, string)> BlobKeys(PendingBlob blob) =>
            blob.Signature is { Digest: { } hint, DigestAlgorithm: { } name } && BundleVerifier.HintAlgorithm(name) is { } algorithm
                ? [(algorithm, Convert.ToHexStringLower(hint.Span))]
                : [];
    }
}
