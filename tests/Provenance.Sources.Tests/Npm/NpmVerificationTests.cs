using System.Text;
using Provenance.Http;
using Provenance.Sigstore;
using Provenance.Sources.Npm;
using Provenance.Testing;
using Provenance.Verification;

namespace Provenance.Sources.Tests.Npm;

/// <summary>
/// npm packages verified against a loopback registry serving the real npm vectors of testdata/realworld (NOTICE:
/// slsa-verifier's testdata/npm/gha, attestations as registry.npmjs.org served them, and the tarballs) behind version
/// documents built from the tarballs. Expected verdicts follow slsa-verifier's Test_runVerifyNpmPackage as the
/// vector manifest records it; each lie a registry can tell is one test.
/// </summary>
public sealed class NpmVerificationTests
{
    private const string Vectors = "slsa-verifier/cli/slsa-verifier/testdata/npm/gha/";
    private const string Issuer = "https://token.actions.githubusercontent.com";
    private const string GundamIdentity = "https://github.com/ramonpetgrave64/gundam-visor/.github/workflows/npm-publish.yml@refs/tags/v1.0.1";

    private static RecordedNpmPackage Gundam(string vector = "gundam-visor-cli-v1-tag") =>
        new("gundam-visor", "1.0.1", Read(vector + ".tgz"), Read(vector + ".tgz.json"));

    private static RecordedNpmPackage Laurent() =>
        new("@laurentsimon/provenance-npm-test", "1.0.3", Read("provenance-npm-test-cli-v02-prega.tgz"), Read("provenance-npm-test-cli-v02-prega.tgz.json"));

    private static byte[] Read(string name) => File.ReadAllBytes(TestData.RealWorld(Vectors + name));

    [Fact]
    public async Task A_real_package_verifies_end_to_end_from_the_registry()
    {
        await using var registry = LoopbackNpmRegistry.Serve(Gundam());

        var result = await VerifyAsync(registry, "npm:gundam-visor@1.0.1", GundamIdentity);

        Assert.True(result.Verified, string.Join("; ", result.Failures));
        Assert.Equal("npm:gundam-visor@1.0.1", result.Artifact);
        Assert.Contains(result.Checks, c => c.Name == "npm-publish-attestation" && c.Passed);
        Assert.Contains(result.Checks, c => c.Name == "npm-provenance" && c.Passed);
        Assert.Equal(["/gundam-visor/1.0.1", "/-/npm/v1/attestations/gundam-visor@1.0.1"], registry.Requests.Select(r => r.Path));
    }

    [Fact]
    public async Task A_real_scoped_package_verifies_end_to_end()
    {
        // slsa-verifier: "valid npm CLI builder" passes for provenance-npm-test-cli-v02-prega (bundles v0.1, SLSA v0.2).
        await using var registry = LoopbackNpmRegistry.Serve(Laurent());

        var result = await VerifyAsync(registry, "npm:@laurentsimon/provenance-npm-test@1.0.3",
            "https://github.com/laurentsimon/provenance-npm-test/.github/workflows/release.yml@refs/heads/main");

        Assert.True(result.Verified, string.Join("; ", result.Failures));
    }

    [Fact]
    public async Task An_integrity_that_does_not_match_the_attested_subject_fails()
    {
        await using var registry = LoopbackNpmRegistry.Serve(Gundam() with { Integrity = "sha512-" + Convert.ToBase64String(new byte[64]) });

        var result = await VerifyAsync(registry, "npm:gundam-visor@1.0.1", GundamIdentity);

        Assert.False(result.Verified);
        Assert.Contains(result.Failures, f => f.Code == DiagnosticCode.ArtifactNotInSubjects);
    }

    [Fact]
    public async Task Attestations_for_another_version_of_the_same_tarball_fail()
    {
        // The registry serves 1.0.1's document (relabelled) and attestations when asked for 1.0.2.
        await using var registry = LoopbackNpmRegistry.Serve(Gundam() with { Version = "1.0.2" });

        var result = await VerifyAsync(registry, "npm:gundam-visor@1.0.2", GundamIdentity);

        Assert.False(result.Verified);
        Assert.Contains(result.Failures, f => f.Name == "npm-subject" && f.Code == DiagnosticCode.ArtifactNotInSubjects);
        Assert.Contains(result.Failures, f => f.Name == "npm-provenance" && f.Code == DiagnosticCode.RequirementNotSatisfied);
    }

