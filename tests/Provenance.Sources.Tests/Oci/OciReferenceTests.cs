using Provenance.Sources.Oci;

namespace Provenance.Sources.Tests.Oci;

/// <summary>Image references per the OCI distribution grammar (repository components, tags), with the registry written out.</summary>
public sealed class OciReferenceTests
{
    private const string Digest = "sha256:234e2c830c2fb31ac5671789d22adfe44d30c3ee831d01beae5e237841a13122";

    [Theory]
    [InlineData("oci://ghcr.io/slsa-framework/example-package:v1.2.3", "ghcr.io", "slsa-framework/example-package", "v1.2.3", null)]
    [InlineData("oci://127.0.0.1:5000/a/b/c@" + Digest, "127.0.0.1:5000", "a/b/c", null, Digest)]
    [InlineData("oci://localhost:5000/my_repo.name-x:Latest_1", "localhost:5000", "my_repo.name-x", "Latest_1", null)]
    [InlineData("oci://[::1]:5000/repo:v1", "[::1]:5000", "repo", "v1", null)]
    public void A_reference_reads_as_registry_repository_and_tag_or_digest(string text, string registry, string repository, string? tag, string? digest)
    {
        Assert.True(OciReference.TryParse(text, out var reference, out var problem), problem?.ToString());
        Assert.Equal(new OciReference(registry, repository, tag, digest), reference);
        Assert.Equal(text, reference.ToString());
    }

    [Theory]
    [InlineData("oci://ghcr.io/repo")]                          // no tag or digest: no implicit latest
    [InlineData("oci://repo:v1")]                               // no registry
    [InlineData("oci://ghcr.io/Repo:v1")]                       // uppercase repository
    [InlineData("oci://ghcr.io/repo:.v1")]                      // a tag cannot start with a dot
    [InlineData("oci://ghcr.io/repo@sha256:ABC")]               // digest not 64 lowercase hex
    [InlineData("oci://ghcr.io/repo@sha512:" + "00")]           // only sha256
    [InlineData("oci://ghcr.io/repo:v1@" + Digest)]             // tag and digest both: which one counts would be a guess
    [InlineData("oci://ghcr.io/../repo:v1")]
    [InlineData("oci://user:pass@ghcr.io/repo:v1")]
    [InlineData("oci://ghcr.io/repo:v1\n")]
    [InlineData("docker://ghcr.io/repo:v1")]
    public void A_malformed_reference_is_refused_with_its_code(string text)
    {
        Assert.False(OciReference.TryParse(text, out _, out var problem));
        Assert.Equal(DiagnosticCode.InvalidOciReference, problem.Code);
    }

    [Fact]
    public void Pinning_keeps_the_tag_and_writes_the_digest()
    {
        Assert.True(OciReference.TryParse("oci://ghcr.io/repo:v1", out var reference, out _));

        Assert.Equal("oci://ghcr.io/repo@" + Digest, reference.WithDigest(Digest).ToString());
        Assert.Equal("v1", reference.WithDigest(Digest).Tag);
        Assert.Equal("ghcr.io", reference.Host);
    }

    [Theory]
    [InlineData("oci://docker.io/library/alpine:3", "registry-1.docker.io")]
    [InlineData("oci://ghcr.io/org/app:3", "ghcr.io")]
    public void Docker_hub_is_served_from_its_api_host(string text, string apiHost)
    {
        Assert.True(OciReference.TryParse(text, out var reference, out _));
        Assert.Equal(apiHost, reference.ApiHost);
    }
}
