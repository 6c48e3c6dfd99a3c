using System.Text;
using Provenance.Sources.Oci;
using Provenance.Testing;

namespace Provenance.Sources.Tests.Oci;

/// <summary>
/// A registry that lies in exactly one way per test, on loopback: each lie is caught with its code and nothing it
/// sent is used. The honest registry is <see cref="InMemoryRegistry"/>; <see cref="InMemoryRegistry.Lie"/> replaces
/// one answer.
/// </summary>
public sealed class LyingRegistryTests : IDisposable
{
    private readonly VirtualSigstore _sigstore = new();
    private readonly InMemoryRegistry _registry = new();

    public void Dispose() => _sigstore.Dispose();

    [Fact]
    public async Task A_referrer_whose_bytes_do_not_hash_to_its_listed_digest_is_refused()
    {
        var (image, _, referrer) = await ImageWithBundleAsync();
        var forged = OciImages.Manifest(OciDescriptor.Of(OciImages.EmptyMediaType, OciImages.EmptyConfig), [], image, OciImages.BundleMediaType);
        _registry.Lie = r => r.Path.EndsWith("/manifests/" + referrer.Digest, StringComparison.Ordinal)
            ? InMemoryRegistry.Manifest(forged, OciImages.ManifestMediaType, announcedDigest: referrer.Digest)
            : null;

        Assert.Equal(DiagnosticCode.RegistryDigestMismatch, await ProblemAsync(":v1"));
    }

    [Fact]
    public async Task An_image_manifest_that_does_not_hash_to_the_digest_asked_for_is_refused()
    {
        var (image, _, _) = await ImageWithBundleAsync();
        var (other, _) = await OciImages.PushImageAsync(_registry, "other");
        _registry.Lie = r => r.Path.EndsWith("/manifests/" + image.Digest, StringComparison.Ordinal)
            ? InMemoryRegistry.Manifest(Manifest(other.Digest), OciImages.ManifestMediaType, announcedDigest: image.Digest)
            : null;

        Assert.Equal(DiagnosticCode.RegistryDigestMismatch, await ProblemAsync("@" + image.Digest));
    }

    [Fact]
    public async Task A_docker_content_digest_header_that_disagrees_with_the_tag_s_bytes_is_refused()
    {
        var (image, manifest, _) = await ImageWithBundleAsync();
        var (other, _) = await OciImages.PushImageAsync(_registry, "other");
        _registry.Lie = r => r.Path.EndsWith("/manifests/v1", StringComparison.Ordinal)
            ? InMemoryRegistry.Manifest(manifest, OciImages.ManifestMediaType, announcedDigest: other.Digest)
            : null;

        Assert.Equal(DiagnosticCode.RegistryDigestMismatch, await ProblemAsync(":v1"));
        Assert.NotEqual(image.Digest, other.Digest);
    }

