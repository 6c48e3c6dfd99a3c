using System.Text;
using Provenance.Cryptography;
using Provenance.Testing;

namespace Provenance.Tests.Cryptography;

/// <summary>
/// What every supported algorithm must do, run over the one registry
/// (<see cref="VerificationKey.SupportedAlgorithms"/>): a new algorithm gets all of these for free, and
/// cannot be added without a <see cref="TestSigner"/>.
/// </summary>
public sealed class VerificationKeyContractTests
{
    private static readonly byte[] Data = Encoding.UTF8.GetBytes("DSSEv1 28 application/vnd.in-toto+json 2 {}");

    public static TheoryData<string> Algorithms => [.. TestSigner.AllAlgorithms];

    public static TheoryData<string> EcdsaAlgorithms => [.. TestSigner.AllAlgorithms.Where(a => a.StartsWith("ecdsa-", StringComparison.Ordinal))];

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void Own_signature_verifies_with_the_key_read_from_pem_and_from_der(string algorithm)
    {
        using var signer = TestSigner.Create(algorithm);
        var signature = signer.Sign(Data);

        var fromPem = VerificationKey.Parse(Encoding.ASCII.GetBytes(signer.PublicKeyPem), algorithm);
        var fromDer = VerificationKey.Parse(signer.PublicKeyDer, algorithm);

        Assert.True(fromPem.Verify(Data, signature));
        Assert.True(fromDer.Verify(Data, signature));
        Assert.Equal(algorithm, fromPem.Algorithm);
        Assert.Equal(fromDer.KeyId, fromPem.KeyId);
        Assert.Equal(signer.PublicKeyDer, fromPem.SubjectPublicKeyInfo.ToArray());
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void A_signature_verifies_against_the_digest_of_the_data_under_the_keys_own_hash(string algorithm)
    {
        using var signed = Signed.With(algorithm);
        var key = signed.Key;

        if (key.DigestAlgorithm is not { } hash)
        {
            // PureEdDSA signs the message itself; a digest can never stand in for it.
            Assert.StartsWith("ed25519", algorithm, StringComparison.Ordinal);
            Assert.False(key.VerifyDigest(System.Security.Cryptography.SHA512.HashData(Data), signed.Signature));
            return;
        }

        var digest = hash switch
        {
            DigestAlgorithm.Sha256 => System.Security.Cryptography.SHA256.HashData(Data),
            DigestAlgorithm.Sha384 => System.Security.Cryptography.SHA384.HashData(Data),
            _ => System.Security.Cryptography.SHA512.HashData(Data),
        };
        Assert.True(key.VerifyDigest(digest, signed.Signature));

        var otherDigest = (byte[])digest.Clone();
        otherDigest[0] ^= 0x01;
        Assert.False(key.VerifyDigest(otherDigest, signed.Signature));
        Assert.False(key.VerifyDigest(digest.AsSpan(1), signed.Signature));
        Assert.False(key.VerifyDigest(Data, signed.Signature));
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void Flipping_any_bit_of_the_data_fails(string algorithm)
    {
        using var signed = Signed.With(algorithm);
        var (key, signature) = (signed.Key, signed.Signature);

        foreach (var index in new[] { 0, Data.Length / 2, Data.Length - 1 })
        {
            var tampered = (byte[])Data.Clone();
            tampered[index] ^= 0x01;
            Assert.False(key.Verify(tampered, signature));
        }
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void Flipping_any_bit_of_the_signature_fails(string algorithm)
    {
        using var signed = Signed.With(algorithm);
        var (key, signature) = (signed.Key, signed.Signature);

        for (var index = 0; index < signature.Length; index += Math.Max(1, signature.Length / 16))
        {
            foreach (var bit in new byte[] { 0x01, 0x80 })
            {
                var tampered = (byte[])signature.Clone();
                tampered[index] ^= bit;
                Assert.False(key.Verify(Data, tampered), $"byte {index} bit {bit:x2}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void Malformed_signatures_are_false_not_exceptions(string algorithm)
    {
        using var signed = Signed.With(algorithm);
        var (key, signature) = (signed.Key, signed.Signature);
        var garbage = new byte[signature.Length];
        new Random(8032).NextBytes(garbage);

        Assert.False(key.Verify(Data, []));
        Assert.False(key.Verify(Data, [0x30]));
        Assert.False(key.Verify(Data, signature.AsSpan(..^1)));
        Assert.False(key.Verify(Data, [.. signature, 0x00]));
        Assert.False(key.Verify(Data, garbage));
        Assert.False(key.Verify(Data, new byte[signature.Length]));
        Assert.False(key.Verify(Data, new byte[Limits.MaxSignatureBytes + 1]));
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void Another_key_of_the_same_algorithm_fails(string algorithm)
    {
        using var signer = TestSigner.Create(algorithm);
        using var other = TestSigner.Create(algorithm);
        var otherKey = VerificationKey.Parse(other.PublicKeyDer, algorithm);

        Assert.False(otherKey.Verify(Data, signer.Sign(Data)));
        Assert.NotEqual(VerificationKey.Parse(signer.PublicKeyDer, algorithm).KeyId, otherKey.KeyId);
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void Concurrent_verifications_with_one_key_agree(string algorithm)
    {
        using var signed = Signed.With(algorithm);
        var (key, signature) = (signed.Key, signed.Signature);
        var tampered = (byte[])signature.Clone();
        tampered[^1] ^= 0x01;

        var results = new bool[64];
        Parallel.For(0, results.Length, i => results[i] = key.Verify(Data, i % 2 == 0 ? signature : tampered));

        Assert.Equal(Enumerable.Range(0, results.Length).Select(i => i % 2 == 0), results);
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void A_private_key_is_refused(string algorithm)
    {
        using var signer = TestSigner.Create(algorithm);

        Assert.False(VerificationKey.TryParse(Encoding.ASCII.GetBytes(signer.ExportPrivateKeyPem()), null, out _, out var problem));
        Assert.Equal(DiagnosticCode.InvalidKey, problem.Code);
    }

    [Theory]
    [MemberData(nameof(EcdsaAlgorithms))]
    public void Ecdsa_accepts_der_and_p1363_signatures(string algorithm)
    {
        using var signer = TestSigner.Create(algorithm);
        var key = VerificationKey.Parse(signer.PublicKeyDer);

        Assert.Equal(algorithm, key.Algorithm);
        Assert.True(key.Verify(Data, signer.Sign(Data)));
        Assert.True(key.Verify(Data, signer.SignP1363(Data)));
    }

    /// <summary>A fresh key for the algorithm, its verifier and its signature of <see cref="Data"/>.</summary>
    private sealed record Signed(TestSigner Signer, VerificationKey Key, byte[] Signature) : IDisposable
    {
        public static Signed With(string algorithm)
        {
            var signer = TestSigner.Create(algorithm);
            return new(signer, VerificationKey.Parse(signer.PublicKeyDer, algorithm), signer.Sign(Data));
        }

        public void Dispose() => Signer.Dispose();
    }
}
