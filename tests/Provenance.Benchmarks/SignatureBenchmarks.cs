using BenchmarkDotNet.Attributes;
using Provenance.Cryptography;
using Provenance.Envelopes;
using Provenance.Testing;
using Provenance.Verification;

namespace Provenance.Benchmarks;

/// <summary>
/// A DSSE signature over the PAE of the demo statement (testdata/demo) per algorithm, with the key imported once
/// (as the verifier holds it) and imported for every verification (what caching the imported key saves).
/// </summary>
[MemoryDiagnoser]
public class SignatureBenchmarks
{
    private byte[] _pae = [];
    private byte[] _signature = [];
    private byte[] _publicKey = [];
    private VerificationKey? _key;

    [Params("ecdsa-p256-sha256", "ecdsa-p384-sha384", "rsa-pkcs1v15-sha256", "rsa-pss-sha256", "ed25519")]
    public string Algorithm { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        var demo = AttestationLoader.Load(TestData.ReadAllBytes("demo", "hello-1.0.0.intoto.jsonl"), "demo")[0];
        _pae = demo.Envelope!.PreAuthenticationEncoding();
        using var signer = TestSigner.Create(Algorithm);
        _signature = signer.Sign(_pae);
        _publicKey = signer.PublicKeyDer;
        _key = VerificationKey.Parse(_publicKey, Algorithm);
        if (!_key.Verify(_pae, _signature))
        {
            throw new InvalidOperationException("The benchmark's signature does not verify; it would measure a failure path.");
        }
    }

    [Benchmark(Baseline = true)]
    public bool VerifyWithImportedKey() => _key!.Verify(_pae, _signature);

    [Benchmark]
    public bool ImportKeyThenVerify() => VerificationKey.Parse(_publicKey, Algorithm).Verify(_pae, _signature);
}
