using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Provenance.Cryptography;

/// <summary>Checks signatures with one imported key. Implementations are safe for concurrent use.</summary>
internal abstract class SignatureVerifier
{
    /// <summary>False for any signature that does not verify, however malformed; never throws for it.</summary>
    public abstract bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature);
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
    public override bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        var fixedLength = 2 * algorithm.FieldBytes;
        Span<byte> rs = stackalloc byte[fixedLength];
        var ecdsa = keys.Rent();
        try
        {
            // A P1363 signature has exactly the fixed length; a DER one almost never does, but may, so a
            // fixed-length signature that fails as P1363 is still tried as DER.
            if (signature.Length == fixedLength
                && ecdsa.VerifyData(data, signature, algorithm.Hash, DSASignatureFormat.IeeeP1363FixedFieldConcatenation))
            {
                return true;
            }

            return EcdsaSignature.TryDerToP1363(signature, rs)
                && ecdsa.VerifyData(data, rs, algorithm.Hash, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
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
    public override bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        // RFC 8017 section 8.2.2 step 1: a signature is exactly as long as the modulus.
        if (signature.Length != keyBytes)
        {
            return false;
        }

        var rsa = keys.Rent();
        try
        {
            return rsa.VerifyData(data, signature, algorithm.Hash, algorithm.RsaPadding);
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
}