    [Fact]
    public async Task A_provenance_signed_by_someone_else_fails()
    {
        await using var registry = LoopbackNpmRegistry.Serve(Gundam());

        var result = await VerifyAsync(registry, "npm:gundam-visor@1.0.1", "https://github.com/someone/else/.github/workflows/npm-publish.yml@refs/tags/v1.0.1");

        Assert.False(result.Verified);
        Assert.Contains(result.Failures, f => f.Code == DiagnosticCode.IdentityMismatch);
        Assert.Contains(result.Failures, f => f.Name == "npm-provenance");
    }

    [Theory]
    // slsa-verifier: "invalid signature provenance npm CLI v1" and "invalid signature publish npm CLI v1" fail.
    [InlineData("gundam-visor-cli-v1-tag-invalidsigprov", "npm-provenance")]
    [InlineData("gundam-visor-cli-v1-tag-invalidsigpub", "npm-publish-attestation")]
    public async Task A_real_attestation_with_a_changed_signature_fails(string vector, string check)
    {
        await using var registry = LoopbackNpmRegistry.Serve(Gundam(vector));

        var result = await VerifyAsync(registry, "npm:gundam-visor@1.0.1", GundamIdentity);

        Assert.False(result.Verified);
        Assert.Contains(result.Failures, f => f.Code == DiagnosticCode.SignatureInvalid);
        Assert.Contains(result.Failures, f => f.Name == check);
    }

    [Fact]
    public async Task A_publish_attestation_from_a_key_the_caller_does_not_trust_fails()
    {
        await using var registry = LoopbackNpmRegistry.Serve(Gundam());
        using var other = TestSigner.Create("ecdsa-p256-sha256");

        var result = await VerifyAsync(registry, "npm:gundam-visor@1.0.1", GundamIdentity,
            [Provenance.Cryptography.VerificationKey.Parse(other.PublicKeyDer)]);

        Assert.False(result.Verified);
        Assert.Contains(result.Failures, f => f.Name == "npm-publish-attestation" && f.Code == DiagnosticCode.RequirementNotSatisfied);
    }

    [Fact]
    public async Task A_document_for_another_version_is_refused()
    {
        await using var registry = LoopbackNpmRegistry.Serve(Gundam() with { DocumentFor = ("gundam-visor", "9.9.9") });

        var result = await VerifyAsync(registry, "npm:gundam-visor@1.0.1", GundamIdentity);

        Assert.Equal(DiagnosticCode.SourceResponseInvalid, Assert.Single(result.Failures).Code);
    }

    [Fact]
    public async Task A_version_without_attestations_and_a_missing_version_fail_with_their_codes()
    {
        await using var registry = LoopbackNpmRegistry.Serve(Gundam() with { Attestations = null });

        var without = await VerifyAsync(registry, "npm:gundam-visor@1.0.1", GundamIdentity);
        var missing = await VerifyAsync(registry, "npm:gundam-visor@7.0.0", GundamIdentity);

        Assert.Equal(DiagnosticCode.NpmAttestationsMissing, Assert.Single(without.Failures).Code);
        Assert.Equal(DiagnosticCode.NpmPackageNotFound, Assert.Single(missing.Failures).Code);
    }

    [Fact]
    public async Task Offline_nothing_is_fetched()
    {
        await using var registry = LoopbackNpmRegistry.Serve(Gundam());

        var result = await VerifyAsync(registry, "npm:gundam-visor@1.0.1", GundamIdentity, offline: true);

        Assert.Equal(DiagnosticCode.NetworkDisabled, Assert.Single(result.Failures).Code);
        Assert.Empty(registry.Requests);
    }

