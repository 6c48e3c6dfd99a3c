using Provenance.Testing;

namespace Provenance.Cli.Tests;

/// <summary>The ready-made policies pass their own fixtures, and verify applies a policy end to end.</summary>
public sealed class PolicyCommandTests
{
    [Fact]
    public async Task Every_ready_made_policy_passes_its_fixtures()
    {
        var run = await CliRunner.InProcessAsync("policy", "test", Path.Combine(TestData.Root, "policies"));
        Assert.True(run.ExitCode == 0, run.Output + run.Error);
        Assert.Matches(@"policy fixtures: [1-9][0-9]* passed, 0 failed", run.Output);
    }

    [Fact]
    public async Task A_policy_failure_exits_1_with_expected_and_found()
    {
        var run = await CliRunner.InProcessAsync("verify", TestData.Path("demo/hello-1.0.0.txt"), "-a", TestData.Path("demo/hello-1.0.0.intoto.jsonl"),
            "--key", TestData.Path("demo/demo-key.pub"), "-p", Path.Combine(TestData.Root, "policies/in-house-key-signed.yaml"),
            "--param", "keyId=SHA256:Z53ZuUNo05SH4ht6P42+jsT+adXmlCRvTZWG2b5WcW4", "--param", "repository=example/other");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("PV6003", run.Output, StringComparison.Ordinal);
        // The policy table: one row per check with its verdict, code, rule, expected and found values.
        Assert.Matches(@"FAIL\s+PV6003\s+source repository\s+git\+https://github\.com/example/other\s+git\+https://github\.com/example/hello", run.Output);
        Assert.Matches(@"ok\s+source ref\s+matching refs/tags/.*\s+refs/tags/v1\.0\.0", run.Output);
    }

    [Theory]
    [InlineData("--param", "repository")]
    [InlineData("--param", "nope=1")]
    public async Task Bad_parameters_are_usage_errors(string option, string value)
    {
        var run = await CliRunner.InProcessAsync("verify", TestData.Path("demo/hello-1.0.0.txt"), "-a", TestData.Path("demo/hello-1.0.0.intoto.jsonl"),
            "--key", TestData.Path("demo/demo-key.pub"), "-p", Path.Combine(TestData.Root, "policies/in-house-key-signed.yaml"), option, value);
        Assert.Equal(2, run.ExitCode);
    }
}
