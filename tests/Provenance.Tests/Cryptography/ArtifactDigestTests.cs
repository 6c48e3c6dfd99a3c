using Provenance.Cryptography;

namespace Provenance.Tests.Cryptography;

public sealed class ArtifactDigestTests
{
    private const string Sha256OfEmpty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"; // FIPS 180-4 examples, SHA256("")

    [Theory]
    [InlineData("sha256:" + Sha256OfEmpty, DigestAlgorithm.Sha256, Sha256OfEmpty)]
    [InlineData("sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855", DigestAlgorithm.Sha256, Sha256OfEmpty)]
    [InlineData("SHA256:" + Sha256OfEmpty, DigestAlgorithm.Sha256, Sha256OfEmpty)]
    [InlineData("sha384:38b060a751ac96384cd9327eb1b1e36a21fdb71114be07434c0cc7bf63f6e1da274edebfe76f65fbd51ad2f14898b95b", DigestAlgorithm.Sha384,
        "38b060a751ac96384cd9327eb1b1e36a21fdb71114be07434c0cc7bf63f6e1da274edebfe76f65fbd51ad2f14898b95b")]
    public void Good_digests_parse_to_lowercase(string text, DigestAlgorithm algorithm, string hex)
    {
        Assert.True(ArtifactDigest.TryParse(text, out var digest, out var problem));
        Assert.Null(problem);
        Assert.Equal(algorithm, digest.Algorithm);
        Assert.Equal(hex, digest.Hex);
        Assert.Equal(algorithm.Name() + ":" + hex, digest.ToString());
        Assert.Equal(digest, ArtifactDigest.Parse(digest.ToString()));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("sha256")]
    [InlineData("sha256:")]
    [InlineData(Sha256OfEmpty)]
    [InlineData("sha256:" + Sha256OfEmpty + "0")]
    [InlineData("sha256:" + "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85")]
    [InlineData("sha256:" + "g3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    [InlineData("sha256: " + "3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    [InlineData("sha512:" + Sha256OfEmpty)]
    [InlineData("sha1:da39a3ee5e6b4b0d3255bfef95601890afd80709")]
    [InlineData("md5:d41d8cd98f00b204e9800998ecf8427e")]
    [InlineData("sha3-256:a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a")]
    public void Bad_digests_are_an_invalid_artifact_digest(string? text)
    {
        Assert.False(ArtifactDigest.TryParse(text, out var digest, out var problem));
        Assert.Null(digest);
        Assert.Equal(DiagnosticCode.InvalidArtifactDigest, problem.Code);
    }

    [Fact]
    public void The_constructor_refuses_hex_of_the_wrong_length()
    {
        Assert.Throws<ArgumentException>(() => new ArtifactDigest(DigestAlgorithm.Sha512, Sha256OfEmpty));
        Assert.Throws<FormatException>(() => ArtifactDigest.Parse("sha256:xyz"));
    }

    [Fact]
    public void Matching_ignores_case_and_compares_whole_values()
    {
        var digest = new ArtifactDigest(DigestAlgorithm.Sha256, Sha256OfEmpty);

        Assert.True(digest.Matches(DigestAlgorithm.Sha256, Sha256OfEmpty.ToUpperInvariant()));
        Assert.False(digest.Matches(DigestAlgorithm.Sha384, Sha256OfEmpty));
        Assert.False(digest.Matches(DigestAlgorithm.Sha256, Sha256OfEmpty[..^1] + "4"));
        Assert.False(digest.Matches(DigestAlgorithm.Sha256, Sha256OfEmpty[..^2]));
        Assert.False(digest.Matches(DigestAlgorithm.Sha256, null));
    }

    [Theory]
    [InlineData("00ff", "00FF", true)]
    [InlineData("00ff", "00fe", false)]
    [InlineData("00ff", "00ff00", false)]
    [InlineData("zz", "zz", false)]
    [InlineData("0", "0", false)]
    [InlineData("", "", true)]
    [InlineData(null, "00", false)]
    public void Fixed_time_hex_comparison(string? a, string? b, bool expected) =>
        Assert.Equal(expected, DigestAlgorithms.FixedTimeHexEquals(a, b));

    [Theory]
    [InlineData("sha1", true)]
    [InlineData("SHA1", true)]
    [InlineData("md5", true)]
    [InlineData("sha256", false)]
    [InlineData("gitCommit", false)]
    public void Weak_digest_names(string name, bool weak) => Assert.Equal(weak, DigestAlgorithms.IsWeak(name));
}