    [Fact]
    public async Task A_lockfile_verifies_every_attested_package_and_lists_those_without()
    {
        var unattested = new RecordedNpmPackage("left-pad", "1.3.0", Encoding.UTF8.GetBytes("left-pad tarball"), null);
        await using var registry = LoopbackNpmRegistry.Serve(Gundam(), Laurent(), unattested);
        var lockfile = Lockfile(
            ("node_modules/gundam-visor", Gundam()),
            ("node_modules/left-pad", unattested),
            ("node_modules/x/node_modules/@laurentsimon/provenance-npm-test", Laurent()),
            ("node_modules/gundam-visor-again", Gundam()));
        var (parsed, problem) = NpmLockfile.Parse(Encoding.UTF8.GetBytes(lockfile), "package-lock.json");
        Assert.Null(problem);
        using var fetcher = new HttpFetcher(new HttpFetchOptions());

        var outcome = await Npm(fetcher, registry, "^https://github\\.com/(ramonpetgrave64/gundam-visor|laurentsimon/provenance-npm-test)/\\.github/workflows/.+$", regex: true)
            .VerifyAsync(parsed!, TestContext.Current.CancellationToken);

        Assert.True(outcome.Results.Length == 2, string.Join("; ", outcome.Results.SelectMany(r => r.Failures)));
        Assert.Equal(["npm:gundam-visor@1.0.1", "npm:@laurentsimon/provenance-npm-test@1.0.3"], outcome.Results.Select(r => r.Artifact));
        Assert.All(outcome.Results, r => Assert.True(r.Verified, string.Join("; ", r.Failures)));
        Assert.Equal("npm:left-pad@1.3.0", Assert.Single(outcome.WithoutAttestations).ToString());
        Assert.Equal("node_modules/local", Assert.Single(outcome.NotFromRegistry));
    }

    [Fact]
    public async Task A_lockfile_whose_integrity_is_not_the_attested_one_fails_for_that_package()
    {
        await using var registry = LoopbackNpmRegistry.Serve(Gundam());
        var (parsed, _) = NpmLockfile.Parse(Encoding.UTF8.GetBytes(Lockfile(
            ("node_modules/gundam-visor", Gundam() with { Tarball = Encoding.UTF8.GetBytes("a tarball someone swapped in") }))), "package-lock.json");
        using var fetcher = new HttpFetcher(new HttpFetchOptions());

        var outcome = await Npm(fetcher, registry, GundamIdentity).VerifyAsync(parsed!, TestContext.Current.CancellationToken);

        var result = Assert.Single(outcome.Results);
        Assert.False(result.Verified);
        Assert.Contains(result.Failures, f => f.Code == DiagnosticCode.ArtifactNotInSubjects);
    }

    [Fact]
    public async Task A_lockfile_is_fetched_with_no_more_requests_at_once_than_the_bound()
    {
        var inFlight = 0;
        var most = 0;
        await using var registry = LoopbackHttpServer.Start(_ =>
        {
            var now = Interlocked.Increment(ref inFlight);
            InterlockedMax(ref most, now);
            Thread.Sleep(20);
            Interlocked.Decrement(ref inFlight);
            return LoopbackResponse.Json("{}", 404);
        });
        var packages = Enumerable.Range(0, 40)
            .Select(i => ($"node_modules/p{i}", new RecordedNpmPackage($"p{i}", "1.0.0", Encoding.UTF8.GetBytes($"p{i}"), null)))
            .ToArray();
        var (parsed, _) = NpmLockfile.Parse(Encoding.UTF8.GetBytes(Lockfile(packages)), "package-lock.json");
        using var fetcher = new HttpFetcher(new HttpFetchOptions());

        var outcome = await Npm(fetcher, registry, GundamIdentity).VerifyAsync(parsed!, TestContext.Current.CancellationToken);

        Assert.Equal(40, outcome.WithoutAttestations.Length);
        Assert.Equal(40, registry.Requests.Count);
        Assert.InRange(most, 1, NpmVerification.LockfileParallelism);
    }

    [Fact]
    public async Task A_package_asked_for_twice_is_fetched_once()
    {
        await using var registry = LoopbackNpmRegistry.Serve(Gundam());
        Assert.True(NpmPackage.TryParse("npm:gundam-visor@1.0.1", out var package, out _));
        using var fetcher = new HttpFetcher(new HttpFetchOptions());
        var npm = Npm(fetcher, registry, GundamIdentity);

        var first = await npm.VerifyAsync(package, TestContext.Current.CancellationToken);
        var again = await npm.VerifyAsync(package, TestContext.Current.CancellationToken);

        Assert.True(first.Verified, string.Join("; ", first.Failures));
        Assert.True(again.Verified, string.Join("; ", again.Failures));
        Assert.Equal(["/gundam-visor/1.0.1", "/-/npm/v1/attestations/gundam-visor@1.0.1"], registry.Requests.Select(r => r.Path));
    }

