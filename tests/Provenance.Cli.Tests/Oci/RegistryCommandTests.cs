using System.Text;
using Provenance.Sigstore;
using Provenance.Testing;

namespace Provenance.Cli.Tests.Oci;

/// <summary>
/// The CNCF distribution registry, started by .ci/run or by <see cref="RegistryFixture"/>: images and attestations
/// pushed as cosign and the OCI 1.1 tag schema write them, then <c>provenance verify oci://…</c> end to end. This
/// registry (2.8) has no referrers API, so the tag schema fallback is what finds the bundles here.
/// </summary>
public sealed class RegistryCommandTests(RegistryFixture fixture) : IClassFixture<RegistryFixture>, IDisposable
{
    private readonly VirtualSigstore _sigstore = new();
    private readonly TempDirectory _files = new();

    public void Dispose()
    {
        _sigstore.Dispose();
        _files.Dispose();
    }

    [Fact]
    public async Task A_tag_is_resolved_reported_and_its_referrer_bundle_verifies()
    {
        using var pusher = Pusher("bundle/by-tag");
        var (image, manifest) = await OciImages.PushImageAsync(pusher, "v1");
        var bundle = Encoding.UTF8.GetBytes(_sigstore.Bundle(new BundleOptions { Artifact = manifest }));
        await OciImages.PushReferrersTagAsync(pusher, image, [await OciImages.PushBundleReferrerAsync(pusher, image, bundle)]);

        var run = await VerifyAsync($"oci://{fixture.Registry.Address}/bundle/by-tag:v1");

        Assert.True(run.ExitCode == 0, run.Output + run.Error);
        Assert.Contains($"resolved oci://{fixture.Registry.Address}/bundle/by-tag:v1 to {image.Digest}", run.Error, StringComparison.Ordinal);
        Assert.StartsWith("VERIFIED: " + image.Digest, run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cosign_attestation_tag_verifies_for_the_image_named_by_digest()
    {
        using var pusher = Pusher("cosign/by-digest");
        var (image, manifest) = await OciImages.PushImageAsync(pusher, "v1");
        var bundle = _sigstore.Bundle(new BundleOptions { Artifact = manifest, Version = BundleVersion.V01 });
        await OciImages.PushCosignAttestationAsync(pusher, image, CosignLayer.FromBundle(bundle));

        var run = await VerifyAsync($"oci://{fixture.Registry.Address}/cosign/by-digest@{image.Digest}");

        Assert.True(run.ExitCode == 0, run.Output + run.Error);
        Assert.StartsWith("VERIFIED: " + image.Digest, run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_key_signed_cosign_attestation_verifies_with_the_key()
    {
        using var pusher = Pusher("cosign/key-signed");
        using var signer = TestSigner.Create("ecdsa-p256-sha256");
        var (image, manifest) = await OciImages.PushImageAsync(pusher, "v1");
        var envelope = AttestationFactory.Envelope(AttestationFactory.StatementFor(manifest), data => signer.Sign(data));
        await OciImages.PushCosignAttestationAsync(pusher, image, new CosignLayer(Encoding.UTF8.GetBytes(envelope), new Dictionary<string, string>()));

        var run = await CliRunner.InProcessAsync("verify", $"oci://{fixture.Registry.Address}/cosign/key-signed:v1",
            "--key", _files.Write("key.pub", Encoding.ASCII.GetBytes(signer.PublicKeyPem)));

        Assert.True(run.ExitCode == 0, run.Output + run.Error);
        Assert.StartsWith("VERIFIED: " + image.Digest, run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_valid_attestation_of_other_bytes_attached_to_the_image_does_not_verify_it()
    {
        using var pusher = Pusher("bundle/other-subject");
        var (image, _) = await OciImages.PushImageAsync(pusher, "v1");
        var bundle = Encoding.UTF8.GetBytes(_sigstore.Bundle(new BundleOptions { Artifact = "some other image"u8.ToArray() }));
        await OciImages.PushReferrersTagAsync(pusher, image, [await OciImages.PushBundleReferrerAsync(pusher, image, bundle)]);

        var run = await VerifyAsync($"oci://{fixture.Registry.Address}/bundle/other-subject:v1");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains(DiagnosticCode.ArtifactNotInSubjects.Format(), run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_image_without_attestations_says_so()
    {
        using var pusher = Pusher("bare/image");
        await OciImages.PushImageAsync(pusher, "v1");

        var run = await VerifyAsync($"oci://{fixture.Registry.Address}/bare/image:v1");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains(DiagnosticCode.RegistryNoAttestations.Format(), run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tag_the_registry_does_not_have_is_an_input_error()
    {
        var run = await VerifyAsync($"oci://{fixture.Registry.Address}/no/such-image:v1");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(DiagnosticCode.RegistryRequestFailed.Format(), run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Offline_the_registry_is_not_asked()
    {
        var run = await VerifyAsync($"oci://{fixture.Registry.Address}/bundle/by-tag:v1", "--offline");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(DiagnosticCode.NetworkDisabled.Format(), run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("oci://registry.example/Upper/case:v1")]
    [InlineData("oci://registry.example/repo")]
    [InlineData("oci://registry.example/repo@sha256:abc")]
    [InlineData("oci:///repo:v1")]
    public async Task A_malformed_reference_is_refused_before_any_fetch(string reference)
    {
        var run = await VerifyAsync(reference);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(DiagnosticCode.InvalidOciReference.Format(), run.Error, StringComparison.Ordinal);
    }

    private OciRegistryPusher Pusher(string repository) => new(fixture.Registry.BaseUri, repository);

    private Task<CliRunner.Run> VerifyAsync(string image, params string[] more) =>
        CliRunner.InProcessAsync([
            "verify", image,
            "--certificate-identity", VirtualSigstore.DefaultIdentity,
            "--certificate-oidc-issuer", VirtualSigstore.DefaultIssuer,
            "--trusted-root", _files.Write("trusted_root.json", Encoding.UTF8.GetBytes(_sigstore.TrustedRootJson)),
            .. more]);
}

/// <summary>One registry for the class: .ci/run's, or one started here (see <see cref="DistributionRegistry"/>).</summary>
public sealed class RegistryFixture : IAsyncLifetime
{
    private DistributionRegistry? _registry;

    public DistributionRegistry Registry => _registry ?? throw new InvalidOperationException("the registry did not start");

    public async ValueTask InitializeAsync() => _registry = await DistributionRegistry.StartAsync(TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (_registry is not null)
        {
            await _registry.DisposeAsync();
        }
    }
}
