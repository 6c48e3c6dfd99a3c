using System.Formats.Asn1;
using System.Numerics;
using System.Security.Cryptography;

namespace Provenance.Cryptography;

/// <summary>
/// The <c>RSASSA-PSS-params</c> of an id-RSASSA-PSS SubjectPublicKeyInfo (RFC 4055 section 3.1 and 3.3),
/// which restrict the key to one hash. Absent parameters leave the key unrestricted.
/// </summary>
internal static class RsaPssParameters
{
    private const string Mgf1Oid = "1.2.840.113549.1.1.8";
    private const string Sha1Oid = "1.3.14.3.2.26";

    /// <summary>The hash the parameters fix, or throws <see cref="InvalidInputException"/>.</summary>
    public static HashAlgorithmName ReadHash(ReadOnlyMemory<byte> encoded)
    {
        HashAlgorithmName hash, mgfHash;
        BigInteger saltLength, trailer;
        try
        {
            var outer = new AsnReader(encoded, AsnEncodingRules.DER);
            var sequence = outer.ReadSequence();
            outer.ThrowIfNotEmpty();
            // The ASN.1 module of RFC 4055 uses explicit tags, and every field has a default.
            hash = Optional(sequence, 0, r => ReadHashAlgorithm(r.ReadSequence()), HashAlgorithmName.SHA1);
            mgfHash = Optional(sequence, 1, r => ReadMaskGeneration(r.ReadSequence()), HashAlgorithmName.SHA1);
            saltLength = Optional(sequence, 2, r => r.ReadInteger(), new BigInteger(20));
            trailer = Optional(sequence, 3, r => r.ReadInteger(), BigInteger.One);
            sequence.ThrowIfNotEmpty();
        }
        catch (AsnContentException)
        {
            throw SubjectPublicKeyInfo.Invalid(DiagnosticCode.InvalidKey,
                "the RSASSA-PSS key parameters are not valid DER (RFC 4055 section 3.1)");
        }

        if (hash == HashAlgorithmName.SHA1 || hash != mgfHash || trailer != BigInteger.One)
        {
            throw SubjectPublicKeyInfo.Invalid(DiagnosticCode.UnsupportedKeyAlgorithm,
                "this RSASSA-PSS key is restricted to SHA-1 or to mixed hashes; use a key for SHA-256, SHA-384 or SHA-512 with MGF1 of the same hash");
        }

        // .NET verifies PSS with a salt as long as the hash (RFC 8017 section 9.1 recommends this length).
        if (saltLength != SizeInBytes(hash))
        {
            throw SubjectPublicKeyInfo.Invalid(DiagnosticCode.UnsupportedKeyAlgorithm,
                $"this RSASSA-PSS key requires a salt of {saltLength} bytes; only a salt as long as the hash ({SizeInBytes(hash)} bytes) is supported");
        }

        return hash;
    }

    private static T Optional<T>(AsnReader sequence, int tag, Func<AsnReader, T> read, T defaultValue)
    {
        var contextTag = new Asn1Tag(TagClass.ContextSpecific, tag, isConstructed: true);
        if (!sequence.HasData || !sequence.PeekTag().HasSameClassAndValue(contextTag))
        {
            return defaultValue;
        }

        var field = sequence.ReadSequence(contextTag);
        var value = read(field);
        field.ThrowIfNotEmpty();
        return value;
    }

    private static HashAlgorithmName ReadHashAlgorithm(AsnReader algorithmIdentifier)
    {
        var oid = algorithmIdentifier.ReadObjectIdentifier();
        if (algorithmIdentifier.HasData)
        {
            algorithmIdentifier.ReadNull();
        }

        algorithmIdentifier.ThrowIfNotEmpty();
        return oid == Sha1Oid ? HashAlgorithmName.SHA1
            : DigestAlgorithms.TryFromOid(oid, out var hash) ? hash.ToHashAlgorithmName()
            : throw SubjectPublicKeyInfo.Invalid(DiagnosticCode.UnsupportedKeyAlgorithm,
                $"the RSASSA-PSS key names hash {oid}; only SHA-256, SHA-384 and SHA-512 are supported");
    }

    private static HashAlgorithmName ReadMaskGeneration(AsnReader algorithmIdentifier)
    {
        if (algorithmIdentifier.ReadObjectIdentifier() != Mgf1Oid)
        {
            throw SubjectPublicKeyInfo.Invalid(DiagnosticCode.UnsupportedKeyAlgorithm,
                "the RSASSA-PSS key uses a mask generation function other than MGF1");
        }

        var hash = ReadHashAlgorithm(algorithmIdentifier.ReadSequence());
        algorithmIdentifier.ThrowIfNotEmpty();
        return hash;
    }

    private static int SizeInBytes(HashAlgorithmName hash) => DigestAlgorithms.FromHashName(hash).SizeInBytes();
}
