using System.Text;
using Provenance.Cryptography;
using Provenance.Http;
using Provenance.Sigstore;
using Provenance.Sources.Oci;
using Provenance.Testing;
using Provenance.Verification;

namespace Provenance.Sources.Tests.Oci;

/// <summary>
/// An honest registry on loopback (<see cref="InMemoryRegistry"/>): attestations are found through the referrers API,
/// its tag schema fallback and cosign's .att tag, behind the token protocol or Basic authentication, and what is
/// found verifies with the library exactly as the same bundle would from a file.
/// </summary>
public sealed class OciAttestationSourceTests : IDisposable
{
    private readonly VirtualSigstore _sigstore = new();
    private readonly InMemoryRegistry _registry = new();

    public void Dispose() => _sigstore.Dispose();

    [Fact]
    public async Task A_bundle_attached_through_the_referrers_api_is_found_for_the_tag_and_verifies()
    {
        var (image, manifest) = await OciImages.PushImageAsync(_registry, "v1");
        var bundle = Encoding.UTF8.GetBytes(_sigstore.Bundle(new BundleOptions { Artifact = manifest }));
        _registry.AddReferrer(image.Digest, await OciImages.PushBundleReferrerAsync(_registry, image, bundle));
        await using var server = LoopbackHttpServer.Start(_registry.Handle);

        var fetched = await FetchAsync(server, ":v1");

        Assert.Equal(image.Digest, fetched.Digest);
        Assert.Single(fetched.Attestations);
        Assert.True((await VerifyAsync(fetched)).Verified);
    }

    [Fact]
    public async Task Without_the_referrers_api_the_tag_schema_index_is_read()
    {
        _registry.ReferrersApi = false;
        var (image, manifest) = await OciImages.PushImageAsync(_registry, "v1");
        var bundle = Encoding.UTF8.GetBytes(_sigstore.Bundle(new BundleOptions { Artifact = manifest }));
        await OciImages.PushReferrersTagAsync(_registry, image, [await OciImages.PushBundleReferrerAsync(_registry, image, bundle)]);
        await using var server = LoopbackHttpServer.Start(_registry.Handle);

        var fetched = await FetchAsync(server, "@" + image.Digest);

        Assert.Single(fetched.Attestations);
        Assert.Contains(server.Requests, r => r.Path.EndsWith("/manifests/" + image.Digest.Replace(':', '-'), StringComparison.Ordinal));
        Assert.True((await VerifyAsync(fetched)).Verified);
    }

