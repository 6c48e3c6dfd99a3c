using Provenance.Testing;

namespace Provenance.Cli.Tests.Oci;

/// <summary>
/// A real cosign OCI attestation (slsa-verifier's testdata, gha_generic_container v2.1.0: the SLSA container
/// generator's provenance for an image index, as the .att manifest, its DSSE layer and the annotations holding the
/// Fulcio certificate, chain and Rekor SET) served by a loopback registry under the tag cosign writes it to, and
/// verified through <c>provenance verify oci://…</c> against the embedded public-good root. The expectations are
/// slsa-verifier's (manifest.json: "valid main branch default" passes; the other workflow identity fails).
/// </summary>
public sealed class RealWorldCosignAttestationTests
{
    private const string Folder = "slsa-verifier/cli/slsa-verifier/testdata/gha_generic_container/v2.1.0/";
    private const string Signer = "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_container_slsa3.yml@refs/tags/v2.1.0";
    private const string Issuer = "https://token.actions.githubusercontent.com";

    [Fact]
    public async Task The_cosign_attestation_of_the_slsa_container_generator_verifies_from_the_registry()
    {
        await using var server = await ServeAsync();
        var digest = File.ReadAllText(TestData.RealWorld(Folder + "container_workflow_dispatch.digest")).Trim();

        var run = await CliRunner.InProcessAsync("verify", $"oci://{server.BaseUri.Authority}/slsa-framework/example-package@{digest}",
            "--certificate-identity", Signer, "--certificate-oidc-issuer", Issuer);

        Assert.True(run.ExitCode == 0, run.Output + run.Error);
        Assert.StartsWith("VERIFIED: " + digest, run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_same_attestation_does_not_verify_for_another_signer_workflow()
    {
        await using var server = await ServeAsync();
        var digest = File.ReadAllText(TestData.RealWorld(Folder + "container_workflow_dispatch.digest")).Trim();

        var run = await CliRunner.InProcessAsync("verify", $"oci://{server.BaseUri.Authority}/slsa-framework/example-package@{digest}",
            "--certificate-identity", Signer.Replace("generator_container_slsa3", "not-trusted", StringComparison.Ordinal), "--certificate-oidc-issuer", Issuer);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains(DiagnosticCode.IdentityMismatch.Format(), run.Output, StringComparison.Ordinal);
    }

    /// <summary>The OCI layout's blobs as a registry serves them: the image index by digest, the .att manifest under its tag.</summary>
    private static async Task<LoopbackHttpServer> ServeAsync()
    {
        var registry = new InMemoryRegistry("slsa-framework/example-package");
        var blobs = TestData.RealWorld(Folder + "container_workflow_dispatch/blobs/sha256/");
        var index = await File.ReadAllBytesAsync(blobs + "234e2c830c2fb31ac5671789d22adfe44d30c3ee831d01beae5e237841a13122");
        var attestations = await File.ReadAllBytesAsync(blobs + "21454caf3a160dfbe6359f0501aa8401c6c0f2c7a8b71380ea21f8c4b48b64fe");
        await registry.PutManifestAsync(OciImages.Digest(index), index, OciImages.IndexMediaType);
        await registry.PutManifestAsync(OciImages.Digest(index).Replace(':', '-') + ".att", attestations, OciImages.ManifestMediaType);
        await registry.PutBlobAsync(await File.ReadAllBytesAsync(blobs + "e163b472f2e5d66e5a2a45e26e020c51a0d2da7dc8b567b31fc2ebfd33dbc33a"));
        return LoopbackHttpServer.Start(registry.Handle);
    }
}
