using Provenance.Cryptography;
using Provenance.Testing;
using Provenance.Verification;

namespace Provenance.Tests.Verification;

/// <summary>
/// Key-signed attestations other projects produced (testdata/NOTICE), verified end to end with the keys those
/// projects publish. Expected verdicts come from the projects' own tests as recorded in the vector manifest;
/// where Provenance deliberately differs, the test says why.
/// </summary>
public sealed class RealWorldKeyVectorTests
{
    private const string Gcb = "slsa-verifier/cli/slsa-verifier/testdata/gcb_container/";
    private const string GcbKeys = "slsa-verifier/verifiers/internal/gcb/keys/materials/";
    private const string Npm = "slsa-verifier/cli/slsa-verifier/testdata/npm/gha/";
    private const string NpmKey = "sigstore-go/examples/publish_key.pub";

    private static async Task<VerificationResult> VerifyAsync(ArtifactInput artifact, string attestation, string key, string? keyAlgorithm = null)
    {
        var (verificationKey, problem) = await KeyFiles.LoadAsync(TestData.RealWorld(key), keyAlgorithm, TestContext.Current.CancellationToken);
        Assert.Null(problem);
        var verifier = new ProvenanceVerifier(new VerifierOptions { Keys = [verificationKey!] });
        return await verifier.VerifyAsync(artifact, [AttestationInput.FromFile(TestData.RealWorld(attestation))], TestContext.Current.CancellationToken);
    }

    private static ArtifactInput DigestFile(string relative) =>
        ArtifactInput.FromDigest(ArtifactDigest.Parse(File.ReadAllText(TestData.RealWorld(relative)).Trim()));

    private static ArtifactInput File_(string relative) => ArtifactInput.FromFile(TestData.RealWorld(relative));

    [Fact]
    public async Task Cloud_build_provenance_signed_over_pae_verifies()
    {
        // slsa-verifier main_regression_test: "tag match" passes with the provenanceSigner key.
        var result = await VerifyAsync(DigestFile(Gcb + "v0.3/gcloud-container-github-tag.digest"),
            Gcb + "v0.3/gcloud-container-github-tag.json", GcbKeys + "global-pae-provenanceSigner_1.key");

        Assert.True(result.Verified, string.Join("; ", result.Failures));
        Assert.Equal(AttestationFormat.CloudBuildProvenance, Assert.Single(result.Attestations).Format);
    }

    [Fact]
    public async Task Cloud_build_v1_provenance_verifies_through_the_entry_its_key_signed()
    {
        // slsa-verifier gcb tests: "signature global v1.0 pae valid only"; the image digest is the statement's
        // subject as recorded in the vector manifest. The file's second entry is signed by other keys.
        var digest = ArtifactInput.FromDigest(ArtifactDigest.Parse("sha256:7e9b6e7ba2842c91cf49f3e214d04a7a496f8214356f41d81a6e6dcad11f11e3"));
        var result = await VerifyAsync(digest, "slsa-verifier/verifiers/internal/gcb/testdata/v1.0-gcloud-container-github-v1.0-valid.json",
            GcbKeys + "global-pae-google-hosted-worker_1.key");

        Assert.True(result.Verified, string.Join("; ", result.Failures));
        Assert.EndsWith("[0]", Assert.Single(result.Attestations).Source, StringComparison.Ordinal);
        Assert.Contains(result.Failures, f => f.Code == DiagnosticCode.SignatureInvalid && f.Source!.EndsWith("[1]", StringComparison.Ordinal));
    }

    [Theory]
    // slsa-verifier accepts these: Cloud Build's regional keys signed sha256(payload), not DSSE PAE. Provenance
    // refuses them on purpose: accepting a signature over the bare payload is the cross-protocol confusion DSSE
    // exists to prevent, so they fail at the signature like any non-PAE signature.
    [InlineData("v0.3/gcloud-container-github", "us-west2.key")]
    [InlineData("v0.2/gcloud-container-github", "global.key")]
    public async Task Legacy_cloud_build_signatures_over_the_bare_payload_are_refused(string name, string key)
    {
        var result = await VerifyAsync(DigestFile(Gcb + name + ".digest"), Gcb + name + ".json", GcbKeys + key);

        Assert.False(result.Verified);
        Assert.Equal(DiagnosticCode.SignatureInvalid, Assert.Single(result.Failures).Code);
    }

    [Fact]
    public async Task A_tampered_cloud_build_payload_fails_the_signature()
    {
        // slsa-verifier: gcloud-container-mismatch-payload-digest fails with ErrorNoValidSignature.
        var result = await VerifyAsync(DigestFile(Gcb + "v0.3/gcloud-container-github-tag.digest"),
            Gcb + "v0.3/gcloud-container-mismatch-payload-digest.json", GcbKeys + "global-pae-provenanceSigner_1.key");

        Assert.False(result.Verified);
        Assert.Contains(result.Failures, f => f.Code == DiagnosticCode.SignatureInvalid);
    }

