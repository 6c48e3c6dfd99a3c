using System.Collections.Immutable;
using System.Security.Cryptography;

namespace Provenance.Cryptography;

/// <summary>
/// The digest algorithms an artifact may be matched with (FIPS 180-4). Weaker ones (sha1, md5) are
/// deliberately absent: a subject that only carries those never matches (see <see cref="DigestAlgorithms.IsWeak"/>).
/// </summary>
public enum DigestAlgorithm
{
    /// <summary>SHA-256, written <c>sha256</c> in in-toto digest sets.</summary>
    Sha256,
    /// <summary>SHA-384, written <c>sha384</c>.</summary>
    Sha384,
    /// <summary>SHA-512, written <c>sha512</c>.</summary>
    Sha512,
}

/// <summary>Names, sizes and comparison of <see cref="DigestAlgorithm"/> values.</summary>
public static class DigestAlgorithms
{
    /// <summary>Every supported algorithm, in the order <see cref="ArtifactHasher"/> reports them.</summary>
    public static ImmutableArray<DigestAlgorithm> All { get; } =
        [DigestAlgorithm.Sha256, DigestAlgorithm.Sha384, DigestAlgorithm.Sha512];

    /// <summary>The in-toto digest set name: <c>sha256</c>, <c>sha384</c> or <c>sha512</c>.</summary>
    public static string Name(this DigestAlgorithm algorithm) => algorithm switch
    {
        DigestAlgorithm.Sha256 => "sha256",
        DigestAlgorithm.Sha384 => "sha384",
        DigestAlgorithm.Sha512 => "sha512",
        _ => throw Error.UnknownDigestAlgorithm(algorithm),
    };

    /// <summary>The digest length in bytes.</summary>
    public static int SizeInBytes(this DigestAlgorithm algorithm) => algorithm switch
    {
        DigestAlgorithm.Sha256 => SHA256.HashSizeInBytes,
        DigestAlgorithm.Sha384 => SHA384.HashSizeInBytes,
        DigestAlgorithm.Sha512 => SHA512.HashSizeInBytes,
        _ => throw Error.UnknownDigestAlgorithm(algorithm),
    };

    /// <summary>The digest algorithm of a .NET hash name used by a signature scheme (SHA-256, SHA-384, SHA-512).</summary>
    internal static DigestAlgorithm FromHashName(System.Security.Cryptography.HashAlgorithmName hash) => hash.Name switch
    {
        "SHA256" => DigestAlgorithm.Sha256,
        "SHA384" => DigestAlgorithm.Sha384,
        "SHA512" => DigestAlgorithm.Sha512,
        _ => throw new ArgumentOutOfRangeException(nameof(hash), hash.Name, "Signature schemes here hash with SHA-256, SHA-384 or SHA-512."),
    };

    /// <summary>Finds the algorithm for a digest set name, ignoring case.</summary>
    public static bool TryFromName(string? name, out DigestAlgorithm algorithm)
    {
        foreach (var candidate in All)
        {
            if (string.Equals(name, candidate.Name(), StringComparison.OrdinalIgnoreCase))
            {
                algorithm = candidate;
                return true;
            }
        }

        algorithm = default;
        return false;
    }

    /// <summary>
    /// True for digest names that collisions have broken (md5, sha1). Callers use this to say why a subject
    /// did not match rather than silently ignoring it; such digests must never satisfy a match.
    /// </summary>
    public static bool IsWeak(string? name) =>
        string.Equals(name, "sha1", StringComparison.OrdinalIgnoreCase)
        || string.Equals(name, "md5", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Compares two hex digests, ignoring case, in time that depends only on their lengths. Anything that is
    /// not hex of equal length is unequal.
    /// </summary>
    public static bool FixedTimeHexEquals(string? a, string? b)
    {
        if (a is null || b is null || a.Length != b.Length || a.Length % 2 != 0 || a.Length > 2 * SHA512.HashSizeInBytes)
        {
            return false;
        }

        Span<byte> left = stackalloc byte[a.Length / 2];
        Span<byte> right = stackalloc byte[b.Length / 2];
        return Convert.FromHexString(a, left, out _, out _) == System.Buffers.OperationStatus.Done
            & Convert.FromHexString(b, right, out _, out _) == System.Buffers.OperationStatus.Done
            & CryptographicOperations.FixedTimeEquals(left, right);
    }

    /// <summary>
    /// Finds the algorithm for its object identifier (NIST hashAlgs, RFC 5754 section 2): the names X.509, CMS and
    /// RFC 3161 use.
    /// </summary>
    internal static bool TryFromOid(string? oid, out DigestAlgorithm algorithm)
    {
        (var found, algorithm) = oid switch
        {
            "2.16.840.1.101.3.4.2.1" => (true, DigestAlgorithm.Sha256),
            "2.16.840.1.101.3.4.2.2" => (true, DigestAlgorithm.Sha384),
            "2.16.840.1.101.3.4.2.3" => (true, DigestAlgorithm.Sha512),
            _ => (false, default(DigestAlgorithm)),
        };
        return found;
    }

    internal static HashAlgorithmName ToHashAlgorithmName(this DigestAlgorithm algorithm) => algorithm switch
    {
        DigestAlgorithm.Sha256 => HashAlgorithmName.SHA256,
        DigestAlgorithm.Sha384 => HashAlgorithmName.SHA384,
        DigestAlgorithm.Sha512 => HashAlgorithmName.SHA512,
        _ => throw Error.UnknownDigestAlgorithm(algorithm),
    };
}
