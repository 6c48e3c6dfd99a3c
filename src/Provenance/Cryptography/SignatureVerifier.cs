using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Provenance.Cryptography;

/// <summary>Checks signatures with one imported key. Implementations are safe for concurrent use.</summary>
internal abstract class SignatureVerifier
{
    /// <summary>False for any signature that does not verify, however malformed; never throws for it.</summary>
    public abstract bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature);

    /// <summary>
    /// Like <see cref="Verify"/>, given the digest of the data under the key's own hash instead of the data.
    /// False where the scheme hashes the message itself (Ed25519).
    /// </summary>
    public abstract bool VerifyDigest(ReadOnlySpan<byte> digest, ReadOnlySpan<byte> signature);
}

/// <summary>
/// Imported .NET keys, lent out one caller at a time. .NET documents no thread-safety for instance members
/// of <see cref="ECDsa"/> and <see cref="RSA"/>, so concurrent verifications each take their own instance;
/// instances are reused because importing a key costs more than verifying with it.
/// </summary>
internal sealed class KeyPool<T>(T first, Func<T> import) where T : AsymmetricAlgorithm
{
    private readonly ConcurrentBag<T> _idle = [first];

    public T Rent() => _idle.TryTake(out var key) ? key : import();

    public void Return(T key)
    {
        // More idle instances than cores are never needed again at once.
        if (_idle.Count < Environment.ProcessorCount)
        {
            _idle.Add(key);
        }
        else
        {
            key.Dispose();
        }
    }
}

internal sealed class EcdsaVerifier(KeyAlgorithm algorithm, KeyPool<ECDsa> keys) : SignatureVerifier
{
    public override bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature) =>
        Check(data, signature, static (ecdsa, data, rs, hash) => ecdsa.VerifyData(data, rs, hash, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));

    public override bool VerifyDigest(ReadOnlySpan<byte> digest, ReadOnlySpan<byte> signature) =>
        digest.Length == DigestAlgorithms.FromHashName(algorithm.Hash).SizeInBytes()
        && Check(digest, signature, static (ecdsa, digest, rs, _) => ecdsa.VerifyHash(digest, rs, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));

    private delegate bool EcdsaCheck(ECDsa ecdsa, ReadOnlySpan<byte> input, ReadOnlySpan<byte> rs, HashAlgorithmName hash);

    private bool Check(ReadOnlySpan<byte> input, ReadOnlySpan<byte> signature, EcdsaCheck check)
    {
        var fixedLength = 2 * algorithm.FieldBytes;
        Span<byte> rs = stackalloc byte[fixedLength];
        var ecdsa = keys.Rent();
        try
        {
            // A P1363 signature has exactly the fixed length; a DER one almost never does, but may, so a
            // fixed-length signature that fails as P1363 is still tried as DER.
            if (signature.Length == fixedLength && check(ecdsa, input, signature, algorithm.Hash))
            {
                return true;
            }

            return EcdsaSignature.TryDerToP1363(signature, rs) && check(ecdsa, input, rs, algorithm.Hash);
        }
        catch (CryptographicException)
        {
            return false;
        }
        finally
        {
            keys.Return(ecdsa);
        }
    }
}

internal sealed class RsaVerifier(KeyAlgorithm algorithm, int keyBytes, KeyPool<RSA> keys) : SignatureVerifier
{
    public override bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature) =>
        Check(data, signature, static (rsa, data, signature, algorithm) => rsa.VerifyData(data, signature, algorithm.Hash, algorithm.RsaPadding));

    public override bool VerifyDigest(ReadOnlySpan<byte> digest, ReadOnlySpan<byte> signature) =>
        digest.Length == DigestAlgorithms.FromHashName(algorithm.Hash).SizeInBytes()
        && Check(digest, signature, static (rsa, digest, signature, algorithm) => rsa.VerifyHash(digest, signature, algorithm.Hash, algorithm.RsaPadding));

    private delegate bool RsaCheck(RSA rsa, ReadOnlySpan<byte> input, ReadOnlySpan<byte> signature, KeyAlgorithm algorithm);

    private bool Check(ReadOnlySpan<byte> input, ReadOnlySpan<byte> signature, RsaCheck check)
    {
        // RFC 8017 section 8.2.2 step 1: a signature is exactly as long as the modulus.
        if (signature.Length != keyBytes)
        {
            return false;
        }

        var rsa = keys.Rent();
        try
        {
            return check(rsa, input, signature, algorithm);
        }
        catch (CryptographicException)
        {
            return false;
        }
        finally
        {
            keys.Return(rsa);
        }
    }
}

/// <summary>NSec public keys are immutable and libsodium's verify is a pure function, so no pool is needed.</summary>
internal sealed class Ed25519Verifier(NSec.Cryptography.PublicKey key) : SignatureVerifier
{
    public override bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature) =>
        signature.Length == NSec.Cryptography.SignatureAlgorithm.Ed25519.SignatureSize
        && NSec.Cryptography.SignatureAlgorithm.Ed25519.Verify(key, data, signature);

    // PureEdDSA (RFC 8032 section 5.1) hashes the message inside the scheme: a digest of it is of no use.
    public override bool VerifyDigest(ReadOnlySpan<byte> digest, ReadOnlySpan<byte> signature) => false;
}
