using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Provenance.Cryptography;
using Provenance.Sigstore;
using Provenance.Testing;
using Provenance.Verification;

namespace Provenance.Tests.Adversarial;

/// <summary>
/// Hostile inputs through the whole <see cref="ProvenanceVerifier"/>, where the unit tests of each parser
/// (StrictJsonTests, StatementTests, DsseEnvelopeTests) see them only in isolation: respelled duplicate keys inside
/// a validly signed statement, trailing data, int64 fields spelled as proto3 JSON does not allow, and counts and
/// sizes past <see cref="Limits"/>, which must be refused while the file is read, before any cryptography. Expected
/// codes are those <see cref="DiagnosticCode"/> documents for each failure.
/// </summary>
public sealed class HostileInputTests : IDisposable
{
    private static readonly byte[] Artifact = Encoding.UTF8.GetBytes("hostile input artifact\n");

    private readonly VirtualSigstore _sigstore = new();
    private readonly TestSigner _signer = TestSigner.Create("ecdsa-p256-sha256");

    public void Dispose()
    {
        _sigstore.Dispose();
        _signer.Dispose();
    }

    /// <summary>A good statement naming <see cref="Artifact"/>, with one key written again in another spelling.</summary>
    public static TheoryData<string> RespelledDuplicates()
    {
        var digest = Convert.ToHexStringLower(SHA256.HashData(Artifact));
        var subject = $$$"""[{"name":"a","digest":{"sha256":"{{{digest}}}"}}]""";
        return
        [
            // Case variants: a case-insensitive reader (Go's encoding/json) would take the second for the first.
            $$$"""{"_type":"https://in-toto.io/Statement/v1","subject":{{{subject}}},"Subject":[{"name":"b","digest":{"sha256":"{{{new string('0', 64)}}}"}}],"predicateType":"p"}""",
            $$$"""{"_type":"https://in-toto.io/Statement/v1","subject":{{{subject}}},"predicateType":"p","PredicateType":"q"}""",
            // The same key, once escaped: every reader decodes both to one name and keeps one of them.
            $$$"""{"_type":"https://in-toto.io/Statement/v1","subject":{{{subject}}},"predicateType":"p","predic\u0061teType":"q"}""",
            $$$"""{"_type":"https://in-toto.io/Statement/v1","\u005ftype":"https://in-toto.io/Statement/v0.1","subject":{{{subject}}},"predicateType":"p"}""",
        ];
    }

    [Theory]
    [MemberData(nameof(RespelledDuplicates))]
    public async Task A_validly_signed_statement_with_a_respelled_duplicate_key_fails_on_the_key(string statement)
    {
        var envelope = AttestationFactory.Envelope(Encoding.UTF8.GetBytes(statement), _signer.Sign);

        foreach (var attestation in new[] { envelope, AttestationFactory.KeyBundle(envelope) })
        {
            var result = await VerifyWithKeyAsync(attestation);

            // The signature is good: it is the statement's reading that refuses it.
            Assert.Contains(result.Checks, c => c is { Name: CheckNames.Signature, Passed: true });
            Assert.Equal([DiagnosticCode.DuplicateJsonKey], result.Failures.Select(f => f.Code));
        }
    }

    [Fact]
    public async Task Trailing_data_after_the_json_is_refused_in_the_file_and_in_the_signed_payload()
    {
        var statement = AttestationFactory.StatementFor(Artifact);
        var envelope = AttestationFactory.Envelope(statement, _signer.Sign);

        var file = await VerifyWithKeyAsync(envelope + " x");
        Assert.Equal([DiagnosticCode.MalformedJson], file.Failures.Select(f => f.Code));

        var payload = await VerifyWithKeyAsync(AttestationFactory.Envelope([.. statement, .. " {}"u8], _signer.Sign));
        Assert.Contains(payload.Checks, c => c is { Name: CheckNames.Signature, Passed: true });
        Assert.Equal([DiagnosticCode.MalformedJson], payload.Failures.Select(f => f.Code));
    }

