using Provenance.Testing;

namespace Provenance.Cli.Tests;

/// <summary>Keyless options on the command line, on a real public-good bundle from the conformance suite.</summary>
public sealed class KeylessCommandTests
{
    private const string Identity = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
    private const string Issuer = "https://token.actions.githubusercontent.com";
    private static readonly string Bundle = TestData.Path("sigstore-conformance/bundle-verify/happy-path-v0.3/bundle.sigstore.json");
    private static readonly string Artifact = TestData.Path("sigstore-conformance/bundle-verify/a.txt");

    private static Task<CliRunner.Run> VerifyAsync(params string[] extra) =>
        CliRunner.InProcessAsync(["verify", Artifact, "--bundle", Bundle, .. extra]);

    [Fact]
    public async Task The_embedded_public_good_root_is_the_default()
    {
        var run = await VerifyAsync("--certificate-identity", Identity, "--certificate-oidc-issuer", Issuer);
        Assert.True(run.ExitCode == 0, run.Output + run.Error);
        Assert.Contains(Identity, run.Output, StringComparison.Ordinal);
    }

    [Theory]
    // Regexes must match the whole value: a prefix or a substring is not enough.
    [InlineData("https://github\\.com/sigstore-conformance/.*", Issuer, 0)]
    [InlineData("https://github\\.com/sigstore-conformance/", Issuer, 1)]
    [InlineData("extremely-dangerous", Issuer, 1)]
    [InlineData(".*", "https://token\\.actions\\.githubusercontent\\.com", 0)]
    [InlineData(".*", "https://token\\.actions", 1)]
    public async Task Identity_regexes_match_whole_values(string identityRegex, string issuerRegex, int exitCode)
    {
        var run = await VerifyAsync("--certificate-identity-regex", identityRegex, "--certificate-oidc-issuer-regex", issuerRegex);
        Assert.True(run.ExitCode == exitCode, run.Output + run.Error);
        if (exitCode == 1)
        {
            Assert.Contains("PV5083", run.Output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Another_workflow_of_the_same_repository_is_refused()
    {
        var run = await VerifyAsync("--certificate-identity", Identity.Replace("@refs/heads/main", "@refs/heads/evil", StringComparison.Ordinal),
            "--certificate-oidc-issuer", Issuer);
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("PV5083", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Any_identity_is_accepted_only_when_asked_for_unsafely()
    {
        var run = await VerifyAsync("--unsafe-accept-any-identity");
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("UNSAFE", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    // The bundle has one log entry with one SET (one verified time) and one SCT: asking for two of either fails.
    [InlineData("--timestamp-threshold", "PV5082")]
    [InlineData("--sct-threshold", "PV5007")]
    [InlineData("--tlog-threshold", "PV5041")]
    public async Task Thresholds_above_the_evidence_fail(string option, string code)
    {
        var run = await VerifyAsync("--certificate-identity", Identity, "--certificate-oidc-issuer", Issuer, option, "2");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains(code, run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_trusted_root_that_is_not_one_is_an_input_error()
    {
        var run = await VerifyAsync("--certificate-identity", Identity, "--certificate-oidc-issuer", Issuer, "--trusted-root", Artifact);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("PV1009", run.Error, StringComparison.Ordinal);
    }
}
