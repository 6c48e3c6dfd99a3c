using System.Collections.Immutable;
using BenchmarkDotNet.Attributes;
using Provenance.Sigstore;
using Provenance.Verification;

namespace Provenance.Benchmarks;

/// <summary>
/// The Sigstore steps of one keyless verification, on the conformance DSSE bundle and the embedded public-good
/// root: the Fulcio chain at the log's verified time (direct signature checks, cached authority keys), the Merkle
/// inclusion proof, the Rekor checkpoint, and the whole log entry (SET, proof, checkpoint).
/// </summary>
[MemoryDiagnoser]
public class SigstoreBenchmarks
{
    private TrustedRoot _root = TrustedRoot.PublicGood;
    private FulcioCertificate? _leaf;
    private TransparencyLogEntry? _entry;
    private DateTimeOffset[] _times = [];
    private byte[] _leafHash = [];
    private ImmutableArray<ReadOnlyMemory<byte>> _auditPath;
    private TransparencyLogInstance? _log;

    [GlobalSetup]
    public void Setup()
    {
        _root = TrustedRoot.PublicGood;
        var bundle = KeylessInputs.Load(KeylessInputs.BundleNames[0]).Bundle!;
        _leaf = FulcioCertificate.Parse(bundle.Certificates[0]);
        if (!Sigstore.TransparencyLogEntry.TryParse(bundle.TransparencyLogEntries[0], "tlogEntries[0]", out _entry, out var problem))
        {
            throw new InvalidOperationException(problem.ToString());
        }

        _times = [DateTimeOffset.FromUnixTimeSeconds(_entry!.IntegratedTime)];
        _leafHash = MerkleTree.HashLeaf(_entry.CanonicalizedBody.Span);
        _auditPath = _entry.InclusionProof!.Hashes;
        _log = _root.FindTransparencyLog(_entry.LogId.Span);
        if (ChainToFulcio() is not null || !MerkleInclusion() || LogEntry() is not null)
        {
            throw new InvalidOperationException("The conformance bundle does not verify; the benchmark would measure a failure path.");
        }
    }

    [Benchmark]
    public Problem? ChainToFulcio() => CertificateChainVerifier.Verify(_leaf!, _times, _root, out _);

    [Benchmark]
    public bool MerkleInclusion()
    {
        var proof = _entry!.InclusionProof!;
        return MerkleTree.VerifyInclusion(proof.LogIndex, proof.TreeSize, _leafHash, _auditPath, proof.RootHash.Span);
    }

    [Benchmark]
    public Checkpoint Checkpoint() => CheckpointVerifier.VerifyRekorV1(_entry!.InclusionProof!.Checkpoint!, _log!.Key!);

    [Benchmark]
    public Problem? LogEntry() => TransparencyLogVerifier.Verify(_entry!, _root, BundleVersion.V03, out _);
}
