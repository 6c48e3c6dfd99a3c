using System.Text;
using Provenance.Testing;

namespace Provenance.Cli.Tests;

/// <summary>
/// <c>provenance verify npm:NAME@VERSION</c> and <c>--npm-lockfile</c> against a loopback registry serving the real
/// npm vectors of testdata/realworld (NOTICE) as recorded responses: exit codes and diagnostic codes.
/// </summary>
public sealed class NpmCommandTests : IDisposable
{
    private const string Vectors = "slsa-verifier/cli/slsa-verifier/testdata/npm/gha/gundam-visor-cli-v1-tag";
    private const string Identity = "https://github.com/ramonpetgrave64/gundam-visor/.github/workflows/npm-publish.yml@refs/tags/v1.0.1";
    private readonly TempDirectory _files = new();

    private static RecordedNpmPackage Gundam { get; } = new("gundam-visor", "1.0.1",
        File.ReadAllBytes(TestData.RealWorld(Vectors + ".tgz")), File.ReadAllBytes(TestData.RealWorld(Vectors + ".tgz.json")));

    private static RecordedNpmPackage Unattested { get; } = new("left-pad", "1.3.0", Encoding.UTF8.GetBytes("left-pad"), null);

    public void Dispose() => _files.Dispose();

    [Fact]
    public async Task A_real_package_verifies_from_the_registry()
    {
        await using var registry = LoopbackNpmRegistry.Serve(Gundam);

        var run = await VerifyAsync(registry, "npm:gundam-visor@1.0.1");

        Assert.True(run.ExitCode == 0, run.Output + run.Error);
        Assert.Contains("npm:gundam-visor@1.0.1", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Attestations_of_another_version_fail_verification()
    {
        await using var registry = LoopbackNpmRegistry.Serve(Gundam with { Version = "1.0.2" });

        var run = await VerifyAsync(registry, "npm:gundam-visor@1.0.2");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains(DiagnosticCode.ArtifactNotInSubjects.Format(), run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_lockfile_verifies_its_attested_packages_and_notes_the_others()
    {
        await using var registry = LoopbackNpmRegistry.Serve(Gundam, Unattested);

        var run = await VerifyAsync(registry, "--npm-lockfile", Lockfile());

        Assert.True(run.ExitCode == 0, run.Output + run.Error);
        Assert.Contains("npm:left-pad@1.3.0", run.Error, StringComparison.Ordinal);
        Assert.Contains("npm:gundam-visor@1.0.1", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Requiring_attestations_fails_a_lockfile_package_without_them()
    {
        await using var registry = LoopbackNpmRegistry.Serve(Gundam, Unattested);

        var run = await VerifyAsync(registry, "--npm-lockfile", Lockfile(), "--npm-require-attestations");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains(DiagnosticCode.NpmAttestationsMissing.Format(), run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Offline_nothing_is_fetched_and_the_package_fails_with_the_network_code()
    {
        await using var registry = LoopbackNpmRegistry.Serve(Gundam);

        var run = await VerifyAsync(registry, "npm:gundam-visor@1.0.1", "--offline");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(DiagnosticCode.NetworkDisabled.Format(), run.Output, StringComparison.Ordinal);
        Assert.Empty(registry.Requests);
    }

    [Theory]
    [InlineData("npm:gundam-visor@^1.0.0")]
    [InlineData("--npm-registry", "not a url", "npm:gundam-visor@1.0.1")]
    public async Task A_malformed_npm_argument_is_a_usage_error(params string[] args)
    {
        var run = await CliRunner.InProcessAsync(["verify", .. args, "--certificate-identity", Identity, "--certificate-oidc-issuer", VirtualSigstore.DefaultIssuer]);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("PV10", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Nothing_to_verify_is_a_usage_error()
    {
        var run = await CliRunner.InProcessAsync("verify", "--certificate-identity", Identity, "--certificate-oidc-issuer", VirtualSigstore.DefaultIssuer);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(DiagnosticCode.InvalidOptions.Format(), run.Error, StringComparison.Ordinal);
    }

    private string Lockfile() => _files.Write("package-lock.json", Encoding.UTF8.GetBytes(
        "{\"name\":\"app\",\"lockfileVersion\":3,\"packages\":{\"\":{\"name\":\"app\",\"version\":\"0.0.0\"},"
        + Entry(Gundam) + "," + Entry(Unattested) + "}}"));

    private static string Entry(RecordedNpmPackage package) =>
        $"\"node_modules/{package.Name}\":{{\"version\":\"{package.Version}\",\"resolved\":\"https://registry.npmjs.org/{package.Name}/-/{package.Name}-{package.Version}.tgz\",\"integrity\":\"{package.RealIntegrity}\"}}";

    private static Task<CliRunner.Run> VerifyAsync(LoopbackHttpServer registry, params string[] args) =>
        CliRunner.InProcessAsync(["verify", .. args, "--npm-registry", registry.BaseUri.ToString(),
            "--certificate-identity", Identity, "--certificate-oidc-issuer", VirtualSigstore.DefaultIssuer]);
}
