using System.Security.Cryptography;
using Provenance.Testing;

namespace Provenance.Cli.Tests;

/// <summary>
/// <c>provenance verify</c> on a legacy keyless envelope (no log entry): the entry is looked up in the Rekor that
/// --rekor-url names (a loopback one serving <see cref="VirtualSigstore"/>'s entry) and verified like a bundle;
/// --offline forbids the lookup with PV1030.
/// </summary>
public sealed class RekorLookupCommandTests : IDisposable
{
    private readonly VirtualSigstore _sigstore = new();
    private readonly TempDirectory _files = new();

    public void Dispose()
    {
        _sigstore.Dispose();
        _files.Dispose();
    }

    [Fact]
    public async Task A_legacy_envelope_verifies_through_the_log_named_by_rekor_url()
    {
        var legacy = LegacyEnvelope.FromBundle(_sigstore.Bundle(new BundleOptions { Log = LogEntryType.RekorV1Intoto }));
        await using var rekor = LoopbackRekor.Serve(legacy);

        var run = await VerifyAsync(legacy, "--rekor-url", rekor.BaseUri.ToString());

        Assert.True(run.ExitCode == 0, run.Output + run.Error);
        Assert.NotEmpty(rekor.Requests);
    }

    [Fact]
    public async Task An_entry_for_another_envelope_fails_verification()
    {
        var legacy = LegacyEnvelope.FromBundle(_sigstore.Bundle(new BundleOptions { Log = LogEntryType.RekorV1Intoto, Defect = Defect.EntryForOtherArtifact }));
        await using var rekor = LoopbackRekor.Serve(legacy);

        var run = await VerifyAsync(legacy, "--rekor-url", rekor.BaseUri.ToString());

        Assert.Equal(1, run.ExitCode);
        Assert.Contains(DiagnosticCode.LogEntryBodyMismatch.Format(), run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Offline_a_legacy_envelope_fails_with_the_lookup_code_and_no_request()
    {
        var legacy = LegacyEnvelope.FromBundle(_sigstore.Bundle(new BundleOptions { Log = LogEntryType.RekorV1Intoto }));
        await using var rekor = LoopbackRekor.Serve(legacy);

        var run = await VerifyAsync(legacy, "--rekor-url", rekor.BaseUri.ToString(), "--offline");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(DiagnosticCode.LogEntryLookupOffline.Format(), run.Output, StringComparison.Ordinal);
        Assert.Empty(rekor.Requests);
    }

    [Fact]
    public async Task A_real_legacy_envelope_offline_fails_with_the_lookup_code()
    {
        // testdata/realworld (NOTICE): slsa-verifier's gha_generic v1.10.0 envelope, which carries no log entry.
        const string Path = "slsa-verifier/cli/slsa-verifier/testdata/gha_generic/v1.10.0/binary-linux-amd64-workflow_dispatch";
        var digest = "sha256:" + File.ReadAllText(TestData.RealWorld(Path + ".sha256")).Split(' ')[0].Trim();

        var run = await CliRunner.InProcessAsync("verify", digest, "--attestation", TestData.RealWorld(Path + ".intoto.jsonl"),
            "--certificate-identity-regex", "^https://github\\.com/slsa-framework/slsa-github-generator/.*$",
            "--certificate-oidc-issuer", VirtualSigstore.DefaultIssuer, "--offline");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(DiagnosticCode.LogEntryLookupOffline.Format(), run.Output, StringComparison.Ordinal);
    }

    /// <summary>An entry could only let a keyless signer count: with only keys trusted, nothing is looked up (or read twice) for it.</summary>
    [Fact]
    public async Task With_only_keys_trusted_a_legacy_envelope_is_not_looked_up_and_fails_its_signature()
    {
        var legacy = LegacyEnvelope.FromBundle(_sigstore.Bundle(new BundleOptions { Log = LogEntryType.RekorV1Intoto }));
        await using var rekor = LoopbackRekor.Serve(legacy);

        var run = await CliRunner.InProcessAsync([
            "verify", "sha256:" + Convert.ToHexStringLower(SHA256.HashData(VirtualSigstore.DefaultArtifact)),
            "--attestation", _files.Write("artifact.intoto.jsonl", legacy.Envelope),
            "--key", TestData.Path("demo", "demo-key.pub"),
            "--rekor-url", rekor.BaseUri.ToString()]);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains(DiagnosticCode.SignatureInvalid.Format(), run.Output, StringComparison.Ordinal);
        Assert.Empty(rekor.Requests);
    }

    [Fact]
    public async Task A_rekor_url_that_is_not_a_url_is_a_usage_error()
    {
        var legacy = LegacyEnvelope.FromBundle(_sigstore.Bundle(new BundleOptions { Log = LogEntryType.RekorV1Intoto }));

        var run = await VerifyAsync(legacy, "--rekor-url", "rekor");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(DiagnosticCode.InvalidOptions.Format(), run.Error, StringComparison.Ordinal);
    }

    private async Task<CliRunner.Run> VerifyAsync(LegacyEnvelope legacy, params string[] extra) =>
        await CliRunner.InProcessAsync([
            "verify", "sha256:" + Convert.ToHexStringLower(SHA256.HashData(VirtualSigstore.DefaultArtifact)),
            "--attestation", _files.Write("artifact.intoto.jsonl", legacy.Envelope),
            "--certificate-identity", VirtualSigstore.DefaultIdentity,
            "--certificate-oidc-issuer", VirtualSigstore.DefaultIssuer,
            "--trusted-root", _files.Write("trusted_root.json", System.Text.Encoding.UTF8.GetBytes(_sigstore.TrustedRootJson)),
            .. extra]);
}
