using System.Text;
using Provenance.Testing;

namespace Provenance.Cli.Tests;

/// <summary>
/// <c>trusted-root update|show</c> and <c>verify --tuf-url/--tuf-root</c> end to end: with an empty cache and no
/// network verification uses the embedded root; a TUF repository made by the test and served on 127.0.0.1 publishes
/// a trusted root whose Fulcio CA is <see cref="VirtualSigstore"/>'s, so its bundles verify only once that root has
/// been fetched, verified and cached.
/// </summary>
public sealed class TrustedRootCommandTests : IDisposable
{
    private const string PublicGoodIdentity = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
    private readonly TempDirectory _files = new();
    private readonly VirtualSigstore _sigstore = new();
    private readonly TestTufRepository _repository = new(DateTimeOffset.UtcNow);

    public TrustedRootCommandTests()
    {
        _repository.Targets["trusted_root.json"] = Encoding.UTF8.GetBytes(_sigstore.TrustedRootJson);
        _repository.Publish();
    }

    public void Dispose()
    {
        _files.Dispose();
        _sigstore.Dispose();
        _repository.Dispose();
    }

    private string Cache => _files.Path("tuf-cache");

    [Fact]
    public async Task With_an_empty_cache_and_no_network_verify_uses_the_embedded_root()
    {
        var run = await CliRunner.InProcessAsync(
            "verify", TestData.Path("sigstore-conformance/bundle-verify/a.txt"),
            "--bundle", TestData.Path("sigstore-conformance/bundle-verify/happy-path-v0.3/bundle.sigstore.json"),
            "--certificate-identity", PublicGoodIdentity, "--certificate-oidc-issuer", VirtualSigstore.DefaultIssuer,
            "--tuf-cache", Cache, "--offline");

        Assert.True(run.ExitCode == 0, run.Output + run.Error);
        Assert.False(Directory.Exists(Cache), "reading trust must not create a cache");
    }

    [Fact]
    public async Task Show_with_an_empty_cache_names_the_embedded_root()
    {
        var run = await CliRunner.InProcessAsync("trusted-root", "show", "--tuf-cache", Cache);

        Assert.True(run.ExitCode == 0, run.Output + run.Error);
        Assert.Contains("source: embedded public-good trusted root", run.Output, StringComparison.Ordinal);
        Assert.Contains("https://fulcio.sigstore.dev", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_virtual_sigstore_bundle_verifies_only_after_trusted_root_update_fetched_its_root()
    {
        await using var server = _repository.Serve();
        var tuf = TufArguments(server);

        var before = await VerifyVirtualBundleAsync([.. tuf, "--offline"]);
        Assert.Equal(2, before.ExitCode);
        Assert.Contains(DiagnosticCode.TufNothingCached.Format(), before.Error, StringComparison.Ordinal);

        var update = await CliRunner.InProcessAsync(["trusted-root", "update", .. tuf]);
        Assert.True(update.ExitCode == 0, update.Output + update.Error);
        Assert.Contains("TUF root version 1", update.Output, StringComparison.Ordinal);

        var after = await VerifyVirtualBundleAsync([.. tuf, "--offline"]);
        Assert.True(after.ExitCode == 0, after.Output + after.Error);

        var show = await CliRunner.InProcessAsync(["trusted-root", "show", .. tuf]);
        Assert.Contains("source: TUF cache of " + server.BaseUri.ToString().TrimEnd('/'), show.Output, StringComparison.Ordinal);
        Assert.Contains("TUF metadata: root v1", show.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_with_a_named_repository_updates_first_and_then_verifies()
    {
        await using var server = _repository.Serve();

        var run = await VerifyVirtualBundleAsync(TufArguments(server));

        Assert.True(run.ExitCode == 0, run.Output + run.Error);
        Assert.Contains(server.Requests, r => r.Path == "/timestamp.json");
    }

    [Fact]
    public async Task When_the_update_fails_verify_says_so_and_uses_the_last_verified_root()
    {
        var failing = false;
        await using var server = LoopbackHttpServer.Start(request =>
            failing && request.Path == "/timestamp.json"
                ? LoopbackResponse.Text(404)
                : _repository.Files.TryGetValue(request.Path.TrimStart('/'), out var response) ? response : LoopbackResponse.Text(404));
        var tuf = TufArguments(server);
        Assert.Equal(0, (await CliRunner.InProcessAsync(["trusted-root", "update", .. tuf])).ExitCode);
        failing = true;

        var run = await VerifyVirtualBundleAsync(tuf);

        Assert.True(run.ExitCode == 0, run.Output + run.Error);
        Assert.Contains("could not be updated", run.Error, StringComparison.Ordinal);
        Assert.Contains(DiagnosticCode.FetchFailed.Format(), run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task When_the_update_fails_and_nothing_was_verified_before_verify_stops()
    {
        await using var server = LoopbackHttpServer.Start(_ => LoopbackResponse.Text(404));

        var run = await VerifyVirtualBundleAsync(TufArguments(server));

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(DiagnosticCode.FetchFailed.Format(), run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tuf_root_that_is_not_signed_by_its_own_keys_is_a_usage_error()
    {
        var root = Encoding.UTF8.GetString(_repository.InitialRoot).Replace("\"version\":1", "\"version\":9", StringComparison.Ordinal);

        var run = await CliRunner.InProcessAsync("trusted-root", "update", "--tuf-url", "https://tuf.example.com",
            "--tuf-root", _files.Write("root.json", Encoding.UTF8.GetBytes(root)), "--tuf-cache", Cache);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(DiagnosticCode.InvalidTufRoot.Format(), run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_repository_without_its_root_is_a_usage_error()
    {
        var run = await CliRunner.InProcessAsync("trusted-root", "update", "--tuf-url", "https://tuf.example.com", "--tuf-cache", Cache);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(DiagnosticCode.TufRepositoryUnknown.Format(), run.Error, StringComparison.Ordinal);
    }

    private string[] TufArguments(LoopbackHttpServer server) =>
        ["--tuf-url", server.BaseUri.ToString(), "--tuf-root", _files.Write("root.json", _repository.InitialRoot), "--tuf-cache", Cache];

    private async Task<CliRunner.Run> VerifyVirtualBundleAsync(string[] extra) =>
        await CliRunner.InProcessAsync([
            "verify", _files.Write("artifact.bin", VirtualSigstore.DefaultArtifact),
            "--bundle", _files.Write("artifact.sigstore.json", Encoding.UTF8.GetBytes(_sigstore.Bundle(new BundleOptions()))),
            "--certificate-identity", VirtualSigstore.DefaultIdentity,
            "--certificate-oidc-issuer", VirtualSigstore.DefaultIssuer,
            .. extra]);
}
