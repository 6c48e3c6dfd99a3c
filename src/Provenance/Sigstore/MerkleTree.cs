using System.Security.Cryptography;

namespace Provenance.Sigstore;

/// <summary>
/// Merkle tree hashing and inclusion proofs of RFC 6962 section 2.1 and RFC 9162 section 2.1 with SHA-256: the
/// trees of Rekor v1 and v2. Leaves and interior nodes are hashed with distinct prefixes (0x00 and 0x01) so a leaf
/// can never be passed off as a node.
/// </summary>
public static class MerkleTree
{
    /// <summary>The length of every hash in the tree.</summary>
    public const int HashSize = SHA256.HashSizeInBytes;

    /// <summary>MTH({d(0)}) = SHA-256(0x00 || d(0)) (RFC 6962 section 2.1).</summary>
    public static byte[] HashLeaf(ReadOnlySpan<byte> leaf)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData([0x00]);
        hash.AppendData(leaf);
        return hash.GetHashAndReset();
    }

    /// <summary>SHA-256(0x01 || left || right) (RFC 6962 section 2.1).</summary>
    public static byte[] HashChildren(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        Span<byte> buffer = stackalloc byte[1 + (2 * HashSize)];
        buffer[0] = 0x01;
        left.CopyTo(buffer[1..]);
        right.CopyTo(buffer[(1 + left.Length)..]);
        return SHA256.HashData(buffer[..(1 + left.Length + right.Length)]);
    }

    /// <summary>
    /// The root hash that <paramref name="auditPath"/> leads to from the leaf at <paramref name="index"/> of a tree of
    /// <paramref name="treeSize"/> leaves (RFC 9162 section 2.1.3.2), or null when the proof cannot be one for that
    /// position: index not below the size, a hash that is not 32 bytes, or a path of the wrong length.
    /// </summary>
    public static byte[]? RootFromInclusionProof(
        long index, long treeSize, ReadOnlySpan<byte> leafHash, IReadOnlyList<ReadOnlyMemory<byte>> auditPath)
    {
        ArgumentNullException.ThrowIfNull(auditPath);
        if (index < 0 || treeSize <= 0 || index >= treeSize || leafHash.Length != HashSize || auditPath.Count > Limits.MaxInclusionProofHashes)
        {
            return null;
        }

        // RFC 9162 section 2.1.3.2, steps 1 to 6, with fn and sn as named there. Every node is hashed into one stack
        // buffer: a 32-level proof allocates nothing until the root is returned.
        var fn = index;
        var sn = treeSize - 1;
        Span<byte> r = stackalloc byte[HashSize];
        Span<byte> node = stackalloc byte[1 + (2 * HashSize)];
        node[0] = 0x01;
        leafHash.CopyTo(r);
        foreach (var p in auditPath)
        {
            if (p.Length != HashSize || sn == 0)
            {
                return null;
            }

            if ((fn & 1) == 1 || fn == sn)
            {
                p.Span.CopyTo(node[1..]);
                r.CopyTo(node[(1 + HashSize)..]);
                while ((fn & 1) == 0 && fn != 0)
                {
                    fn >>= 1;
                    sn >>= 1;
                }
            }
            else
            {
                r.CopyTo(node[1..]);
                p.Span.CopyTo(node[(1 + HashSize)..]);
            }

            SHA256.HashData(node, r);
            fn >>= 1;
            sn >>= 1;
        }

        // A path that ends before the root (sn not 0) is too short for this tree size.
        return sn == 0 ? r.ToArray() : null;
    }

    /// <summary>True when the audit path proves <paramref name="leafHash"/> is at <paramref name="index"/> of the tree with <paramref name="rootHash"/>.</summary>
    public static bool VerifyInclusion(
        long index, long treeSize, ReadOnlySpan<byte> leafHash, IReadOnlyList<ReadOnlyMemory<byte>> auditPath, ReadOnlySpan<byte> rootHash)
    {
        var computed = RootFromInclusionProof(index, treeSize, leafHash, auditPath);
        return computed is not null && rootHash.Length == HashSize && CryptographicOperations.FixedTimeEquals(computed, rootHash);
    }
}
