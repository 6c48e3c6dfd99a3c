using System.Text;
using System.Text.Json.Nodes;
using Provenance.Cryptography;
using Provenance.Testing;
using Provenance.Verification;

namespace Provenance.Tests.Adversarial;

/// <summary>
/// DSSE signs the pre-authentication encoding (PAE) of type and payload, never the payload alone; the verifier reads
/// only in-toto statements, only after their signature verified, and counts only valid signatures. A message
/// signature's digest must be the artifact's. Envelopes are signed with a <see cref="TestSigner"/> key the verifier
/// trusts, so each case differs from a valid attestation only in what it tests.
/// </summary>
public sealed class DsseTests : IDisposable
{
    private static readonly byte[] Statement = AttestationFactory.StatementFor(VirtualSigstore.DefaultArtifact);
    private readonly TestSigner _signer = TestSigner.Create("ecdsa-p256-sha256");
    private readonly TestSigner _second = TestSigner.Create("ed25519");

    public void Dispose()
    {
        _signer.Dispose();
        _second.Dispose();
    }

    private ProvenanceVerifier Verifier(int threshold = 1) => new(new VerifierOptions
    {
        Keys = [.. new[] { _signer, _second }.Select(s => VerificationKey.Parse(Encoding.ASCII.GetBytes(s.PublicKeyPem), s.Algorithm))],
        SignatureThreshold = threshold,
    });

    [Fact]
    public async Task The_control_verifies()
    {
        Adversary.AssertVerified(await Adversary.VerifyAsync(Verifier(), AttestationFactory.Envelope(Statement, _signer.Sign)));
        Adversary.AssertVerified(await Adversary.VerifyAsync(Verifier(2), AttestationFactory.Envelope(Statement, [_signer.Sign, _second.Sign])));
    }

    [Fact]
    public async Task A_signature_over_the_raw_payload_instead_of_PAE_is_refused()
    {
        var envelope = new JsonObject
        {
            ["payloadType"] = "application/vnd.in-toto+json",
            ["payload"] = Convert.ToBase64String(Statement),
            ["signatures"] = new JsonArray(new JsonObject { ["sig"] = Convert.ToBase64String(_signer.Sign(Statement)) }),
        };

        Adversary.AssertRejected(await Adversary.VerifyAsync(Verifier(), envelope.ToJsonString()), DiagnosticCode.SignatureInvalid);
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("application/vnd.in-toto+json; charset=utf-8")]
    [InlineData("APPLICATION/VND.IN-TOTO+JSON")]
    [InlineData("")]
    public async Task A_validly_signed_payload_of_another_type_is_refused(string payloadType)
    {
        var envelope = AttestationFactory.Envelope(Statement, _signer.Sign, payloadType);

        Adversary.AssertRejected(await Adversary.VerifyAsync(Verifier(), envelope), DiagnosticCode.UnsupportedPayloadType);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("")]
    [InlineData("{\"_type\":\"https://in-toto.io/Statement/v1\"")]
    public async Task A_validly_signed_payload_that_is_not_JSON_is_refused(string payload)
    {
        var result = await Adversary.VerifyAsync(Verifier(), AttestationFactory.Envelope(Encoding.UTF8.GetBytes(payload), _signer.Sign));

        Assert.Contains(result.Checks, c => c is { Name: CheckNames.Signature, Passed: true });
        Adversary.AssertRejected(result, DiagnosticCode.MalformedJson);
    }

    [Fact]
    public async Task A_validly_signed_JSON_payload_that_is_not_a_statement_is_refused()
    {
        var result = await Adversary.VerifyAsync(Verifier(), AttestationFactory.Envelope("""{"hello":"world"}"""u8, _signer.Sign));

        Adversary.AssertRejected(result, DiagnosticCode.NotAnInTotoStatement);
    }

    [Fact]
    public async Task Of_several_signatures_an_invalid_one_does_not_count()
    {
        // The second signer's signature is over another statement: one valid signature where two are required.
        var other = AttestationFactory.Envelope(AttestationFactory.StatementFor("other"u8), _second.Sign);
        var envelope = JsonNode.Parse(AttestationFactory.Envelope(Statement, _signer.Sign))!;
        envelope["signatures"]!.AsArray().Add(JsonNode.Parse(other)!["signatures"]![0]!.DeepClone());

        Adversary.AssertRejected(await Adversary.VerifyAsync(Verifier(2), envelope.ToJsonString()), DiagnosticCode.SignatureThresholdNotMet);
    }

    [Fact]
    public async Task A_bundle_envelope_with_a_second_signature_is_refused()
    {
        // protobuf-specs: a bundle's envelope carries exactly the one signature its log entry records.
        using var adversary = new Adversary();
        var bundle = adversary.Bundle();
        var signatures = bundle["dsseEnvelope"]!["signatures"]!.AsArray();
        signatures.Add(signatures[0]!.DeepClone());

        Adversary.AssertRejected(await adversary.VerifyAsync(bundle), DiagnosticCode.InvalidField);
    }

    [Fact]
    public async Task A_message_digest_that_is_not_the_artifacts_is_refused()
    {
        using var adversary = new Adversary();
        var bundle = adversary.Bundle(new BundleOptions
        {
            Content = BundleContent.MessageSignature, Log = LogEntryType.RekorV1HashedRekord, Defect = Defect.MessageDigestMismatch,
        });

        Adversary.AssertRejected(await adversary.VerifyAsync(bundle), DiagnosticCode.MessageDigestMismatch);
    }
}
