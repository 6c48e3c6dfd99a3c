using Provenance.Testing;

namespace Provenance.Cli.Tests;

/// <summary>
/// verify's policy shorthands: the flags of slsa-verifier and gh attestation verify build a policy. Their agreement
/// with slsa-verifier's own cases is <see cref="SlsaVerifierCompatibilityTests"/>; here, usage and the gh family on
/// cli/cli's real attestation (testdata/realworld/cli, see NOTICE; its verdicts are those of cli/cli's tests).
/// </summary>
public sealed class ShorthandCommandTests
{
    private static readonly string Delegator = TestData.RealWorld("slsa-verifier/cli/slsa-verifier/testdata/gha_delegator/v2.1.0/binary-linux-amd64-push-v14");
    private static readonly string ReusableWorkflowArtifact = TestData.RealWorld("cli/pkg/cmd/attestation/test/data/reusable-workflow-artifact");
    private static readonly string ReusableWorkflowBundle = TestData.RealWorld("cli/pkg/cmd/attestation/test/data/reusable-workflow-attestation.sigstore.json");

    [Theory]
    [InlineData("--source-uri", "github.com/slsa-framework/example-package", "-p", "policies/slsa-github-generator.yaml")]
    [InlineData("--source-branch", "main", "--builder-id", "x")]
    [InlineData("--source-uri", "github.com/slsa-framework/example-package", "--owner", "slsa-framework")]
    [InlineData("--source-uri", "github.com/slsa-framework/example-package", "--source-versioned-tag", "14")]
    [InlineData("--source-uri", "github.com/slsa-framework/example-package", "--build-workflow-input", "novalue")]
    [InlineData("--source-uri", "github.com/slsa-framework/example-package", "--source-branch", "main", "--source-tag", "v14")]
    [InlineData("--signer-repo", "org/repo", "--predicate-type", "https://slsa.dev/provenance/v1")]
    public async Task Incomplete_or_contradictory_shorthands_are_usage_errors(params string[] flags)
    {
        var run = await CliRunner.InProcessAsync(["verify", Delegator, "--bundle", Delegator + ".build.slsa", .. flags.Select(Rooted)]);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("PV1008", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_gh_shorthands_accept_a_reusable_workflow_of_the_named_signer_repository()
    {
        var run = await CliRunner.InProcessAsync("verify", ReusableWorkflowArtifact, "--bundle", ReusableWorkflowBundle,
            "--repo", "malancas/attest-demo", "--signer-repo", "github/artifact-attestations-workflows", "--deny-self-hosted-runners");
        Assert.True(run.ExitCode == 0, run.Output + run.Error);
    }

    [Fact]
    public async Task The_gh_shorthands_refuse_a_signer_outside_the_owner_by_default()
    {
        var run = await CliRunner.InProcessAsync("verify", ReusableWorkflowArtifact, "--bundle", ReusableWorkflowBundle, "--repo", "malancas/attest-demo");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("PV6002", run.Output, StringComparison.Ordinal);
    }

    private static string Rooted(string argument) =>
        argument.StartsWith("policies/", StringComparison.Ordinal) ? Path.Combine(TestData.Root, argument) : argument;
}
