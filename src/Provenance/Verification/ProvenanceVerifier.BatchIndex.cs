using System.Collections.Concurrent;
using System.Collections.Immutable;
using Provenance.Cryptography;

namespace Provenance.Verification;

public sealed partial class ProvenanceVerifier
{
    /// <summary>At most this many unverifiable attestations are shown in the result of an artifact none named.</summary>
    private const int MaxUnverifiedShownPerArtifact = 8;

    /// <summary>
    /// Which attestations each artifact digest leads to: those whose statements claim it, found when their files were
    /// first read, and the few verified at once because their claims could not be read (message signatures, which a
    /// digest hint names, or a hint-less one that any artifact may match). Candidates come back in input order, each once.
    /// </summary>
    private sealed class ClaimIndex
    {
        // One linked list of attestations per key, in arrays rather than a list object per digest: for a batch of
        // thousands this index is most of what the batch keeps.
        private readonly Dictionary<ClaimKey, int> _heads;
        private readonly List<(int File, int Position, int Next)> _nodes;
        private readonly List<(int File, int Position)> _everywhere = [];
        private readonly Dictionary<int, FileOutcomes> _verifiedEarly = [];

        public ClaimIndex(FileSurvey[] surveys)
        {
            // Sized up front: grown by doubling, the two would hold up to twice the room the claims need.
            var claimCount = surveys.Sum(s => s.Claims?.Sum(keys => keys.Length) ?? 0);
            _heads = new Dictionary<ClaimKey, int>(claimCount);
            _nodes = new List<(int File, int Position, int Next)>(claimCount);
            Uses = new int[surveys.Length];
            var needed = new HashSet<DigestAlgorithm> { DigestAlgorithm.Sha256 };
            for (var file = 0; file < surveys.Length; file++)
            {
                var survey = surveys[file];
                if (survey.Claims is { } claims)
                {
                    Uses[file] = survey.ClaimedSubjects;
                    for (var position = 0; position < claims.Length; position++)
                    {
                        foreach (var key in claims[position])
                        {
                            Add(key, file, position);
                            needed.Add(key.Algorithm);
                        }
                    }

                    continue;
                }

                if (survey.Outcomes.IsDefaultOrEmpty)
                {
                    continue;
                }

                var kept = false;
                for (var position = 0; position < survey.Outcomes.Length; position++)
                {
                    var outcome = survey.Outcomes[position];
                    if (!outcome.Trusted)
                    {
                        UntrustedCount++;
                        if (Untrusted.Count < MaxUnverifiedShownPerArtifact)
                        {
                            Untrusted.Add(outcome);
                        }

                        continue;
                    }

                    var keys = outcome.Blob is { } blob ? BlobKeys(blob) : StatementKeys(outcome.Statement!);
                    foreach (var key in keys)
                    {
                        Add(key, file, position);
                        kept = true;
                    }

                    if (outcome.Blob is { } pending)
                    {
                        needed.UnionWith(BundleVerifier.DigestsNeeded(pending));
                        if (keys.Count == 0)
                        {
                            _everywhere.Add((file, position));
                            kept = true;
                        }
                    }
                }

                if (kept)
                {
                    _verifiedEarly[file] = new FileOutcomes(null, survey.Read, survey.Outcomes);
                }
            }

            DigestsNeeded = needed;
        }

        /// <summary>The algorithms to hash artifacts with: SHA-256 always, and every other one a statement's subjects use.</summary>
        public IReadOnlyCollection<DigestAlgorithm> DigestsNeeded { get; }

        /// <summary>Per file whose claims were read, how many of its subjects an artifact may still come for.</summary>
        public int[] Uses { get; }

        /// <summary>The first attestations that failed a check before their subjects could be trusted, in input order.</summary>
        public List<AttestationOutcome> Untrusted { get; } = [];

        /// <summary>How many attestations failed before their subjects could be trusted.</summary>
        public int UntrustedCount { get; private set; }

        /// <summary>The outcomes of a file verified when first read, or null for a file verified when an artifact needs it.</summary>
        public FileOutcomes? VerifiedEarly(int file) => _verifiedEarly.GetValueOrDefault(file);

        public List<(int File, int Position)> Candidates(ImmutableArray<ArtifactDigest> digests)
        {
            var found = new List<(int File, int Position)>(_everywhere);
            foreach (var digest in digests)
            {
                if (_heads.TryGetValue(ClaimKey.Of(digest), out var node))
                {
                    for (; node >= 0; node = _nodes[node].Next)
                    {
                        found.Add((_nodes[node].File, _nodes[node].Position));
                    }
                }
            }

            found.Sort();
            for (var i = found.Count - 1; i > 0; i--)
            {
                if (found[i] == found[i - 1])
                {
                    found.RemoveAt(i);
                }
            }

            return found;
        }

        private void Add(ClaimKey key, int file, int position)
        {
            var next = _heads.TryGetValue(key, out var head) ? head : -1;
            _heads[key] = _nodes.Count;
            _nodes.Add((file, position, next));
        }

        private static List<ClaimKey> StatementKeys(Attestations.Statement statement)
        {
            var keys = new List<ClaimKey>();
            foreach (var subject in statement.Subjects)
            {
                foreach (var (name, hex) in subject.Digest.StrongDigests)
                {
                    if (DigestAlgorithms.TryFromName(name, out var algorithm))
                    {
                        keys.Add(ClaimKey.Of(new ArtifactDigest(algorithm, hex)));
                    }
                }
            }

            return keys;
        }

        private static List<ClaimKey> BlobKeys(PendingBlob blob) =>
            blob.Signature is { Digest: { } hint, DigestAlgorithm: { } name } && BundleVerifier.HintAlgorithm(name) is { } algorithm
                && hint.Length == algorithm.SizeInBytes()
                ? [ClaimKey.Of(algorithm, hint.Span)]
                : [];
    }

    /// <summary>
    /// The verified attestations of the files artifacts are coming for. A file is dropped once each subject it
    /// claims has been looked for, and the oldest files go when too many are held, so memory stays flat however
    /// large the batch. A file dropped too early is simply verified again.
    /// </summary>
    private sealed class OutcomeCache(ProvenanceVerifier verifier, IReadOnlyList<AttestationInput> inputs, ClaimIndex index)
    {
        private const int Capacity = 256;
        private readonly ConcurrentDictionary<int, Lazy<Task<FileOutcomes>>> _files = [];

        // Every file in the order it was verified; an entry whose file was dropped since stays until it is the oldest.
        // Holding no more files than entries keeps the cache at Capacity.
        private readonly ConcurrentQueue<int> _arrivals = [];

        public Task<FileOutcomes> GetAsync(int file, CancellationToken cancellationToken)
        {
            if (_files.TryGetValue(file, out var held))
            {
                return held.Value;
            }

            var created = new Lazy<Task<FileOutcomes>>(() => verifier.VerifyFileAsync(inputs[file], cancellationToken));
            var entry = _files.GetOrAdd(file, created);
            if (ReferenceEquals(entry, created))
            {
                _arrivals.Enqueue(file);
                while (_arrivals.Count > Capacity && _arrivals.TryDequeue(out var oldest))
                {
                    _files.TryRemove(oldest, out _);
                }
            }

            return entry.Value;
        }

        /// <summary>Counts one artifact's look at each of <paramref name="files"/>.</summary>
        public void Release(List<int> files)
        {
            foreach (var file in files)
            {
                if (index.VerifiedEarly(file) is null && Interlocked.Decrement(ref index.Uses[file]) <= 0)
                {
                    _files.TryRemove(file, out _);
                }
            }
        }
    }
}
