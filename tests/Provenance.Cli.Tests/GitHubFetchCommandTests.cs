using Provenance.Testing;
using static Provenance.Testing.GitHubAttestationsApi;

namespace Provenance.Cli.Tests;

/// <summary>
/// <c>verify ARTIFACT --repo owner/name</c> without <c>-a</c>, as <c>gh attestation verify</c>: the attestations
/// come from a loopback server in the GitHub attestations API's shape around real GitHub-made bundles (see
/// <see cref="GitHubAttestationsApi"/>), and the shorthand policy of the same flags decides the signer. The expected
/// verdicts are cli/cli's own for this bundle (testdata/realworld/manifest.json, TestVerifyIntegrationReusableWorkflow).
/// </summary>
public sealed class GitHubFetchCommandTests
{
    [Fact]
    public async Task An_artifact_verifies_with_the_attestations_GitHub_stores_for_it()
    {
        await using var server = ServeListing([Bundle]);

        var run = await CliRunner.InProcessAsync(
            "verify", Artifact, "--repo", Repository, "--signer-repo", SignerRepository, "--github-api-url", server.BaseUri.ToString());

        Assert.True(run.ExitCode == 0, run.Output + run.Error);
        var request = Assert.Single(server.Requests);
        Assert.Equal(RepositoryPath(Repository, ArtifactSha256), request.Path);
        Assert.Contains(server.Url(request.PathAndQuery) + "[0]", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_fetched_bundle_for_another_artifact_does_not_verify()
    {
        await using var server = ServeListing([OtherArtifactBundle]);

        var run = await CliRunner.InProcessAsync(
            "verify", Artifact, "--repo", Repository, "--signer-repo", SignerRepository, "--github-api-url", server.BaseUri.ToString());

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("PV4001", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_policy_of_the_same_flags_still_decides_the_signer()
    {
        await using var server = ServeListing([Bundle]);

        // cli/cli: without --signer-repo, a signer outside the owner is refused.
        var run = await CliRunner.InProcessAsync("verify", Artifact, "--repo", Repository, "--github-api-url", server.BaseUri.ToString());

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("PV6002", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Beside_a_policy_the_repository_only_says_where_to_fetch_from()
    {
        await using var server = ServeListing([Bundle]);
        var policy = Path.Combine(TestData.Root, "policies", "github-artifact-attestation.yaml");

        // The policy's own fixtures pass this attestation with these parameters, and fail it with refs/tags/.
        var passing = await CliRunner.InProcessAsync("verify", Artifact, "--repo", Repository, "--github-api-url", server.BaseUri.ToString(),
            "--policy", policy, "--param", "repository=" + Repository, "--param", "signerRepository=" + SignerRepository, "--param", "refPrefix=refs/heads/main");
        var failing = await CliRunner.InProcessAsync("verify", Artifact, "--repo", Repository, "--github-api-url", server.BaseUri.ToString(),
            "--policy", policy, "--param", "repository=" + Repository, "--param", "signerRepository=" + SignerRepository);

        Assert.True(passing.ExitCode == 0, passing.Output + passing.Error);
        Assert.Equal(1, failing.ExitCode);
        Assert.Contains("PV6003", failing.Output, StringComparison.Ordinal);
        Assert.Equal(2, server.Requests.Count);
    }

    [Fact]
    public async Task Beside_a_policy_other_shorthands_are_still_refused()
    {
        var run = await CliRunner.InProcessAsync("verify", Artifact, "--repo", Repository, "--signer-repo", SignerRepository,
            "--policy", Path.Combine(TestData.Root, "policies", "github-artifact-attestation.yaml"), "--param", "repository=" + Repository);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("PV1008", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_api_url_and_token_come_from_the_injected_environment()
    {
        await using var server = ServeListing([Bundle]);
        var environment = new Dictionary<string, string?>
        {
            ["GITHUB_API_URL"] = server.BaseUri.ToString(),
            ["GH_TOKEN"] = "gh-token",
            ["GITHUB_TOKEN"] = "github-token",
        };

        var run = await CliRunner.InProcessAsync(environment, "verify", Artifact, "--owner", "malancas", "--signer-repo", SignerRepository);

        Assert.True(run.ExitCode == 0, run.Output + run.Error);
        var request = Assert.Single(server.Requests);
        Assert.Equal($"/orgs/malancas/attestations/{ArtifactSha256}", request.Path);
        Assert.Equal("Bearer gh-token", request.Header("Authorization"));
    }

    [Fact]
    public async Task GITHUB_TOKEN_is_used_without_GH_TOKEN_and_the_option_wins_over_GITHUB_API_URL()
    {
        await using var server = ServeListing([Bundle]);
        await using var unused = ServeListing([Bundle]);
        var environment = new Dictionary<string, string?> { ["GITHUB_API_URL"] = unused.BaseUri.ToString(), ["GITHUB_TOKEN"] = "github-token" };

        var run = await CliRunner.InProcessAsync(environment,
            "verify", Artifact, "--repo", Repository, "--signer-repo", SignerRepository, "--github-api-url", server.BaseUri.ToString());

        Assert.True(run.ExitCode == 0, run.Output + run.Error);
        Assert.Equal("Bearer github-token", Assert.Single(server.Requests).Header("Authorization"));
        Assert.Empty(unused.Requests);
    }

    [Fact]
    public async Task No_token_means_no_authorization_header()
    {
        await using var server = ServeListing([Bundle]);

        var run = await CliRunner.InProcessAsync(
            "verify", Artifact, "--repo", Repository, "--signer-repo", SignerRepository, "--github-api-url", server.BaseUri.ToString());

        Assert.Equal(0, run.ExitCode);
        Assert.Null(Assert.Single(server.Requests).Header("Authorization"));
    }

    [Fact]
    public async Task Offline_refuses_to_fetch_and_no_request_is_made()
    {
        await using var server = ServeListing([Bundle]);

        var run = await CliRunner.InProcessAsync(
            "verify", Artifact, "--repo", Repository, "--signer-repo", SignerRepository, "--github-api-url", server.BaseUri.ToString(), "--offline");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("PV1011", run.Error, StringComparison.Ordinal);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task Two_artifacts_with_one_digest_are_fetched_once()
    {
        await using var server = ServeListing([Bundle]);
        using var temp = new TempDirectory();
        var copy = temp.Write("copy-of-artifact", File.ReadAllBytes(Artifact));

        var run = await CliRunner.InProcessAsync(
            "verify", Artifact, copy, ArtifactSha256, "--repo", Repository, "--signer-repo", SignerRepository, "--github-api-url", server.BaseUri.ToString());

        Assert.True(run.ExitCode == 0, run.Output + run.Error);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task A_repository_the_api_does_not_know_is_an_input_error()
    {
        await using var server = LoopbackHttpServer.Start(_ => Error(404, "Not Found"));

        var run = await CliRunner.InProcessAsync(
            "verify", Artifact, "--repo", "someone/missing", "--github-api-url", server.BaseUri.ToString());

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("PV1023", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_attestation_files_nothing_is_fetched()
    {
        await using var server = ServeListing([Bundle]);

        var run = await CliRunner.InProcessAsync(new Dictionary<string, string?> { ["GITHUB_API_URL"] = server.BaseUri.ToString() },
            "verify", Artifact, "-a", Bundle, "--repo", Repository, "--signer-repo", SignerRepository);

        Assert.Equal(0, run.ExitCode);
        Assert.Empty(server.Requests);
    }

    [Theory]
    [InlineData("--signer-repo", "github/artifact-attestations-workflows")]
    [InlineData("--certificate-identity-regex", "^https://github\\.com/.*$", "--certificate-oidc-issuer", "https://token.actions.githubusercontent.com")]
    public async Task Without_attestations_or_a_repository_to_fetch_from_it_is_a_usage_error(params string[] flags)
    {
        var run = await CliRunner.InProcessAsync(["verify", Artifact, .. flags]);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("PV1008", run.Error, StringComparison.Ordinal);
        Assert.Contains("--repo", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--repo", "not-a-repo")]
    [InlineData("--owner", "owner/name")]
    [InlineData("--repo", Repository, "--github-api-url", "ftp://example")]
    public async Task A_malformed_repository_or_api_url_is_a_usage_error(params string[] flags)
    {
        var run = await CliRunner.InProcessAsync(["verify", Artifact, "--signer-repo", SignerRepository, .. flags]);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("PV1008", run.Error, StringComparison.Ordinal);
    }

    private static LoopbackHttpServer ServeListing(IEnumerable<string> bundles) =>
        LoopbackHttpServer.Serve(new Dictionary<string, LoopbackResponse>
        {
            [RepositoryPath(Repository, ArtifactSha256)] = Listing(bundles),
            [$"/orgs/malancas/attestations/{ArtifactSha256}"] = Listing(bundles),
        });
}
