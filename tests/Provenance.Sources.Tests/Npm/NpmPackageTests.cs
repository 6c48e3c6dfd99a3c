using Provenance.Sources.Npm;
using Provenance.Testing;

namespace Provenance.Sources.Tests.Npm;

public sealed class NpmPackageTests
{
    [Theory]
    [InlineData("npm:gundam-visor@1.0.1", "gundam-visor", "1.0.1", "pkg:npm/gundam-visor@1.0.1")]
    // The scoped purl form is the one the real vector's subject uses (provenance-npm-test-cli-v02-prega.tgz.json).
    [InlineData("npm:@laurentsimon/provenance-npm-test@1.0.3", "@laurentsimon/provenance-npm-test", "1.0.3", "pkg:npm/%40laurentsimon/provenance-npm-test@1.0.3")]
    [InlineData("npm:a@1.0.0-rc.1+build.5", "a", "1.0.0-rc.1+build.5", "pkg:npm/a@1.0.0-rc.1+build.5")]
    public void A_reference_reads_as_name_version_and_purl(string reference, string name, string version, string purl)
    {
        Assert.True(NpmPackage.TryParse(reference, out var package, out _));
        Assert.Equal(name, package.Name);
        Assert.Equal(version, package.Version);
        Assert.Equal(purl, package.Purl);
    }

    [Theory]
    [InlineData("npm:gundam-visor")]
    [InlineData("npm:gundam-visor@^1.0.0")]
    [InlineData("npm:gundam-visor@latest")]
    [InlineData("npm:Upper@1.0.0")]
    [InlineData("npm:../etc@1.0.0")]
    [InlineData("npm:@scope@1.0.0")]
    [InlineData("npm:a/b@1.0.0")]
    [InlineData("npm:gundam-visor@1.0.1\n")]
    [InlineData("npm:gundam-visor\n@1.0.1")]
    public void A_reference_without_an_exact_version_or_a_valid_name_is_refused(string reference)
    {
        Assert.False(NpmPackage.TryParse(reference, out _, out var problem));
        Assert.Equal(DiagnosticCode.NpmReferenceInvalid, problem.Code);
    }

    [Fact]
    public void The_embedded_registry_key_is_the_one_the_real_publish_attestations_name()
    {
        // The key id is recomputed from the embedded key; the vectors' bundles carry it as their key hint.
        var vector = File.ReadAllText(TestData.RealWorld("slsa-verifier/cli/slsa-verifier/testdata/npm/gha/gundam-visor-cli-v1-tag.tgz.json"));
        var first = NpmRegistryKeys.PublicRegistry[0];

        Assert.Contains("\"hint\":\"" + first.Key.KeyId + "\"", vector, StringComparison.Ordinal);
        Assert.NotNull(first.Expires);
        Assert.Null(NpmRegistryKeys.PublicRegistry[^1].Expires);
    }
}
