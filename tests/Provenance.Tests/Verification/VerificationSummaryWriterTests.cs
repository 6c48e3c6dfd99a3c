using System.Security.Cryptography;
using System.Text;
using Provenance.Attestations;
using Provenance.Cryptography;
using Provenance.Envelopes;
using Provenance.Testing;
using Provenance.Verification;

namespace Provenance.Tests.Verification;

/// <summary>
/// Verification summaries written here are read back by the library's own VSA v1 reader and verified by its own
/// verifier: every field must come out as it went in, and the envelope must verify under the signer's public key.
/// </summary>
public sealed class VerificationSummaryWriterTests : IDisposable
{
    private static readonly string DemoArtifact = TestData.Path("demo/hello-1.0.0.txt");
    private static readonly string DemoAttestation = TestData.Path("demo/hello-1.0.0.intoto.jsonl");
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 34, 56, TimeSpan.Zero);

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>One key of each family SigningKey reads (RSA-PSS test keys export as plain RSA PKCS#8).</summary>
    public static TheoryData<string> Algorithms => ["ecdsa-p256-sha256", "ecdsa-p384-sha384", "ecdsa-p521-sha512", "rsa-pkcs1v15-sha256", "ed25519"];

    private static async Task<VerificationResult> VerifyDemoAsync(string artifact)
    {
        var key = VerificationKey.Parse(File.ReadAllBytes(TestData.Path("demo/demo-key.pub")));
        var verifier = new ProvenanceVerifier(new VerifierOptions { Keys = [key] });
        return await verifier.VerifyAsync(ArtifactInput.FromFile(artifact), [AttestationInput.FromFile(DemoAttestation)], TestContext.Current.CancellationToken);
    }

    private static VerificationSummaryOptions Options(SummaryResource? policy = null) => new()
    {
        TimeProvider = new FixedTimeProvider(Now),
        Policy = policy,
        InputAttestations = [SummaryResource.FromContent(DemoAttestation, File.ReadAllBytes(DemoAttestation))],
    };

    [Theory]
    [MemberData(nameof(Algorithms))]
    public async Task A_signed_summary_of_a_verified_result_verifies_and_reads_back_field_by_field(string algorithm)
    {
        var result = await VerifyDemoAsync(DemoArtifact);
        Assert.True(result.Verified);
        using var signer = TestSigner.Create(algorithm);
        Assert.True(SigningKey.TryParse(Encoding.ASCII.GetBytes(signer.ExportPrivateKeyPem()), out var key, out var problem), problem?.ToString());
        using var disposeKey = key;
        var policy = SummaryResource.FromContent("policy.yaml", "predicateType: x\n"u8);

        var envelope = VerificationSummaryWriter.CreateSignedEnvelope(result, Options(policy), key);

        // Verified by the verifier, with the public key as a user would give it (default algorithm).
        var vsaPath = _temp.Write("demo.vsa.jsonl", envelope);
        var verifier = new ProvenanceVerifier(new VerifierOptions { Keys = [VerificationKey.Parse(Encoding.ASCII.GetBytes(signer.PublicKeyPem))] });
        var back = await verifier.VerifyAsync(ArtifactInput.FromFile(DemoArtifact), [AttestationInput.FromFile(vsaPath)], TestContext.Current.CancellationToken);
        Assert.True(back.Verified, string.Join("; ", back.Failures.Select(f => f.Code + " " + f.Message)));
        var statement = Assert.Single(back.Attestations).Statement!;

        // Expected values: the inputs above, the demo file's own sha256, and the VSA v1 spec's constants.
        Assert.Equal(StatementVersion.V1, statement.Version);
        var subject = Assert.Single(statement.Subjects);
        Assert.Equal("hello-1.0.0.txt", subject.Name);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(DemoArtifact))), subject.Digest["sha256"]);
        Assert.Single(subject.Digest.Entries);
        Assert.True(VerificationSummary.TryFrom(statement, out var summary, out var summaryProblem), summaryProblem?.ToString());
        Assert.Equal("https://github.com/provenance/provenance", summary.VerifierId);
        Assert.Equal(VerificationSummaryWriter.VerifierVersion, Assert.Single(summary.VerifierVersion, v => v.Key == "provenance").Value);
        Assert.NotEqual("unknown", VerificationSummaryWriter.VerifierVersion);
        Assert.Equal(Now, summary.TimeVerified);
        Assert.Equal(DemoArtifact, summary.ResourceUri);
        Assert.Equal("policy.yaml", summary.Policy.Uri);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData("predicateType: x\n"u8)), summary.Policy.Digest["sha256"]);
        var input = Assert.Single(summary.InputAttestations);
        Assert.Equal(DemoAttestation, input.Uri);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(DemoAttestation))), input.Digest["sha256"]);
        Assert.Equal(SummaryVerdict.Passed, summary.Result);
        Assert.Empty(summary.VerifiedLevels);
        Assert.Empty(summary.DependencyLevels);
        Assert.Equal("1.0", summary.SlsaVersion);
    }

    [Fact]
    public async Task A_failed_verification_is_summarised_as_FAILED_with_no_policy()
    {
        var changed = _temp.Write("hello-1.0.0.txt", "not the demo"u8.ToArray());
        var result = await VerifyDemoAsync(changed);
        Assert.False(result.Verified);

        using var document = System.Text.Json.JsonDocument.Parse(VerificationSummaryWriter.CreateStatement(result, Options()));
        var predicate = document.RootElement.GetProperty("predicate");
        Assert.Equal("FAILED", predicate.GetProperty("verificationResult").GetString());
        Assert.Empty(predicate.GetProperty("policy").EnumerateObject());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData("not the demo"u8)),
            document.RootElement.GetProperty("subject")[0].GetProperty("digest").GetProperty("sha256").GetString());
    }

    [Fact]
    public async Task An_artifact_given_by_digest_is_named_by_that_digest_alone()
    {
        var digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(DemoArtifact)));
        var key = VerificationKey.Parse(File.ReadAllBytes(TestData.Path("demo/demo-key.pub")));
        var result = await new ProvenanceVerifier(new VerifierOptions { Keys = [key] })
            .VerifyAsync(ArtifactInput.FromDigest(ArtifactDigest.Parse(digest)), [AttestationInput.FromFile(DemoAttestation)], TestContext.Current.CancellationToken);

        using var document = System.Text.Json.JsonDocument.Parse(VerificationSummaryWriter.CreateStatement(result, Options()));
        var subject = document.RootElement.GetProperty("subject")[0];
        Assert.False(subject.TryGetProperty("name", out _));
        Assert.Equal(digest, document.RootElement.GetProperty("predicate").GetProperty("resourceUri").GetString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("not a key")]
    [InlineData("-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n")]
    [InlineData("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")]
    public void A_signing_key_that_is_not_a_PKCS8_private_key_is_a_problem_not_an_exception(string pem)
    {
        Assert.False(SigningKey.TryParse(Encoding.ASCII.GetBytes(pem), out _, out var problem));
        Assert.Equal(DiagnosticCode.InvalidKey, problem.Code);
    }

    [Fact]
    public void A_public_key_is_refused_as_a_signing_key()
    {
        using var signer = TestSigner.Create("ecdsa-p256-sha256");
        Assert.False(SigningKey.TryParse(Encoding.ASCII.GetBytes(signer.PublicKeyPem), out _, out var problem));
        Assert.Equal(DiagnosticCode.InvalidKey, problem.Code);
    }

    [Fact]
    public void The_envelope_signature_is_over_PAE_and_verifies_under_the_public_key()
    {
        using var signer = TestSigner.Create("ecdsa-p256-sha256");
        Assert.True(SigningKey.TryParse(Encoding.ASCII.GetBytes(signer.ExportPrivateKeyPem()), out var key, out var problem), problem?.ToString());
        using var disposeKey = key;
        var envelope = DsseEnvelope.Sign(DsseEnvelope.InTotoPayloadType, "{}"u8.ToArray(), key);

        var signature = Assert.Single(envelope.Signatures);
        Assert.True(key.PublicKey.Verify(DsseEnvelope.PreAuthenticationEncoding(DsseEnvelope.InTotoPayloadType, "{}"u8), signature.Signature.Span));
        Assert.Equal(key.PublicKey.SpkiSha256, signature.KeyId);
    }
}
