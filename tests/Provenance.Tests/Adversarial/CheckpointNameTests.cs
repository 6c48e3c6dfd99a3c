using System.Text;
using System.Text.Json.Nodes;
using Provenance.Sigstore;
using Provenance.Testing;
using Provenance.Verification;

namespace Provenance.Tests.Adversarial;

/// <summary>
/// A Rekor v1 checkpoint line is the log's only under the log's name and key ID together: the line's name is not
/// signed, so a line that keeps the log's key ID under another name must not pass as the log's (the tamper sweep
/// found that it did).
/// </summary>
public sealed class CheckpointNameTests
{
    private const string Identity = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";

    private static async Task<VerificationResult> VerifyAsync(string bundle)
    {
        Assert.True(TrustedRoot.TryParse(File.ReadAllBytes(TestData.Path("sigstore-conformance/trusted-roots/public-good-production.json")), out var root, out _));
        var verifier = new ProvenanceVerifier(new VerifierOptions
        {
            TrustedRoot = root,
            Identities = [CertificateIdentity.Create(Identity, null, "https://token.actions.githubusercontent.com", null)],
        });
        return await verifier.VerifyAsync(ArtifactInput.FromFile(TestData.Path("sigstore-conformance/bundle-verify/a.txt")),
            [AttestationInput.FromContent("bundle", Encoding.UTF8.GetBytes(bundle))], TestContext.Current.CancellationToken);
    }

    private static string WithCheckpoint(Func<string, string> change)
    {
        var bundle = JsonNode.Parse(File.ReadAllText(TestData.Path("sigstore-conformance/bundle-verify/happy-path-v0.3/bundle.sigstore.json")))!;
        var checkpoint = bundle["verificationMaterial"]!["tlogEntries"]![0]!["inclusionProof"]!["checkpoint"]!;
        checkpoint["envelope"] = change(checkpoint["envelope"]!.GetValue<string>());
        return bundle.ToJsonString();
    }

    [Fact]
    public async Task The_unchanged_checkpoint_verifies()
    {
        Assert.True((await VerifyAsync(WithCheckpoint(e => e))).Verified);
    }

    [Theory]
    [InlineData("evil.example.com")]
    [InlineData("rekor.sigstore.dev.evil.example.com")]
    [InlineData("REKOR.SIGSTORE.DEV")]
    public async Task The_logs_key_id_under_another_name_is_not_the_log(string name)
    {
        var result = await VerifyAsync(WithCheckpoint(e => e.Replace("\u2014 rekor.sigstore.dev ", $"\u2014 {name} ", StringComparison.Ordinal)));

        Assert.False(result.Verified);
        Assert.Contains(result.Failures, f => f.Code == DiagnosticCode.CheckpointInvalid);
    }
}