    [Fact]
    public async Task A_lockfile_naming_one_version_twice_fetches_its_attestations_once()
    {
        // Identical entries are merged by the lockfile reader; two integrities for one version are not, and both
        // are checked against the one attestation the registry holds for that version.
        await using var registry = LoopbackNpmRegistry.Serve(Gundam());
        var (parsed, problem) = NpmLockfile.Parse(Encoding.UTF8.GetBytes(Lockfile(
            ("node_modules/gundam-visor", Gundam()),
            ("node_modules/gundam-visor-again", Gundam() with { Tarball = Encoding.UTF8.GetBytes("a tarball someone swapped in") }))), "package-lock.json");
        Assert.Null(problem);
        Assert.Equal(2, parsed!.Packages.Length);
        using var fetcher = new HttpFetcher(new HttpFetchOptions());

        var outcome = await Npm(fetcher, registry, GundamIdentity).VerifyAsync(parsed, TestContext.Current.CancellationToken);

        Assert.Equal([true, false], outcome.Results.Select(r => r.Verified));
        Assert.Equal("/-/npm/v1/attestations/gundam-visor@1.0.1", Assert.Single(registry.Requests).Path);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }

    [Theory]
    [InlineData("{\"lockfileVersion\":1,\"dependencies\":{}}")]
    [InlineData("{\"lockfileVersion\":3,\"packages\":{\"node_modules/a\":{\"version\":\"^1\",\"resolved\":\"r\",\"integrity\":\"sha512-AAAA\"}}}")]
    [InlineData("{\"lockfileVersion\":3,\"packages\":{\"node_modules/a\":{\"version\":\"1.0.0\",\"resolved\":\"r\",\"integrity\":\"sha1-AAAA\"}}}")]
    public void A_lockfile_that_cannot_be_verified_is_refused_with_its_code(string lockfile)
    {
        var (parsed, problem) = NpmLockfile.Parse(Encoding.UTF8.GetBytes(lockfile), "package-lock.json");

        Assert.Null(parsed);
        Assert.Equal(DiagnosticCode.NpmReferenceInvalid, problem!.Code);
    }

    /// <summary>A lockfileVersion 3 package-lock.json pinning the packages at the paths, plus the root and a link.</summary>
    internal static string Lockfile(params (string Path, RecordedNpmPackage Package)[] packages)
    {
        var entries = new System.Text.Json.Nodes.JsonObject
        {
            [""] = new System.Text.Json.Nodes.JsonObject { ["name"] = "app", ["version"] = "0.0.0" },
            ["node_modules/local"] = new System.Text.Json.Nodes.JsonObject { ["resolved"] = "packages/local", ["link"] = true },
        };
        foreach (var (path, package) in packages)
        {
            entries[path] = new System.Text.Json.Nodes.JsonObject
            {
                ["name"] = path.EndsWith("-again", StringComparison.Ordinal) ? package.Name : null,
                ["version"] = package.Version,
                ["resolved"] = $"https://registry.npmjs.org/{package.Name}/-/x-{package.Version}.tgz",
                ["integrity"] = package.RealIntegrity,
            };
            if (entries[path]!["name"] is null)
            {
                entries[path]!.AsObject().Remove("name");
            }
        }

        return new System.Text.Json.Nodes.JsonObject { ["name"] = "app", ["lockfileVersion"] = 3, ["packages"] = entries }.ToJsonString();
    }

    private static NpmVerification Npm(HttpFetcher fetcher, LoopbackHttpServer registry, string identity, bool regex = false,
        System.Collections.Immutable.ImmutableArray<Provenance.Cryptography.VerificationKey> keys = default) =>
        new(fetcher, registry.BaseUri, new VerifierOptions
        {
            TrustedRoot = TrustedRoot.PublicGood,
            Keys = keys.IsDefault ? [] : keys,
            Identities = [regex ? CertificateIdentity.Create(null, identity, Issuer, null) : CertificateIdentity.Create(identity, null, Issuer, null)],
        });

    private static async Task<VerificationResult> VerifyAsync(LoopbackHttpServer registry, string reference, string identity,
        System.Collections.Immutable.ImmutableArray<Provenance.Cryptography.VerificationKey> keys = default, bool offline = false)
    {
        Assert.True(NpmPackage.TryParse(reference, out var package, out _));
        using var fetcher = new HttpFetcher(new HttpFetchOptions { Offline = offline });
        return await Npm(fetcher, registry, identity, keys: keys).VerifyAsync(package, TestContext.Current.CancellationToken);
    }
}