    [Fact]
    public async Task The_npm_publish_attestation_verifies_with_the_registry_key()
    {
        // sigstore-go examples: bundle-publish.json verifies with publish_key.pub; its subject is the package
        // tarball's sha512 as the statement (and the vector manifest) records it.
        var digest = ArtifactInput.FromDigest(ArtifactDigest.Parse(
            "sha512:76176ffa33808b54602c7c35de5c6e9a4deb96066dba6533f50ac234f4f1f4c6b3527515dc17c06fbe2860030f410eee69ea20079bd3a2c6f3dcf3b329b10751"));
        var result = await VerifyAsync(digest, "sigstore-go/examples/bundle-publish.json", NpmKey);

        Assert.True(result.Verified, string.Join("; ", result.Failures));
        Assert.Equal("SHA256:jl3bwswu80PjjokCgh0o2w5c2U4LhQAE57gj9cz1kzA", Assert.Single(Assert.Single(result.Attestations).Signers).KeyId);
    }

    [Fact]
    public async Task An_npm_attestations_listing_verifies_the_package_tarball_by_its_publish_attestation()
    {
        // slsa-verifier npm tests: the .tgz is the artifact; the listing holds a key-signed publish attestation
        // and a keyless provenance bundle, which without an identity to accept cannot count.
        var result = await VerifyAsync(File_(Npm + "gundam-visor-cli-v1-tag.tgz"), Npm + "gundam-visor-cli-v1-tag.tgz.json", NpmKey);

        Assert.True(result.Verified, string.Join("; ", result.Failures));
        var attestation = Assert.Single(result.Attestations);
        Assert.Equal(AttestationFormat.AttestationsListing, attestation.Format);
        Assert.Equal("https://github.com/npm/attestation/tree/main/specs/publish/v0.1", attestation.Statement?.PredicateType);
        Assert.Contains(result.Failures, f => f.Code == DiagnosticCode.KeylessIdentityRequired);
    }

    [Fact]
    public async Task An_npm_publish_attestation_with_a_changed_signature_fails()
    {
        // slsa-verifier: "invalid signature publish npm CLI v1" must fail.
        var result = await VerifyAsync(File_(Npm + "gundam-visor-cli-v1-tag-invalidsigpub.tgz"), Npm + "gundam-visor-cli-v1-tag-invalidsigpub.tgz.json", NpmKey);

        Assert.False(result.Verified);
        Assert.Contains(result.Failures, f => f.Code == DiagnosticCode.SignatureInvalid);
    }

    [Fact]
    public async Task A_key_signed_vsa_verifies_its_signature_but_names_no_artifact_by_a_strong_digest()
    {
        // slsa-verifier verify-vsa passes with this key. The VSA's subject is a "gce_image_id", not a digest of
        // the artifact's bytes, and an artifact only ever matches through sha256 or stronger.
        var digest = ArtifactInput.FromDigest(ArtifactDigest.Parse("sha256:" + new string('0', 64)));
        var result = await VerifyAsync(digest, "slsa-verifier/cli/slsa-verifier/testdata/vsa/gce/v1/gke-gce-pre.bcid-vsa.jsonl",
            "slsa-verifier/cli/slsa-verifier/testdata/vsa/gce/v1/vsa_signing_public_key.pem");

        Assert.Contains(result.Checks, c => c.Name == CheckNames.Signature && c.Passed);
        Assert.Contains(result.Checks, c => c.Name == CheckNames.Statement && c.Passed);
        Assert.Equal(DiagnosticCode.OnlyWeakDigests, Assert.Single(result.Failures).Code);
    }

    [Fact]
    public async Task A_signed_in_toto_layout_is_not_a_statement()
    {
        // in-toto-golang: demo.dsse.layout is signed by alice.pub with RSASSA-PSS; its payload is a layout,
        // which Provenance does not take for an attestation.
        var digest = ArtifactInput.FromDigest(ArtifactDigest.Parse("sha256:" + new string('0', 64)));
        var result = await VerifyAsync(digest, "in-toto-golang/test/data/demo.dsse.layout", "in-toto-golang/test/data/alice.pub", "rsa-pss-sha256");

        Assert.Contains(result.Checks, c => c.Name == CheckNames.Signature && c.Passed);
        Assert.Equal(DiagnosticCode.NotAnInTotoStatement, Assert.Single(result.Failures).Code);
    }
}