    [Fact]
    public async Task Referrers_of_other_artifact_types_are_not_fetched()
    {
        var (image, _) = await OciImages.PushImageAsync(_registry, "v1");
        var sbom = OciDescriptor.Of(OciImages.ManifestMediaType, "{\"not\":\"fetched\"}"u8.ToArray(), "application/spdx+json");
        _registry.AddReferrer(image.Digest, sbom);
        await using var server = LoopbackHttpServer.Start(_registry.Handle);

        var (result, problem) = await OciAttestationSource.FetchAsync(Fetcher(), Reference(server, ":v1"), null, TestContext.Current.CancellationToken);

        Assert.Null(result);
        Assert.Equal(DiagnosticCode.RegistryNoAttestations, problem!.Code);
        Assert.DoesNotContain(server.Requests, r => r.Path.EndsWith(sbom.Digest, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_cosign_attestation_tag_becomes_a_bundle_that_verifies()
    {
        var (image, manifest) = await OciImages.PushImageAsync(_registry, "v1");
        var bundle = _sigstore.Bundle(new BundleOptions { Artifact = manifest, Version = BundleVersion.V01 });
        await OciImages.PushCosignAttestationAsync(_registry, image, CosignLayer.FromBundle(bundle));
        await using var server = LoopbackHttpServer.Start(_registry.Handle);

        var fetched = await FetchAsync(server, ":v1");

        var result = await VerifyAsync(fetched);
        Assert.True(result.Verified, string.Join("; ", result.Failures.Select(f => f.Code + " " + f.Message)));
        Assert.Equal(AttestationFormat.SigstoreBundle, Assert.Single(result.Attestations).Format);
    }

    [Fact]
    public async Task A_cosign_attestation_for_another_image_does_not_verify_this_one()
    {
        // The .att tag of this image holds a correctly signed attestation whose statement names other bytes.
        var (image, _) = await OciImages.PushImageAsync(_registry, "v1");
        var bundle = _sigstore.Bundle(new BundleOptions { Artifact = "another image"u8.ToArray(), Version = BundleVersion.V01 });
        await OciImages.PushCosignAttestationAsync(_registry, image, CosignLayer.FromBundle(bundle));
        await using var server = LoopbackHttpServer.Start(_registry.Handle);

        var result = await VerifyAsync(await FetchAsync(server, ":v1"));

        Assert.False(result.Verified);
        Assert.Contains(result.Failures, f => f.Code == DiagnosticCode.ArtifactNotInSubjects);
    }

    [Fact]
    public async Task The_token_protocol_gets_a_pull_token_with_the_credentials_and_uses_it()
    {
        var (image, manifest) = await OciImages.PushImageAsync(_registry, "v1");
        var bundle = Encoding.UTF8.GetBytes(_sigstore.Bundle(new BundleOptions { Artifact = manifest }));
        _registry.AddReferrer(image.Digest, await OciImages.PushBundleReferrerAsync(_registry, image, bundle));
        var credential = new RegistryCredential("reader", "s3cret");
        string? tokenQuery = null;
        await using var server = LoopbackHttpServer.Start(request =>
        {
            if (request.Path == "/token")
            {
                tokenQuery = request.PathAndQuery;
                return request.Header("Authorization") == "Basic " + credential.BasicAuthorization
                    ? LoopbackResponse.Json("{\"token\":\"pull-token.abc\",\"expires_in\":300}")
                    : LoopbackResponse.Text(401);
            }

            return request.Header("Authorization") == "Bearer pull-token.abc"
                ? _registry.Handle(request)
                : new LoopbackResponse(401, [], new Dictionary<string, string>
                {
                    ["WWW-Authenticate"] = $"Bearer realm=\"http://{request.Header("Host")}/token\",service=\"test-registry\",scope=\"repository:test/image:pull,push\"",
                });
        });

        var (fetched, problem) = await OciAttestationSource.FetchAsync(Fetcher(), Reference(server, ":v1"), credential, TestContext.Current.CancellationToken);

        Assert.Null(problem);
        Assert.Single(fetched!.Attestations);
        Assert.Equal("/token?service=test-registry&scope=repository%3Atest%2Fimage%3Apull", tokenQuery);
    }

    [Fact]
    public async Task Basic_authentication_answers_a_basic_challenge()
    {
        var (image, manifest) = await OciImages.PushImageAsync(_registry, "v1");
        var bundle = Encoding.UTF8.GetBytes(_sigstore.Bundle(new BundleOptions { Artifact = manifest }));
        _registry.AddReferrer(image.Digest, await OciImages.PushBundleReferrerAsync(_registry, image, bundle));
        var credential = new RegistryCredential("reader", "s3cret");
        await using var server = LoopbackHttpServer.Start(request =>
            request.Header("Authorization") == "Basic " + credential.BasicAuthorization
                ? _registry.Handle(request)
                : new LoopbackResponse(401, [], new Dictionary<string, string> { ["WWW-Authenticate"] = "Basic realm=\"registry\"" }));

        var (fetched, _) = await OciAttestationSource.FetchAsync(Fetcher(), Reference(server, ":v1"), credential, TestContext.Current.CancellationToken);
        var (_, anonymous) = await OciAttestationSource.FetchAsync(Fetcher(), Reference(server, ":v1"), null, TestContext.Current.CancellationToken);

        Assert.Single(fetched!.Attestations);
        Assert.Equal(DiagnosticCode.RegistryAuthenticationFailed, anonymous!.Code);
    }

    [Fact]
    public async Task Offline_nothing_is_fetched()
    {
        await using var server = LoopbackHttpServer.Start(_registry.Handle);

        var (_, problem) = await OciAttestationSource.FetchAsync(
            new HttpFetcher(new HttpFetchOptions { Offline = true }), Reference(server, ":v1"), null, TestContext.Current.CancellationToken);

        Assert.Equal(DiagnosticCode.NetworkDisabled, problem!.Code);
        Assert.Empty(server.Requests);
    }

    [Theory]
    [InlineData("registry.test", "http")]
    [InlineData("other.test", "https")]
    public async Task Plain_http_is_used_only_for_hosts_named_insecure(string insecureHost, string scheme)
    {
        using var recorder = new RecordingHandler();
        using var fetcher = new HttpFetcher(new HttpFetchOptions
        {
            MaxAttempts = 1,
            InnerHandler = recorder,
            InsecureHosts = new HashSet<string>([insecureHost], StringComparer.OrdinalIgnoreCase),
        });
        Assert.True(OciReference.TryParse("oci://registry.test:5000/repo:v1", out var reference, out _));

        var (_, problem) = await OciAttestationSource.FetchAsync(fetcher, reference, null, TestContext.Current.CancellationToken);

        Assert.Equal(DiagnosticCode.RegistryRequestFailed, problem!.Code);
        Assert.Equal(new Uri($"{scheme}://registry.test:5000/v2/repo/manifests/v1"), Assert.Single(recorder.Requests));
    }

    /// <summary>Answers 404 to everything and records what was asked, so no request leaves the process.</summary>
    private sealed class RecordingHandler : HttpMessageHandler
    {
        public List<Uri> Requests { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests.Add(request.RequestUri!);
            return Task.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.NotFound) { RequestMessage = request });
        }
    }

    [Fact]
    public async Task A_manifest_and_a_blob_asked_for_twice_by_digest_are_fetched_once_and_a_kept_blob_still_checked_against_its_size()
    {
        var (image, manifest) = await OciImages.PushImageAsync(_registry, "v1");
        var (layerDigest, layerSize) = FirstLayer(manifest);
        await using var server = LoopbackHttpServer.Start(_registry.Handle);
        using var fetcher = Fetcher();
        var client = new RegistryClient(fetcher, Reference(server, ":v1"), null);

        var firstManifest = await client.GetManifestAsync(image.Digest, TestContext.Current.CancellationToken);
        var againManifest = await client.GetManifestAsync(image.Digest, TestContext.Current.CancellationToken);
        var firstBlob = await client.GetBlobAsync(layerDigest, layerSize, layerSize, TestContext.Current.CancellationToken);
        var againBlob = await client.GetBlobAsync(layerDigest, layerSize, layerSize, TestContext.Current.CancellationToken);

        Assert.Equal(image.Digest, againManifest!.Digest);
        Assert.Same(firstManifest, againManifest);
        Assert.Equal(layerDigest, againBlob.Digest);
        Assert.Same(firstBlob, againBlob);
        Assert.Single(server.Requests, r => r.Path.EndsWith("/manifests/" + image.Digest, StringComparison.Ordinal));
        Assert.Single(server.Requests, r => r.Path.EndsWith("/blobs/" + layerDigest, StringComparison.Ordinal));

        // Another descriptor may name the kept digest with a size that is not its own.
        var lie = await Assert.ThrowsAsync<OciException>(() => client.GetBlobAsync(layerDigest, layerSize + 1, layerSize + 1, TestContext.Current.CancellationToken));
        Assert.Equal(DiagnosticCode.RegistryDigestMismatch, lie.Problem.Code);
    }

    [Fact]
    public async Task Two_images_of_one_invocation_sharing_an_attestation_fetch_its_content_once()
    {
        var (image, manifest) = await OciImages.PushImageAsync(_registry, "v1");
        var referrer = await OciImages.PushBundleReferrerAsync(_registry, image, Encoding.UTF8.GetBytes(_sigstore.Bundle(new BundleOptions { Artifact = manifest })));
        _registry.AddReferrer(image.Digest, referrer);
        await using var server = LoopbackHttpServer.Start(_registry.Handle);
        using var fetcher = Fetcher();
        var cache = new RegistryContentCache();

        var (byTag, _) = await OciAttestationSource.FetchAsync(fetcher, Reference(server, ":v1"), null, cache, TestContext.Current.CancellationToken);
        var (byDigest, _) = await OciAttestationSource.FetchAsync(fetcher, Reference(server, "@" + image.Digest), null, cache, TestContext.Current.CancellationToken);

        Assert.True((await VerifyAsync(byTag!)).Verified);
        Assert.True((await VerifyAsync(byDigest!)).Verified);
        Assert.Single(server.Requests, r => r.Path.EndsWith("/manifests/" + referrer.Digest, StringComparison.Ordinal));
        var blobs = server.Requests.Where(r => r.Path.Contains("/blobs/", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(blobs);
        Assert.Equal(blobs.Count, blobs.Select(r => r.Path).Distinct().Count());
    }

    [Fact]
    public async Task A_tag_is_resolved_again_on_every_ask_because_it_can_move()
    {
        var (first, _) = await OciImages.PushImageAsync(_registry, "v1");
        await using var server = LoopbackHttpServer.Start(_registry.Handle);
        using var fetcher = Fetcher();
        var client = new RegistryClient(fetcher, Reference(server, ":v1"), null);

        var before = await client.GetManifestAsync("v1", TestContext.Current.CancellationToken);
        var (moved, _) = await OciImages.PushImageAsync(_registry, "v1");
        var after = await client.GetManifestAsync("v1", TestContext.Current.CancellationToken);

        Assert.Equal(first.Digest, before!.Digest);
        Assert.Equal(moved.Digest, after!.Digest);
        Assert.NotEqual(first.Digest, moved.Digest);
        Assert.Equal(2, server.Requests.Count(r => r.Path.EndsWith("/manifests/v1", StringComparison.Ordinal)));
    }

    private static (string Digest, long Size) FirstLayer(byte[] manifest)
    {
        var layer = System.Text.Json.Nodes.JsonNode.Parse(manifest)!["layers"]![0]!;
        return (layer["digest"]!.GetValue<string>(), layer["size"]!.GetValue<long>());
    }

    internal static HttpFetcher Fetcher() => new(new HttpFetchOptions { MaxAttempts = 1, AttemptTimeout = TimeSpan.FromSeconds(20) });

    internal static OciReference Reference(LoopbackHttpServer server, string tagOrDigest, string repository = "test/image")
    {
        Assert.True(OciReference.TryParse($"oci://{server.BaseUri.Authority}/{repository}{tagOrDigest}", out var reference, out var problem), problem?.ToString());
        return reference;
    }

    private static async Task<OciAttestations> FetchAsync(LoopbackHttpServer server, string tagOrDigest)
    {
        using var fetcher = Fetcher();
        var (fetched, problem) = await OciAttestationSource.FetchAsync(fetcher, Reference(server, tagOrDigest), null, TestContext.Current.CancellationToken);
        Assert.True(problem is null, problem?.ToString());
        return fetched!;
    }

    private async Task<VerificationResult> VerifyAsync(OciAttestations fetched)
    {
        Assert.True(TrustedRoot.TryParse(Encoding.UTF8.GetBytes(_sigstore.TrustedRootJson), out var root, out var problem), problem?.ToString());
        var verifier = new ProvenanceVerifier(new VerifierOptions
        {
            TrustedRoot = root,
            Identities = [CertificateIdentity.Create(VirtualSigstore.DefaultIdentity, null, VirtualSigstore.DefaultIssuer, null)],
        }, _sigstore.Clock);
        return await verifier.VerifyAsync(ArtifactInput.FromDigest(ArtifactDigest.Parse(fetched.Digest)), fetched.Attestations, TestContext.Current.CancellationToken);
    }
}
