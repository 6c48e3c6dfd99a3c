using System.Security.Cryptography;
using Provenance.Cryptography;

namespace Provenance.Sigstore;

/// <summary>
/// An issuing certificate's public key, checking the signatures of the certificates it issued (RFC 5280 section
/// 6.1.3 (a)(1)) with whatever hash the child's signatureAlgorithm names: ECDSA (RFC 5758 section 3.2) on P-256,
/// P-384 or P-521 with SHA-256/384/512 in any pairing, RSA PKCS#1 v1.5 and PSS (RFC 4055), Ed25519 (RFC 8410).
/// <see cref="VerificationKey"/> binds a key to one scheme, which certificates do not; hence this separate type.
/// </summary>
/// <remarks>Imported once per trusted certificate and shared; safe for concurrent use. A bad signature is false.</remarks>
internal sealed class CertificateSignatureKey
{
    private readonly KeyPool<ECDsa>? _ecdsa;
    private readonly int _ecdsaFieldBytes;
    private readonly KeyPool<RSA>? _rsa;
    private readonly int _rsaBytes;
    private readonly NSec.Cryptography.PublicKey? _ed25519;

    private CertificateSignatureKey(KeyPool<ECDsa>? ecdsa, int ecdsaFieldBytes, KeyPool<RSA>? rsa, int rsaBytes, NSec.Cryptography.PublicKey? ed25519)
    {
        _ecdsa = ecdsa;
        _ecdsaFieldBytes = ecdsaFieldBytes;
        _rsa = rsa;
        _rsaBytes = rsaBytes;
        _ed25519 = ed25519;
    }

    /// <summary>Imports a SubjectPublicKeyInfo, or throws <see cref="InvalidInputException"/> for a key it cannot use.</summary>
    public static CertificateSignatureKey Create(ReadOnlyMemory<byte> subjectPublicKeyInfo)
    {
        var spki = Cryptography.SubjectPublicKeyInfo.Read(subjectPublicKeyInfo.Span);
        try
        {
            switch (spki.AlgorithmOid)
            {
                case Cryptography.SubjectPublicKeyInfo.EcPublicKeyOid:
                {
                    ECDsa Import()
                    {
                        var key = ECDsa.Create();
                        key.ImportSubjectPublicKeyInfo(spki.Der, out _);
                        return key;
                    }

                    var first = Import();
                    if (first.KeySize is not (256 or 384 or 521))
                    {
                        first.Dispose();
                        throw Unsupported($"an EC key of {first.KeySize} bits");
                    }

                    return new(new KeyPool<ECDsa>(first, Import), (first.KeySize + 7) / 8, null, 0, null);
                }

                case Cryptography.SubjectPublicKeyInfo.RsaEncryptionOid or Cryptography.SubjectPublicKeyInfo.RsaPssOid:
                {
                    RSA Import()
                    {
                        var key = RSA.Create();
                        key.ImportRSAPublicKey(spki.PublicKey, out var read);
                        return read == spki.PublicKey.Length ? key : throw new CryptographicException();
                    }

                    var first = Import();
                    if (first.KeySize < 2048 || first.KeySize > Limits.MaxRsaKeyBits)
                    {
                        first.Dispose();
                        throw Unsupported($"an RSA key of {first.KeySize} bits");
                    }

                    return new(null, 0, new KeyPool<RSA>(first, Import), (first.KeySize + 7) / 8, null);
                }

                case Cryptography.SubjectPublicKeyInfo.Ed25519Oid
                    when spki.Parameters is null && NSec.Cryptography.PublicKey.TryImport(NSec.Cryptography.SignatureAlgorithm.Ed25519,
                        spki.PublicKey, NSec.Cryptography.KeyBlobFormat.RawPublicKey, out var ed25519) && ed25519 is not null:
                    return new(null, 0, null, 0, ed25519);
                default:
                    throw Unsupported($"a key of algorithm {spki.AlgorithmOid}");
            }
        }
        catch (CryptographicException)
        {
            throw InvalidInputException.At(DiagnosticCode.CertificateMalformed, "certificate", "the certificate's public key cannot be imported");
        }
    }

    /// <summary>True when <paramref name="child"/> carries this key's signature over its TBSCertificate.</summary>
    public bool Verifies(ParsedCertificate child) => Verify(child.Tbs.Span, child.Signature.Span, child.SignatureAlgorithm);

    /// <summary>True when <paramref name="signature"/> over <paramref name="data"/> verifies with this key and <paramref name="algorithm"/>.</summary>
    public bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature, CertificateSignatureAlgorithm? algorithm)
    {
        if (algorithm is null || signature.IsEmpty || signature.Length > Limits.MaxSignatureBytes)
        {
            return false;
        }

        try
        {
            return algorithm.Family switch
            {
                CertificateSignatureFamily.Ecdsa when _ecdsa is not null => VerifyEcdsa(_ecdsa, data, signature, algorithm.Hash),
                CertificateSignatureFamily.RsaPkcs1 when _rsa is not null => VerifyRsa(_rsa, data, signature, algorithm.Hash, RSASignaturePadding.Pkcs1),
                CertificateSignatureFamily.RsaPss when _rsa is not null => VerifyRsa(_rsa, data, signature, algorithm.Hash, RSASignaturePadding.Pss),
                CertificateSignatureFamily.Ed25519 when _ed25519 is not null =>
                    NSec.Cryptography.SignatureAlgorithm.Ed25519.Verify(_ed25519, data, signature),
                _ => false,
            };
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    private bool VerifyEcdsa(KeyPool<ECDsa> pool, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature, HashAlgorithmName hash)
    {
        // X.509 ECDSA signatures are DER Ecdsa-Sig-Value (RFC 5758 section 3.2), strictly encoded.
        Span<byte> rs = stackalloc byte[2 * _ecdsaFieldBytes];
        if (!EcdsaSignature.TryDerToP1363(signature, rs))
        {
            return false;
        }

        var key = pool.Rent();
        try
        {
            return key.VerifyData(data, rs, hash, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }
        finally
        {
            pool.Return(key);
        }
    }

    private bool VerifyRsa(KeyPool<RSA> pool, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature, HashAlgorithmName hash, RSASignaturePadding padding)
    {
        // RFC 8017 section 8.2.2 step 1: a signature is exactly as long as the modulus.
        if (signature.Length != _rsaBytes)
        {
            return false;
        }

        var key = pool.Rent();
        try
        {
            return key.VerifyData(data, signature, hash, padding);
        }
        finally
        {
            pool.Return(key);
        }
    }

    private static InvalidInputException Unsupported(string what) =>
        InvalidInputException.At(DiagnosticCode.CertificateUnsupportedAlgorithm, "certificate",
            $"{what} cannot issue certificates here; use ECDSA (P-256, P-384, P-521), RSA of 2048 to {Limits.MaxRsaKeyBits} bits or Ed25519");
}
