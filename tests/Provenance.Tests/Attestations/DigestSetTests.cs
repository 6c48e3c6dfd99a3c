using System.Text.Json;
using Provenance.Attestations;

namespace Provenance.Tests.Attestations;

/// <summary>DigestSet rules: hex lengths per algorithm and the strong-only match set.</summary>
public sealed class DigestSetTests
{
    private static DigestSet Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return DigestSet.Parse(document.RootElement, "$");
    }

    [Fact]
    public void Only_sha256_sha384_sha512_are_strong()
    {
        // github_release_bundle.json's subjects: one sha1-only (a git tag), one sha256.
        var statement = RealWorldStatements.SignedStatement("cli/pkg/cmd/attestation/test/data/github_release_bundle.json");

        Assert.True(statement.Subjects[0].Digest.HasOnlyWeakDigests);
        Assert.Empty(statement.Subjects[0].Digest.StrongDigests);
        Assert.Equal([("sha256", "e15b593c6ab8d7725a3cc82226ef816cac6bf9c70eed383bd459295cc65f5ec3")], statement.Subjects[1].Digest.StrongDigests);
    }

    [Theory]
    [InlineData("md5", 32)]
    [InlineData("sha1", 40)]
    [InlineData("sha224", 56)]
    [InlineData("sha256", 64)]
    [InlineData("sha384", 96)]
    [InlineData("sha512", 128)]
    [InlineData("sha512_224", 56)]
    [InlineData("sha512_256", 64)]
    [InlineData("sha3_224", 56)]
    [InlineData("sha3_256", 64)]
    [InlineData("sha3_384", 96)]
    [InlineData("sha3_512", 128)]
    public void Hex_length_per_algorithm(string algorithm, int length)
    {
        // Lengths: twice the output size in bytes of each algorithm (FIPS 180-4, FIPS 202, RFC 1321).
        Assert.Equal(new string('a', length), Parse($"{{\"{algorithm}\":\"{new string('A', length)}\"}}")[algorithm]);
        Assert.Equal(DiagnosticCode.InvalidDigest,
            Assert.Throws<InvalidInputException>(() => Parse($"{{\"{algorithm}\":\"{new string('a', length - 1)}\"}}")).Problem.Code);
    }

    [Fact]
    public void Other_algorithms_are_kept_as_given()
    {
        // Values from real statements: a go module h1 hash and a git commit, which have their own encodings.
        var set = Parse("{\"goModuleH1\":\"h1:Yw0ZoS8lnGYHS6bXaVW6gZ3Y9b45pjcBsQq3vh0TQnw=\",\"gitCommit\":\"D20ACE7968ba43c0219f62d71334c1095bab1602\"}");

        Assert.Equal("h1:Yw0ZoS8lnGYHS6bXaVW6gZ3Y9b45pjcBsQq3vh0TQnw=", set["goModuleH1"]);
        Assert.Equal("D20ACE7968ba43c0219f62d71334c1095bab1602", set["gitCommit"]);
        Assert.True(set.HasOnlyWeakDigests);
    }

    [Fact]
    public void Algorithm_names_are_exact()
    {
        // "SHA256" is not the spec's "sha256": kept, but never strong, so it can never match an artifact.
        var set = Parse("{\"SHA256\":\"not hex\"}");

        Assert.Empty(set.StrongDigests);
        Assert.False(DigestSet.IsStrong("SHA256"));
    }

    [Fact]
    public void Values_must_be_strings()
    {
        Assert.Equal(DiagnosticCode.InvalidField, Assert.Throws<InvalidInputException>(() => Parse("{\"sha256\":1}")).Problem.Code);
    }
}
