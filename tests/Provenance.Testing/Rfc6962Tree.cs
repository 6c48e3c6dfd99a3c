using System.Security.Cryptography;

namespace Provenance.Testing;

/// <summary>
/// The recursive definitions of RFC 6962 section 2.1 (MTH) and 2.1.1 (PATH), written out literally and independently
/// of the library's iterative verifier, to mint trees and proofs the tests check against.
/// </summary>
public static class Rfc6962Tree
{
    /// <summary>MTH(D[n]), with k the largest power of two smaller than n.</summary>
    public static byte[] Mth(ReadOnlySpan<byte[]> leaves)
    {
        if (leaves.Length == 1)
        {
            return SHA256.HashData([0x00, .. leaves[0]]);
        }

        var k = SplitPoint(leaves.Length);
        return SHA256.HashData([0x01, .. Mth(leaves[..k]), .. Mth(leaves[k..])]);
    }

    /// <summary>PATH(m, D[n]), leaf to root.</summary>
    public static ReadOnlyMemory<byte>[] Path(int m, ReadOnlySpan<byte[]> leaves)
    {
        if (leaves.Length == 1)
        {
            return [];
        }

        var k = SplitPoint(leaves.Length);
        return m < k
            ? [.. Path(m, leaves[..k]), Mth(leaves[k..])]
            : [.. Path(m - k, leaves[k..]), Mth(leaves[..k])];
    }

    private static int SplitPoint(int n)
    {
        var k = 1;
        while (k * 2 < n)
        {
            k *= 2;
        }

        return k;
    }
}
