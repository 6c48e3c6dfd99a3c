using System.Collections.Immutable;
using System.Security.Cryptography;

namespace Provenance.Cryptography;

/// <summary>The kind of public key, which fixes how its signatures are checked.</summary>
internal enum KeyFamily
{
    Ecdsa,
    Rsa,
    Ed25519,
}

/// <summary>
/// One supported signature scheme: the key it needs and how signatures are made with it. The canonical
/// names follow the <c>--key-algorithm</c> spellings of the CLI; <see cref="KeyAlgorithms"/> is the registry.
/// </summary>
internal sealed record KeyAlgorithm(
    string Name,
    KeyFamily Family,
    HashAlgorithmName Hash,
    string? CurveOid = null,
    int FieldBytes = 0,
    bool Pss = false)
{
    public RSASignaturePadding RsaPadding => Pss ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1;
}

/// <summary>
/// The registry of signature schemes and the names users may give them: canonical names, and the
/// <c>PublicKeyDetails</c> names of the Sigstore protobuf-specs (<c>sigstore_common.proto</c>), which
/// trusted roots and bundles use.
/// </summary>
internal static class KeyAlgorithms
{
    // SEC 2 / RFC 5480 curve identifiers.
    public const string P256Oid = "1.2.840.10045.3.1.7";
    public const string P384Oid = "1.3.132.0.34";
    public const string P521Oid = "1.3.132.0.35";

    public static readonly KeyAlgorithm EcdsaP256 = new("ecdsa-p256-sha256", KeyFamily.Ecdsa, HashAlgorithmName.SHA256, P256Oid, 32);
    public static readonly KeyAlgorithm EcdsaP384 = new("ecdsa-p384-sha384", KeyFamily.Ecdsa, HashAlgorithmName.SHA384, P384Oid, 48);
    public static readonly KeyAlgorithm EcdsaP521 = new("ecdsa-p521-sha512", KeyFamily.Ecdsa, HashAlgorithmName.SHA512, P521Oid, 66);
    public static readonly KeyAlgorithm RsaPkcs1Sha256 = new("rsa-pkcs1v15-sha256", KeyFamily.Rsa, HashAlgorithmName.SHA256);
    public static readonly KeyAlgorithm RsaPkcs1Sha384 = new("rsa-pkcs1v15-sha384", KeyFamily.Rsa, HashAlgorithmName.SHA384);
    public static readonly KeyAlgorithm RsaPkcs1Sha512 = new("rsa-pkcs1v15-sha512", KeyFamily.Rsa, HashAlgorithmName.SHA512);
    public static readonly KeyAlgorithm RsaPssSha256 = new("rsa-pss-sha256", KeyFamily.Rsa, HashAlgorithmName.SHA256, Pss: true);
    public static readonly KeyAlgorithm RsaPssSha384 = new("rsa-pss-sha384", KeyFamily.Rsa, HashAlgorithmName.SHA384, Pss: true);
    public static readonly KeyAlgorithm RsaPssSha512 = new("rsa-pss-sha512", KeyFamily.Rsa, HashAlgorithmName.SHA512, Pss: true);
    public static readonly KeyAlgorithm Ed25519 = new("ed25519", KeyFamily.Ed25519, HashAlgorithmName.SHA512);

    public static ImmutableArray<KeyAlgorithm> All { get; } =
    [
        EcdsaP256, EcdsaP384, EcdsaP521,
        RsaPkcs1Sha256, RsaPkcs1Sha384, RsaPkcs1Sha512,
        RsaPssSha256, RsaPssSha384, RsaPssSha512,
        Ed25519,
    ];

    /// <summary>Sigstore names; those with a size also fix the RSA modulus length.</summary>
    private static readonly ImmutableDictionary<string, (KeyAlgorithm Algorithm, int? RsaBits)> SigstoreNames =
        new Dictionary<string, (KeyAlgorithm, int?)>
        {
            ["PKIX_ECDSA_P256_SHA_256"] = (EcdsaP256, null),
            ["PKIX_ECDSA_P384_SHA_384"] = (EcdsaP384, null),
            ["PKIX_ECDSA_P521_SHA_512"] = (EcdsaP521, null),
            ["PKIX_RSA_PKCS1V15_2048_SHA256"] = (RsaPkcs1Sha256, 2048),
            ["PKIX_RSA_PKCS1V15_3072_SHA256"] = (RsaPkcs1Sha256, 3072),
            ["PKIX_RSA_PKCS1V15_4096_SHA256"] = (RsaPkcs1Sha256, 4096),
            ["PKIX_RSA_PSS_2048_SHA256"] = (RsaPssSha256, 2048),
            ["PKIX_RSA_PSS_3072_SHA256"] = (RsaPssSha256, 3072),
            ["PKIX_RSA_PSS_4096_SHA256"] = (RsaPssSha256, 4096),
            ["PKIX_ED25519"] = (Ed25519, null),
        }.ToImmutableDictionary(StringComparer.OrdinalIgnoreCase);

    /// <summary>Finds a scheme by canonical or Sigstore name, ignoring case.</summary>
    public static bool TryFind(string name, out KeyAlgorithm algorithm, out int? requiredRsaBits)
    {
        requiredRsaBits = null;
        foreach (var candidate in All)
        {
            if (string.Equals(name, candidate.Name, StringComparison.OrdinalIgnoreCase))
            {
                algorithm = candidate;
                return true;
            }
        }

        if (SigstoreNames.TryGetValue(name, out var entry))
        {
            (algorithm, requiredRsaBits) = entry;
            return true;
        }

        algorithm = null!;
        return false;
    }

    public static KeyAlgorithm RsaWithHash(HashAlgorithmName hash, bool pss) =>
        All.Single(a => a.Family == KeyFamily.Rsa && a.Pss == pss && a.Hash == hash);
}
