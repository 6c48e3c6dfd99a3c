using BenchmarkDotNet.Attributes;
using Provenance.Cryptography;
using Provenance.Policy;
using Provenance.Sigstore;
using Provenance.Verification;

namespace Provenance.Benchmarks;

/// <summary>
/// Whole verifications as a long-running verifier does them: trust parsed once, then each bundle read from bytes,
/// verified keyless against the embedded public-good root and matched to its artifact; and a policy evaluated on
/// the result.
/// </summary>
[MemoryDiagnoser]
public class VerificationBenchmarks
{
    // A signer and provenance check, as a release gate would have: what a policy costs after verification.
    private const string PolicyText = """
        name: benchmark
        description: The conformance suite's workflow, on its main branch, built SLSA provenance.
        require:
          - predicateType: https://slsa.dev/provenance/v1
            signer: { issuer: "https://token.actions.githubusercontent.com", identityRegex: "^https://github\\.com/sigstore-conformance/[^/]+/\\.github/workflows/[^@]+@refs/heads/main$" }
        """;

    private ProvenanceVerifier? _verifier;
    private ArtifactInput[] _artifact = [];
    private AttestationInput[] _attestation = [];
    private PolicyDocument? _policy;
    private VerificationResult? _result;

    [Params("happy-path-intoto-in-dsse-v3", "happy-path-v0.3")]
    public string Bundle { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        _verifier = new ProvenanceVerifier(KeylessInputs.Options(TrustedRoot.PublicGood));
        var digest = ArtifactDigest.FromHash(DigestAlgorithm.Sha256,
            System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(KeylessInputs.ArtifactPath)));
        _artifact = [ArtifactInput.FromDigest(digest)];
        _attestation = [AttestationInput.FromContent(Bundle, KeylessInputs.Bundle(Bundle))];
        if (!PolicyLoader.TryLoad(PolicyText, "benchmark", new Dictionary<string, string>(), out _policy, out var problem))
        {
            throw new InvalidOperationException(problem!.ToString());
        }

        _result = KeylessVerification().GetAwaiter().GetResult();
        if (!_result.Verified)
        {
            throw new InvalidOperationException("The conformance bundle does not verify; the benchmark would measure a failure path.");
        }
    }

    [Benchmark]
    public async Task<VerificationResult> KeylessVerification() => (await _verifier!.VerifyAsync(_artifact, _attestation))[0];

    [Benchmark]
    public PolicyResult PolicyEvaluation() => PolicyEvaluator.Evaluate(_policy!, _result!);
}
