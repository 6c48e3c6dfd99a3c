using System.Text.RegularExpressions;
using Provenance.Testing;
using static Provenance.Testing.GitHubAttestationsApi;

namespace Provenance.Cli.Tests;

/// <summary>
/// <c>verify --release OWNER/REPO@TAG</c> against a loopback server in the API's shape: every asset that is not an
/// attestation is verified against the release's attestation assets, for real, and the downloads are deleted after.
/// </summary>
public sealed partial class GitHubReleaseCommandTests
{
    private static readonly string[] Signer =
    [
        "--certificate-identity-regex", "^https://github\\.com/.*$",
        "--certificate-oidc-issuer", "https://token.actions.githubusercontent.com",
    ];

    [Fact]
    public async Task A_release_whose_attestation_names_its_asset_verifies_and_its_downloads_are_deleted()
    {
        await using var server = ServeRelease(Bundle);

        var run = await CliRunner.InProcessAsync(["verify", "--release", Repository + "@v1", "--github-api-url", server.BaseUri.ToString(), .. Signer]);

        Assert.True(run.ExitCode == 0, run.Output + run.Error);
        var downloaded = DownloadedArtifact().Match(run.Output).Groups["path"].Value;
        Assert.EndsWith("reusable-workflow-artifact", downloaded, StringComparison.Ordinal);
        Assert.False(File.Exists(downloaded));
        Assert.Contains("#build.sigstore.json", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_release_whose_attestation_is_for_something_else_does_not_verify()
    {
        await using var server = ServeRelease(OtherArtifactBundle);

        var run = await CliRunner.InProcessAsync(["verify", "--release", Repository + "@v1", "--github-api-url", server.BaseUri.ToString(), .. Signer]);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("PV4001", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_repo_the_attestations_GitHub_stores_are_fetched_for_the_release_assets_too()
    {
        await using var server = LoopbackHttpServer.Start(request =>
            request.Path == RepositoryPath(Repository, ArtifactSha256) ? Listing([Bundle]) : ReleaseRoutes(request, attestation: null));

        var run = await CliRunner.InProcessAsync(
            "verify", "--release", Repository + "@v1", "--repo", Repository, "--signer-repo", SignerRepository, "--github-api-url", server.BaseUri.ToString());

        Assert.True(run.ExitCode == 0, run.Output + run.Error);
        Assert.Contains(server.Requests, r => r.Path == RepositoryPath(Repository, ArtifactSha256));
    }

    [Fact]
    public async Task Offline_refuses_to_download_a_release()
    {
        await using var server = ServeRelease(Bundle);

        var run = await CliRunner.InProcessAsync(["verify", "--release", Repository + "@v1", "--github-api-url", server.BaseUri.ToString(), "--offline", .. Signer]);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("PV1011", run.Error, StringComparison.Ordinal);
        Assert.Empty(server.Requests);
    }

    [Theory]
    [InlineData("--release", "not-a-release")]
    [InlineData("--github-api-url", "https://api.github.com")]
    public async Task Without_artifacts_or_a_valid_release_it_is_a_usage_error(string flag, string value)
    {
        var run = await CliRunner.InProcessAsync(["verify", flag, value, .. Signer]);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("PV1008", run.Error, StringComparison.Ordinal);
    }

    private static LoopbackHttpServer ServeRelease(string attestation) => LoopbackHttpServer.Start(request => ReleaseRoutes(request, attestation));

    private static LoopbackResponse ReleaseRoutes(LoopbackRequest request, string? attestation)
    {
        var assets = new List<(string Name, long Size)> { ("reusable-workflow-artifact", new FileInfo(Artifact).Length) };
        if (attestation is not null)
        {
            assets.Add(("build.sigstore.json", new FileInfo(attestation).Length));
        }

        return request.Path switch
        {
            var p when p == $"/repos/{Repository}/releases/tags/v1" => Release(new Uri($"http://{request.Header("Host")}/"), Repository, assets),
            var p when p == $"/repos/{Repository}/releases/assets/0" => LoopbackResponse.Bytes(File.ReadAllBytes(Artifact)),
            var p when p == $"/repos/{Repository}/releases/assets/1" && attestation is not null => LoopbackResponse.Bytes(File.ReadAllBytes(attestation)),
            _ => Error(404, "Not Found"),
        };
    }

    [GeneratedRegex(@"VERIFIED: (?<path>\S+) \(sha256:")]
    private static partial Regex DownloadedArtifact();
}