    [Fact]
    public async Task An_int64_field_may_be_a_json_number_as_proto3_json_allows()
    {
        // proto3 JSON: "int64 ... JSON value will be a decimal string. Either numbers or strings are accepted."
        var bundle = MintedWith(entry => entry["logIndex"] = long.Parse(entry["logIndex"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture));

        var result = await VerifyMintedAsync(bundle);

        Assert.True(result.Verified, string.Join("; ", result.Failures.Select(f => $"{f.Code}: {f.Message}")));
    }

    public static TheoryData<string> Int64Spellings() =>
    [
        "\"1e2\"", "\"+5\"", "\" 5\"", "\"5 \"", "\"0x10\"", "\"-1\"", "\"99999999999999999999\"", "\"\"", "1.5", "-1", "1e2", "true", "null", "{}",
    ];

    [Theory]
    [MemberData(nameof(Int64Spellings))]
    public async Task An_int64_field_spelled_any_other_way_is_refused(string spelling)
    {
        var bundle = MintedWith(entry => entry["logIndex"] = JsonNode.Parse(spelling));

        var result = await VerifyMintedAsync(bundle);

        Assert.False(result.Verified);
        var failure = Assert.Single(result.Failures);
        // null is proto3 JSON's "absent", which for logIndex means 0: then the signed entry timestamp disagrees.
        Assert.Equal(spelling == "null" ? DiagnosticCode.SetInvalid : DiagnosticCode.LogEntryMalformed, failure.Code);
    }

    [Fact]
    public async Task Ten_thousand_log_entries_are_refused_while_reading_before_any_cryptography()
    {
        var bundle = MintedWith(_ => { }, material =>
        {
            var entry = material["tlogEntries"]![0]!;
            material["tlogEntries"] = new JsonArray([.. Enumerable.Range(0, 10_000).Select(_ => entry.DeepClone())]);
        });

        var result = await VerifyMintedAsync(bundle);

        AssertRefusedWhileReading(result, DiagnosticCode.InvalidField);
    }

    [Fact]
    public async Task Ten_thousand_timestamps_are_refused_while_reading_before_any_cryptography()
    {
        var bundle = MintedWith(_ => { }, material => material["timestampVerificationData"] = new JsonObject
        {
            ["rfc3161Timestamps"] = new JsonArray([.. Enumerable.Range(0, 10_000).Select(_ => (JsonNode)new JsonObject { ["signedTimestamp"] = "MAA=" })]),
        });

        var result = await VerifyMintedAsync(bundle);

        Assert.False(result.Verified);
        Assert.Equal([DiagnosticCode.TooManyTimestamps], result.Failures.Select(f => f.Code));
        // Counted before any timestamp is decoded: the log entry was checked, no certificate or signature was.
        Assert.DoesNotContain(result.Checks, c => c.Name is CheckNames.Certificate or CheckNames.Signature);
    }

    [Fact]
    public async Task A_hundred_thousand_subjects_are_refused()
    {
        var subjects = string.Join(",", Enumerable.Range(0, 100_000).Select(i => $$$"""{"name":"s{{{i}}}","digest":{"sha256":"{{{i:x64}}}"}}"""));
        var statement = $$$"""{"_type":"https://in-toto.io/Statement/v1","subject":[{{{subjects}}}],"predicateType":"p"}""";

        var result = await VerifyWithKeyAsync(AttestationFactory.Envelope(Encoding.UTF8.GetBytes(statement), _signer.Sign));

        // The payload is read for meaning only after its signature verified (one signature over a few MiB).
        Assert.Equal([DiagnosticCode.TooManySubjects], result.Failures.Select(f => f.Code));
    }

    public static TheoryData<string> HugeBase64Fields() => ["signature", "certificate", "payload"];

    [Theory]
    [MemberData(nameof(HugeBase64Fields))]
    public async Task Base64_past_its_limit_is_refused_while_reading_before_decoding(string field)
    {
        // Each value decodes to one byte more than its limit: refused by its length, whatever it holds.
        static string Base64Of(int bytes) => Convert.ToBase64String(new byte[bytes]);
        var bundle = JsonNode.Parse(_sigstore.Bundle(new BundleOptions { Artifact = Artifact }))!.AsObject();
        switch (field)
        {
            case "signature":
                bundle["dsseEnvelope"]!["signatures"]![0]!["sig"] = Base64Of(Limits.MaxSignatureBytes + 1);
                break;
            case "certificate":
                bundle["verificationMaterial"]!["certificate"]!["rawBytes"] = Base64Of(Limits.MaxCertificateBytes + 1);
                break;
            default:
                bundle["dsseEnvelope"]!["payload"] = Base64Of(Limits.MaxPayloadBytes + 1);
                break;
        }

        var result = await VerifyMintedAsync(bundle.ToJsonString());

        AssertRefusedWhileReading(result, DiagnosticCode.JsonTooLarge);
    }

    private static void AssertRefusedWhileReading(VerificationResult result, DiagnosticCode code)
    {
        Assert.False(result.Verified);
        var failure = Assert.Single(result.Failures);
        Assert.Equal((CheckNames.Load, code), (failure.Name, failure.Code));
        // Nothing but reading happened: no log entry, certificate or signature was looked at.
        Assert.All(result.Checks, c => Assert.Equal(CheckNames.Load, c.Name));
    }

    /// <summary>A valid minted bundle (v0.3, DSSE, Rekor v1) of <see cref="Artifact"/>, with its first log entry and its verification material changed.</summary>
    private string MintedWith(Action<JsonObject> changeEntry, Action<JsonObject>? changeMaterial = null)
    {
        var bundle = JsonNode.Parse(_sigstore.Bundle(new BundleOptions { Artifact = Artifact }))!.AsObject();
        var material = bundle["verificationMaterial"]!.AsObject();
        changeEntry(material["tlogEntries"]![0]!.AsObject());
        changeMaterial?.Invoke(material);
        return bundle.ToJsonString();
    }

    private async Task<VerificationResult> VerifyMintedAsync(string bundle)
    {
        var verifier = new ProvenanceVerifier(new VerifierOptions
        {
            TrustedRoot = TrustedRoot.Parse(Encoding.UTF8.GetBytes(_sigstore.TrustedRootJson)),
            Identities = [CertificateIdentity.Create(VirtualSigstore.DefaultIdentity, null, VirtualSigstore.DefaultIssuer, null)],
        }, _sigstore.Clock);
        return await VerifyAsync(verifier, bundle);
    }

    private async Task<VerificationResult> VerifyWithKeyAsync(string attestation) =>
        await VerifyAsync(new ProvenanceVerifier(new VerifierOptions
        {
            Keys = [VerificationKey.Parse(Encoding.ASCII.GetBytes(_signer.PublicKeyPem), _signer.Algorithm)],
        }), attestation);

    private static async Task<VerificationResult> VerifyAsync(ProvenanceVerifier verifier, string attestation) =>
        await verifier.VerifyAsync(
            ArtifactInput.FromDigest(ArtifactDigest.Parse("sha256:" + Convert.ToHexStringLower(SHA256.HashData(Artifact)))),
            [AttestationInput.FromContent("hostile.json", Encoding.UTF8.GetBytes(attestation))],
            TestContext.Current.CancellationToken);
}
