using System.Text;
using Provenance.Testing;

namespace Provenance.Cli.Tests;

/// <summary>
/// <c>provenance verify</c> end to end over a bundle, trusted root and artifact minted by <see cref="VirtualSigstore"/>
/// and written to files: a valid bundle verifies (exit 0); one whose SET was signed over another integrated time
/// fails with the code of a signed entry timestamp that does not verify (exit 1, PV5033).
/// </summary>
public sealed class VirtualSigstoreCliTests : IDisposable
{
    private readonly VirtualSigstore _sigstore = new();
    private readonly TempDirectory _files = new();

    public void Dispose()
    {
        _sigstore.Dispose();
        _files.Dispose();
    }

    [Theory]
    [InlineData(BundleContent.Dsse, LogEntryType.RekorV1Dsse)]
    [InlineData(BundleContent.MessageSignature, LogEntryType.RekorV2HashedRekord)]
    public async Task A_minted_bundle_verifies_from_files(BundleContent content, LogEntryType log)
    {
        var run = await VerifyAsync(new BundleOptions { Content = content, Log = log });

        Assert.True(run.ExitCode == 0, run.Output + run.Error);
        Assert.StartsWith("VERIFIED: ", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bundle_with_a_SET_over_another_time_fails_with_its_code()
    {
        var run = await VerifyAsync(new BundleOptions { Defect = Defect.SetOverOtherTime });

        Assert.Equal(1, run.ExitCode);
        Assert.Contains(DiagnosticCode.SetInvalid.Format(), run.Output, StringComparison.Ordinal);
    }

    private async Task<CliRunner.Run> VerifyAsync(BundleOptions options) =>
        await CliRunner.InProcessAsync(
            "verify", _files.Write("artifact.bin", options.Artifact),
            "--bundle", _files.Write("artifact.sigstore.json", Encoding.UTF8.GetBytes(_sigstore.Bundle(options))),
            "--certificate-identity", VirtualSigstore.DefaultIdentity,
            "--certificate-oidc-issuer", VirtualSigstore.DefaultIssuer,
            "--trusted-root", _files.Write("trusted_root.json", Encoding.UTF8.GetBytes(_sigstore.TrustedRootJson)));
}
