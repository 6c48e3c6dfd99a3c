using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Provenance.Testing;

namespace Provenance.Cli.Tests;

/// <summary>The command-line contract: exit codes and diagnostic codes, on real files.</summary>
public sealed class VerifyCommandTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static readonly string DemoArtifact = TestData.Path("demo/hello-1.0.0.txt");
    private static readonly string DemoAttestation = TestData.Path("demo/hello-1.0.0.intoto.jsonl");
    private static readonly string DemoKey = TestData.Path("demo/demo-key.pub");

    [Fact]
    public async Task The_readme_demo_verifies_as_a_real_process()
    {
        var run = await CliRunner.ProcessAsync("verify", DemoArtifact, "-a", DemoAttestation, "--key", DemoKey);

        Assert.Equal(0, run.ExitCode);
        Assert.StartsWith("VERIFIED: ", run.Output, StringComparison.Ordinal);
        Assert.Contains("https://slsa.dev/provenance/v1", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_digest_can_stand_for_the_artifact()
    {
        var digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(DemoArtifact)));
        var run = await CliRunner.InProcessAsync("verify", digest, "--bundle", DemoAttestation, "--key", DemoKey);
        Assert.Equal(0, run.ExitCode);
    }

    [Fact]
    public async Task A_changed_artifact_exits_1_with_the_subject_code()
    {
        var changed = _temp.Write("hello-1.0.0.txt", [.. File.ReadAllBytes(DemoArtifact), (byte)'\n']);
        var run = await CliRunner.InProcessAsync("verify", changed, "-a", DemoAttestation, "--key", DemoKey);

        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("NOT VERIFIED: ", run.Output, StringComparison.Ordinal);
        Assert.Contains("PV4001", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Another_key_exits_1_with_the_signature_code()
    {
        using var other = TestSigner.Create("ecdsa-p256-sha256");
        var key = _temp.Write("other.pub", Encoding.ASCII.GetBytes(other.PublicKeyPem));
        var run = await CliRunner.InProcessAsync("verify", DemoArtifact, "-a", DemoAttestation, "--key", key);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("PV3001", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_output_lists_every_check_under_a_versioned_media_type()
    {
        var run = await CliRunner.InProcessAsync("verify", DemoArtifact, "-a", DemoAttestation, "--key", DemoKey, "--format", "json");

        Assert.Equal(0, run.ExitCode);
        using var report = JsonDocument.Parse(run.Output);
        Assert.Equal("application/vnd.provenance.verification-report+json;version=1", report.RootElement.GetProperty("mediaType").GetString());
        var artifact = report.RootElement.GetProperty("artifacts")[0];
        Assert.True(artifact.GetProperty("verified").GetBoolean());
        var checks = artifact.GetProperty("checks").EnumerateArray().Select(c => c.GetProperty("name").GetString()).ToList();
        Assert.Equal(["load", "payload-type", "signature", "statement", "subject"], checks);
    }

    [Fact]
    public async Task Json_output_of_a_failure_carries_code_expected_and_actual()
    {
        var changed = _temp.Write("x", "not the artifact"u8.ToArray());
        var output = _temp.Path("report.json");
        var run = await CliRunner.InProcessAsync("verify", changed, "-a", DemoAttestation, "--key", DemoKey, "--format", "json", "--output", output);

        Assert.Equal(1, run.ExitCode);
        using var report = JsonDocument.Parse(File.ReadAllBytes(output));
        var failed = report.RootElement.GetProperty("artifacts")[0].GetProperty("checks").EnumerateArray()
            .Single(c => !c.GetProperty("passed").GetBoolean());
        Assert.Equal("PV4001", failed.GetProperty("code").GetString());
        Assert.Equal("sha256:" + Convert.ToHexStringLower(SHA256.HashData("not the artifact"u8)), failed.GetProperty("expected").GetString());
    }

    [Theory]
    [InlineData("verify")]
    [InlineData("verify", "a.txt", "--key", "k.pub")]
    [InlineData("verify", "a.txt", "-a", "att.json")]
    [InlineData("verify", "a.txt", "-a", "att.json", "--key", "k.pub", "--format", "yaml")]
    [InlineData("frobnicate")]
    [InlineData("verify", "a.txt", "-a", "att.json", "--certificate-identity", "i", "--certificate-oidc-issuer", "o", "--tlog-threshold", "0")]
    [InlineData("verify", "a.txt", "-a", "att.json", "--certificate-identity", "i", "--certificate-oidc-issuer", "o", "--timestamp-threshold", "0")]
    [InlineData("verify", "a.txt", "-a", "att.json", "--certificate-identity", "i", "--certificate-oidc-issuer", "o", "--sct-threshold", "0")]
    [InlineData("verify", "a.txt", "-a", "att.json", "--certificate-identity", "i")]
    [InlineData("verify", "a.txt", "-a", "att.json", "--certificate-identity", "i", "--certificate-identity-regex", "j", "--certificate-oidc-issuer", "o")]
    [InlineData("verify", "a.txt", "-a", "att.json", "--certificate-identity-regex", "(", "--certificate-oidc-issuer", "o")]
    [InlineData("verify", "a.txt", "-a", "att.json", "--certificate-identity", "i", "--certificate-oidc-issuer", "o", "--unsafe-accept-any-identity")]
    public async Task Usage_errors_exit_2(params string[] args)
    {
        var run = await CliRunner.InProcessAsync(args);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("error", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_attestation_exits_2_with_its_code_and_no_stack_trace()
    {
        var run = await CliRunner.InProcessAsync("verify", DemoArtifact, "-a", _temp.Path("missing.jsonl"), "--key", DemoKey);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("PV1001", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Output + run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sha256:1234")]
    [InlineData("sha256:zz")]
    [InlineData("sha512:00")]
    public async Task A_malformed_digest_exits_2(string digest)
    {
        var run = await CliRunner.InProcessAsync("verify", digest, "-a", DemoAttestation, "--key", DemoKey);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("PV1005", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_key_file_that_is_not_a_key_exits_2()
    {
        var key = _temp.Write("bad.pub", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"u8.ToArray());
        var run = await CliRunner.InProcessAsync("verify", DemoArtifact, "-a", DemoAttestation, "--key", key);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("PV1006", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_malformed_attestation_exits_1_with_the_place_of_the_error()
    {
        var attestation = _temp.Write("bad.jsonl", "{\"payloadType\": \"application/vnd.in-toto+json\",\n \"payload\": \"e30=\", \"payload\": \"e30=\"}"u8.ToArray());
        var run = await CliRunner.InProcessAsync("verify", DemoArtifact, "-a", attestation, "--key", DemoKey);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("PV2002", run.Output, StringComparison.Ordinal);
        Assert.Contains("line 2", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unwritable_report_path_exits_2_without_a_stack_trace()
    {
        var run = await CliRunner.InProcessAsync("verify", DemoArtifact, "-a", DemoAttestation, "--key", DemoKey,
            "--output", _temp.Path("no-such-folder/report.txt"));

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--output", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Error, StringComparison.Ordinal);
    }

    private (string PrivateKey, string PublicKey) FreshKeyPair(string algorithm = "ecdsa-p256-sha256")
    {
        using var signer = TestSigner.Create(algorithm);
        return (_temp.Write("vsa.key", Encoding.ASCII.GetBytes(signer.ExportPrivateKeyPem())),
            _temp.Write("vsa.pub", Encoding.ASCII.GetBytes(signer.PublicKeyPem)));
    }

    [Theory]
    [InlineData("ecdsa-p256-sha256")]
    [InlineData("ecdsa-p384-sha384")]
    [InlineData("rsa-pkcs1v15-sha256")]
    [InlineData("ed25519")]
    public async Task A_signed_vsa_verifies_back_through_provenance_verify(string algorithm)
    {
        var (privateKey, publicKey) = FreshKeyPair(algorithm);
        var vsa = _temp.Path("hello.vsa.intoto.jsonl");
        var write = await CliRunner.InProcessAsync("verify", DemoArtifact, "-a", DemoAttestation, "--key", DemoKey, "--vsa", vsa, "--vsa-key", privateKey);
        Assert.Equal(0, write.ExitCode);

        var back = await CliRunner.InProcessAsync("verify", DemoArtifact, "-a", vsa, "--key", publicKey, "--format", "json");

        Assert.Equal(0, back.ExitCode);
        using var report = JsonDocument.Parse(back.Output);
        var attestation = report.RootElement.GetProperty("artifacts")[0].GetProperty("attestations")[0];
        Assert.Equal("https://slsa.dev/verification_summary/v1", attestation.GetProperty("predicateType").GetString());
    }

    [Fact]
    public async Task A_failed_verification_writes_a_FAILED_vsa_and_still_exits_1()
    {
        var changed = _temp.Write("hello-1.0.0.txt", "not the demo"u8.ToArray());
        var vsa = _temp.Path("failed.vsa.json");
        var run = await CliRunner.InProcessAsync("verify", changed, "-a", DemoAttestation, "--key", DemoKey, "--vsa", vsa);

        Assert.Equal(1, run.ExitCode);
        using var statement = JsonDocument.Parse(File.ReadAllBytes(vsa));
        Assert.Equal("https://slsa.dev/verification_summary/v1", statement.RootElement.GetProperty("predicateType").GetString());
        Assert.Equal("FAILED", statement.RootElement.GetProperty("predicate").GetProperty("verificationResult").GetString());
    }

    [Theory]
    [InlineData("missing", "PV1001")]
    [InlineData("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", "PV1006")]
    [InlineData("public", "PV1006")]
    public async Task An_unusable_vsa_key_exits_2_with_its_code(string content, string code)
    {
        var (_, publicKey) = FreshKeyPair();
        var key = content switch
        {
            "missing" => _temp.Path("no-such.key"),
            "public" => publicKey,
            _ => _temp.Write("bad.key", Encoding.ASCII.GetBytes(content)),
        };
        var vsa = _temp.Path("out.vsa");
        var run = await CliRunner.InProcessAsync("verify", DemoArtifact, "-a", DemoAttestation, "--key", DemoKey, "--vsa", vsa, "--vsa-key", key);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(code, run.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(vsa));
    }

    [Fact]
    public async Task A_vsa_key_without_vsa_exits_2()
    {
        var (privateKey, _) = FreshKeyPair();
        var run = await CliRunner.InProcessAsync("verify", DemoArtifact, "-a", DemoAttestation, "--key", DemoKey, "--vsa-key", privateKey);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("PV1008", run.Error, StringComparison.Ordinal);
    }
}
