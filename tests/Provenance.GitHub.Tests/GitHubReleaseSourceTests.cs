using Provenance.Http;
using Provenance.Testing;
using Provenance.Verification;
using static Provenance.Testing.GitHubAttestationsApi;

namespace Provenance.GitHub.Tests;

/// <summary>
/// Downloading a release's assets for <c>--release</c> from a loopback server in the API's shape: artifacts land in
/// files, attestations in memory, and both are verified like local files; hostile names, hosts and sizes are refused.
/// </summary>
public sealed class GitHubReleaseSourceTests : IDisposable
{
    private static readonly GitHubReleaseReference Release = GitHubReleaseReference.Parse(Repository + "@v1").Release!;
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Artifacts_are_streamed_to_files_and_attestations_read_and_both_verify()
    {
        // The API redirects asset downloads to a storage host, as GitHub does; the token must not follow.
        await using var storage = LoopbackHttpServer.Start(request => request.Path.EndsWith("/0", StringComparison.Ordinal)
            ? LoopbackResponse.Bytes(File.ReadAllBytes(Artifact))
            : LoopbackResponse.Bytes(File.ReadAllBytes(Bundle)));
        await using var api = LoopbackHttpServer.Start(request => request.Path.Contains("/releases/tags/", StringComparison.Ordinal)
            ? Release(BaseOf(request), Repository, [("reusable-workflow-artifact", new FileInfo(Artifact).Length), ("build.sigstore.json", new FileInfo(Bundle).Length)])
            : new LoopbackResponse(302, [], new Dictionary<string, string> { ["Location"] = storage.Url("objects/" + request.Path.Split('/')[^1]).ToString() }));

        var download = await DownloadAsync(api, token: "release-token");

        Assert.Null(download.Problem);
        var artifact = Assert.Single(download.ArtifactPaths);
        Assert.StartsWith(_folder.Root, artifact, StringComparison.Ordinal);
        Assert.Equal(File.ReadAllBytes(Artifact), File.ReadAllBytes(artifact));
        Assert.Single(download.Attestations);
        Assert.Equal($"/repos/{Repository}/releases/tags/v1", api.Requests[0].Path);
        Assert.All(api.Requests, r => Assert.Equal("Bearer release-token", r.Header("Authorization")));
        Assert.Equal("application/octet-stream", api.Requests[1].Header("Accept"));
        Assert.Equal(2, storage.Requests.Count);
        Assert.All(storage.Requests, r => Assert.Null(r.Header("Authorization")));
        var result = await VerifyAsync(artifact, download.Attestations, TestContext.Current.CancellationToken);
        Assert.True(result.Verified, string.Join("; ", result.Failures));
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("..")]
    [InlineData("a\\b")]
    [InlineData("line\nbreak")]
    public async Task An_asset_name_that_is_not_a_plain_file_name_is_refused_before_any_download(string name)
    {
        await using var api = LoopbackHttpServer.Start(request => request.Path.Contains("/releases/tags/", StringComparison.Ordinal)
            ? Release(BaseOf(request), Repository, [(name, 10)])
            : LoopbackResponse.Bytes(new byte[10]));

        var download = await DownloadAsync(api);

        Assert.Equal(DiagnosticCode.GitHubReleaseRefused, download.Problem?.Code);
        Assert.Single(api.Requests);
        Assert.Empty(Directory.EnumerateFiles(_folder.Root, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task An_asset_on_another_server_is_not_downloaded()
    {
        await using var elsewhere = LoopbackHttpServer.Start(_ => LoopbackResponse.Bytes(new byte[10]));
        await using var api = LoopbackHttpServer.Start(_ => Release(elsewhere.BaseUri, Repository, [("app.tar.gz", 10)]));

        var download = await DownloadAsync(api, token: "t");

        Assert.Equal(DiagnosticCode.GitHubReleaseRefused, download.Problem?.Code);
        Assert.Empty(elsewhere.Requests);
    }

    [Theory]
    [InlineData("app.tar.gz", Limits.MaxGitHubReleaseAssetBytes + 1)]
    [InlineData("app.intoto.jsonl", Limits.MaxAttestationFileBytes + 1)]
    public async Task An_asset_declared_larger_than_its_bound_is_refused_before_downloading(string name, long size)
    {
        await using var api = LoopbackHttpServer.Start(request => request.Path.Contains("/releases/tags/", StringComparison.Ordinal)
            ? Release(BaseOf(request), Repository, [(name, size)])
            : LoopbackResponse.Bytes(new byte[10]));

        var download = await DownloadAsync(api);

        Assert.Equal(DiagnosticCode.GitHubReleaseRefused, download.Problem?.Code);
        Assert.Single(api.Requests);
    }

    [Fact]
    public async Task More_assets_than_the_bound_are_refused()
    {
        await using var api = LoopbackHttpServer.Start(request =>
            Release(BaseOf(request), Repository, Enumerable.Range(0, Limits.MaxGitHubReleaseAssets + 1).Select(i => ($"a{i}", 1L))));

        var download = await DownloadAsync(api);

        Assert.Equal(DiagnosticCode.GitHubReleaseRefused, download.Problem?.Code);
        Assert.Single(api.Requests);
    }

    [Fact]
    public async Task A_missing_release_is_not_found()
    {
        await using var api = LoopbackHttpServer.Start(_ => Error(404, "Not Found"));

        var download = await DownloadAsync(api);

        Assert.Equal(DiagnosticCode.GitHubNotFound, download.Problem?.Code);
        Assert.Contains("v1", download.Problem!.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("org/app@v1.2.3", true)]
    [InlineData("org/app@release/2024", true)]
    [InlineData("org/app", false)]
    [InlineData("org/app@", false)]
    [InlineData("org@v1", false)]
    [InlineData("org/app@v1..2", false)]
    [InlineData("org/app@v 1", false)]
    public void Release_references_are_owner_repo_at_tag(string text, bool valid) =>
        Assert.Equal(valid, GitHubReleaseReference.Parse(text).Release is not null);

    [Theory]
    [InlineData("app.intoto.jsonl", true)]
    [InlineData("app.SIGSTORE.json", true)]
    [InlineData("app.sigstore", true)]
    [InlineData("multiple.bundle", true)]
    [InlineData("app.tar.gz", false)]
    [InlineData("sigstore.json.tar.gz", false)]
    public void Attestation_assets_are_known_by_their_suffix(string name, bool attestation) =>
        Assert.Equal(attestation, GitHubReleaseSource.IsAttestationName(name));

    private static Uri BaseOf(LoopbackRequest request) => new($"http://{request.Header("Host")}/");

    private async Task<GitHubReleaseDownload> DownloadAsync(LoopbackHttpServer api, string? token = null)
    {
        using var fetcher = new HttpFetcher(new HttpFetchOptions { InitialBackoff = TimeSpan.FromMilliseconds(1) });
        return await new GitHubReleaseSource(fetcher, api.BaseUri, token).DownloadAsync(Release, _folder.Root, TestContext.Current.CancellationToken);
    }
}
