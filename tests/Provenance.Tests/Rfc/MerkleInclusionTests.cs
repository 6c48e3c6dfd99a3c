using Provenance.Sigstore;
using Provenance.Testing;

namespace Provenance.Tests.Rfc;

/// <summary>
/// RFC 6962 section 2.1 / RFC 9162 section 2.1.3: the eight-leaf test tree of the certificate-transparency and
/// transparency-dev/merkle test suites (testonly/constants.go: leaves, root hashes, the audit path of leaf 0), and
/// every position of trees built here by the RFC's own recursive definitions of MTH and PATH.
/// </summary>
public sealed class MerkleInclusionTests
{
    private static readonly byte[][] Leaves =
    [
        [], [0x00], [0x10], [0x20, 0x21], [0x30, 0x31], [0x40, 0x41, 0x42, 0x43],
        [0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57],
        [0x60, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f],
    ];

    /// <summary>Root hashes of the first 1 to 8 leaves, from transparency-dev/merkle testonly/constants.go.</summary>
    private static readonly string[] PublishedRoots =
    [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ];

    [Fact]
    public void The_RFC_definition_reproduces_the_published_roots()
    {
        for (var size = 1; size <= Leaves.Length; size++)
        {
            Assert.Equal(PublishedRoots[size - 1], Convert.ToHexStringLower(Rfc6962Tree.Mth(Leaves.AsSpan(0, size))));
        }
    }

    [Fact]
    public void The_published_path_of_leaf_0_in_the_tree_of_8_verifies()
    {
        // transparency-dev/merkle testonly/constants.go, inclusion proof for leaf 0 of size 8.
        ReadOnlyMemory<byte>[] path =
        [
            Convert.FromHexString("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
            Convert.FromHexString("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
            Convert.FromHexString("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"),
        ];

        Assert.True(MerkleTree.VerifyInclusion(0, 8, MerkleTree.HashLeaf(Leaves[0]), path, Convert.FromHexString(PublishedRoots[7])));
    }

    [Fact]
    public void Every_position_of_every_tree_up_to_33_leaves_verifies_and_nothing_else_does()
    {
        var leaves = Enumerable.Range(0, 33).Select(i => new[] { (byte)i, (byte)(i * 7) }).ToArray();
        for (var size = 1; size <= leaves.Length; size++)
        {
            var tree = leaves.AsSpan(0, size);
            var root = Rfc6962Tree.Mth(tree);
            for (var index = 0; index < size; index++)
            {
                var leaf = MerkleTree.HashLeaf(leaves[index]);
                var path = Rfc6962Tree.Path(index, tree);
                Assert.True(MerkleTree.VerifyInclusion(index, size, leaf, path, root), $"leaf {index} of {size}");

                // The same proof for another position, leaf, or a size whose path has another length fails. (A size
                // with a path of the same shape can pass: the size is bound by the signed checkpoint, not the proof.)
                if (size < leaves.Length && Rfc6962Tree.Path(index, leaves.AsSpan(0, size + 1)).Length != path.Length)
                {
                    Assert.False(MerkleTree.VerifyInclusion(index, size + 1, leaf, path, root));
                }

                if (size > 1)
                {
                    Assert.False(MerkleTree.VerifyInclusion((index + 1) % size, size, leaf, path, root));
                }

                Assert.False(MerkleTree.VerifyInclusion(index, size, MerkleTree.HashLeaf([0xff]), path, root));
                for (var i = 0; i < path.Length; i++)
                {
                    var flipped = path.Select(p => p.ToArray()).ToArray();
                    flipped[i][i % MerkleTree.HashSize] ^= 0x01;
                    Assert.False(MerkleTree.VerifyInclusion(index, size, leaf, [.. flipped.Select(f => (ReadOnlyMemory<byte>)f)], root));
                }

                if (path.Length > 0)
                {
                    Assert.False(MerkleTree.VerifyInclusion(index, size, leaf, path[..^1], root));
                }

                Assert.False(MerkleTree.VerifyInclusion(index, size, leaf, [.. path, root], root));
            }
        }
    }

    [Fact]
    public void The_proof_alone_does_not_bind_the_tree_size()
    {
        // Leaf 0 has a path of two left-hand siblings in trees of 3 and 4 leaves alike, so this proof for size 3 also
        // "verifies" for size 4. This is why TransparencyLogVerifier requires the checkpoint's size to be the proof's.
        var tree = Leaves.AsSpan(0, 3);
        Assert.True(MerkleTree.VerifyInclusion(0, 4, MerkleTree.HashLeaf(Leaves[0]), Rfc6962Tree.Path(0, tree), Rfc6962Tree.Mth(tree)));
    }

    [Theory]
    [InlineData(0L, 0L)]
    [InlineData(1L, 1L)]
    [InlineData(5L, 3L)]
    [InlineData(-1L, 3L)]
    public void Impossible_positions_have_no_root(long index, long size)
    {
        Assert.Null(MerkleTree.RootFromInclusionProof(index, size, new byte[MerkleTree.HashSize], []));
    }

    [Fact]
    public void Hashes_that_are_not_32_bytes_are_refused()
    {
        var leaf = MerkleTree.HashLeaf(Leaves[0]);
        Assert.Null(MerkleTree.RootFromInclusionProof(0, 2, leaf, [new byte[31]]));
        Assert.Null(MerkleTree.RootFromInclusionProof(0, 2, leaf.AsSpan(1), [new byte[32]]));
    }
}