    [Fact]
    public async Task A_tag_that_moves_after_it_was_resolved_never_mixes_two_images()
    {
        // Each image has its own valid attestation; the tag points at the first for the first request only.
        var (first, firstManifest, firstReferrer) = await ImageWithBundleAsync("first");
        var (second, secondManifest, _) = await ImageWithBundleAsync("second");
        var tagRequests = 0;
        _registry.Lie = r => r.Path.EndsWith("/manifests/moving", StringComparison.Ordinal)
            ? Interlocked.Increment(ref tagRequests) == 1
                ? InMemoryRegistry.Manifest(firstManifest, OciImages.ManifestMediaType)
                : InMemoryRegistry.Manifest(secondManifest, OciImages.ManifestMediaType)
            : null;
        await using var server = LoopbackHttpServer.Start(_registry.Handle);

        using var fetcher = OciAttestationSourceTests.Fetcher();
        var (fetched, problem) = await OciAttestationSource.FetchAsync(
            fetcher, OciAttestationSourceTests.Reference(server, ":moving"), null, TestContext.Current.CancellationToken);

        Assert.Null(problem);
        Assert.Equal(first.Digest, fetched!.Digest);
        Assert.Equal(1, tagRequests);
        Assert.DoesNotContain(server.Requests, r => r.Path.Contains(second.Digest.Replace(':', '-'), StringComparison.Ordinal)
            || r.Path.EndsWith(second.Digest, StringComparison.Ordinal));
        Assert.Contains(firstReferrer.Digest, Assert.Single(fetched.Attestations).Name, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_referrer_attached_to_another_image_is_refused()
    {
        var (image, _) = await OciImages.PushImageAsync(_registry, "v1");
        var (other, otherManifest) = await OciImages.PushImageAsync(_registry, "other");
        var bundle = Encoding.UTF8.GetBytes(_sigstore.Bundle(new BundleOptions { Artifact = otherManifest }));
        _registry.AddReferrer(image.Digest, await OciImages.PushBundleReferrerAsync(_registry, other, bundle));

        Assert.Equal(DiagnosticCode.RegistryMalformedContent, await ProblemAsync(":v1"));
    }

    [Fact]
    public async Task A_bundle_blob_that_does_not_hash_to_its_layer_digest_is_refused()
    {
        await ImageWithBundleAsync();
        _registry.Lie = r => r.Path.Contains("/blobs/", StringComparison.Ordinal) ? LoopbackResponse.Bytes(new byte[64]) : null;

        Assert.Equal(DiagnosticCode.RegistryDigestMismatch, await ProblemAsync(":v1"));
    }

    [Theory]
    [InlineData("<html>login</html>")]
    [InlineData("{\"token\":\"\"}")]
    [InlineData("{\"token\":\"two words\\r\\nX-Injected: 1\"}")]
    [InlineData("{\"token\":\"a\",\"token\":\"b\"}")]
    public async Task A_token_endpoint_that_answers_junk_fails_authentication(string junk)
    {
        await using var server = LoopbackHttpServer.Start(request => request.Path == "/token"
            ? LoopbackResponse.Json(junk)
            : new LoopbackResponse(401, [], new Dictionary<string, string>
            {
                ["WWW-Authenticate"] = $"Bearer realm=\"http://{request.Header("Host")}/token\",service=\"registry\"",
            }));

        Assert.Equal(DiagnosticCode.RegistryAuthenticationFailed, await ProblemAsync(server, ":v1"));
    }

    [Fact]
    public async Task An_endless_manifest_is_cut_off_at_the_manifest_limit()
    {
        _registry.Lie = r => r.Path.EndsWith("/manifests/v1", StringComparison.Ordinal)
            ? new LoopbackResponse(200, new byte[Limits.MaxOciManifestBytes + 1], new Dictionary<string, string> { ["Content-Type"] = OciImages.ManifestMediaType })
            {
                Chunked = true,
            }
            : null;

        Assert.Equal(DiagnosticCode.ResponseTooLarge, await ProblemAsync(":v1"));
    }

    [Fact]
    public async Task An_endless_referrers_listing_stops_after_the_page_limit()
    {
        var (image, _, _) = await ImageWithBundleAsync();
        await using var server = LoopbackHttpServer.Start(request => request.Path.Contains("/referrers/", StringComparison.Ordinal)
            ? new LoopbackResponse(200, OciImages.Index([]), new Dictionary<string, string>
            {
                ["Content-Type"] = OciImages.IndexMediaType,
                ["Link"] = $"<{request.Path}?last={request.PathAndQuery.Length}>; rel=\"next\"",
            })
            : _registry.Handle(request));

        Assert.Equal(DiagnosticCode.RegistryTooManyEntries, await ProblemAsync(server, ":v1"));
        Assert.Equal(Limits.MaxOciReferrerPages, server.Requests.Count(r => r.Path.EndsWith("/referrers/" + image.Digest, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_referrers_list_longer_than_the_limit_is_refused()
    {
        var (image, _) = await OciImages.PushImageAsync(_registry, "v1");
        for (var i = 0; i <= Limits.MaxOciDescriptors; i++)
        {
            _registry.AddReferrer(image.Digest, OciDescriptor.Of(OciImages.ManifestMediaType, Encoding.UTF8.GetBytes($"{{\"n\":{i}}}"), OciImages.BundleMediaType));
        }

        Assert.Equal(DiagnosticCode.RegistryTooManyEntries, await ProblemAsync(":v1"));
    }

    [Fact]
    public async Task A_layer_announced_larger_than_an_attestation_may_be_is_not_downloaded()
    {
        var (image, _) = await OciImages.PushImageAsync(_registry, "v1");
        await OciImages.PushCosignAttestationAsync(_registry, image, new CosignLayer("{}"u8.ToArray(), new Dictionary<string, string>()));
        var manifest = OciImages.Manifest(
            OciDescriptor.Of(OciImages.EmptyMediaType, OciImages.EmptyConfig),
            [new OciDescriptor(OciImages.DsseMediaType, OciImages.Digest("{}"u8.ToArray()), Limits.MaxAttestationFileBytes + 1)]);
        await _registry.PutManifestAsync(image.Digest.Replace(':', '-') + ".att", manifest, OciImages.ManifestMediaType);

        await using var server = LoopbackHttpServer.Start(_registry.Handle);
        Assert.Equal(DiagnosticCode.ResponseTooLarge, await ProblemAsync(server, ":v1"));
        Assert.DoesNotContain(server.Requests, r => r.Path.Contains("/blobs/", StringComparison.Ordinal));
    }

    /// <summary>An image tagged v1 (or <paramref name="tag"/>) with a valid bundle attached through the referrers API.</summary>
    private async Task<(OciDescriptor Image, byte[] Manifest, OciDescriptor Referrer)> ImageWithBundleAsync(string tag = "v1")
    {
        var (image, manifest) = await OciImages.PushImageAsync(_registry, tag);
        var bundle = Encoding.UTF8.GetBytes(_sigstore.Bundle(new BundleOptions { Artifact = manifest }));
        var referrer = await OciImages.PushBundleReferrerAsync(_registry, image, bundle);
        _registry.AddReferrer(image.Digest, referrer);
        return (image, manifest, referrer);
    }

    /// <summary>A manifest distinct from every other, naming <paramref name="seed"/> in its config.</summary>
    private static byte[] Manifest(string seed) =>
        OciImages.Manifest(OciDescriptor.Of("application/vnd.oci.image.config.v1+json", Encoding.UTF8.GetBytes(seed)), []);

    private async Task<DiagnosticCode?> ProblemAsync(string tagOrDigest)
    {
        await using var server = LoopbackHttpServer.Start(_registry.Handle);
        return await ProblemAsync(server, tagOrDigest);
    }

    private static async Task<DiagnosticCode?> ProblemAsync(LoopbackHttpServer server, string tagOrDigest)
    {
        using var fetcher = OciAttestationSourceTests.Fetcher();
        var (fetched, problem) = await OciAttestationSource.FetchAsync(
            fetcher, OciAttestationSourceTests.Reference(server, tagOrDigest), null, TestContext.Current.CancellationToken);
        Assert.Null(fetched);
        return problem?.Code;
    }
}
