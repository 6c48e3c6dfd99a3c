using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Provenance.Cryptography;
using Provenance.Policy;
using Provenance.Sigstore;
using Provenance.Testing;
using Provenance.Verification;

namespace Provenance.Tests.Adversarial;

/// <summary>
/// Hostile inputs through the whole <see cref="ProvenanceVerifier"/>, where the unit tests of each parser
/// (StrictJsonTests, StatementTests, DsseEnvelopeTests) see them only in isolation: respelled duplicate keys inside
/// a validly signed statement, a byte-order mark, trailing data, text that is not UTF-8, int64 fields spelled as
/// proto3 JSON does not allow, deep nesting, and counts and sizes past <see cref="Limits"/>, which must be refused
/// while the file is read, before any cryptography: a bundle over a limit whose signature is also bad fails on the
/// limit alone. Expected codes are those <see cref="DiagnosticCode"/> documents for each failure.
/// </summary>
public sealed class ParsingLimitsTests : IDisposable
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

    [Fact]
    public async Task A_byte_order_mark_is_refused_in_the_file_and_in_the_signed_payload()
    {
        var statement = AttestationFactory.StatementFor(Artifact);

        var file = await VerifyWithKeyAsync("\uFEFF" + AttestationFactory.Envelope(statement, _signer.Sign));
        Assert.Equal([DiagnosticCode.MalformedJson], file.Failures.Select(f => f.Code));

        var payload = await VerifyWithKeyAsync(AttestationFactory.Envelope([0xEF, 0xBB, 0xBF, .. statement], _signer.Sign));
        Assert.Contains(payload.Checks, c => c is { Name: CheckNames.Signature, Passed: true });
        Assert.Equal([DiagnosticCode.MalformedJson], payload.Failures.Select(f => f.Code));
    }

    [Fact]
    public async Task Nesting_past_the_limit_is_refused_in_the_file_and_in_the_signed_payload()
    {
        var deep = new string('[', Limits.MaxJsonDepth + 1) + new string(']', Limits.MaxJsonDepth + 1);
        var bundle = JsonNode.Parse(_sigstore.Bundle(new BundleOptions { Artifact = Artifact }))!.AsObject().ToJsonString();

        AssertRefusedWhileReading(await VerifyMintedAsync(bundle[..^1] + ",\"x\":" + deep + "}"), DiagnosticCode.JsonTooDeep);

        var statement = Encoding.UTF8.GetString(AttestationFactory.StatementFor(Artifact));
        var payload = await VerifyWithKeyAsync(AttestationFactory.Envelope(Encoding.UTF8.GetBytes(statement[..^1] + ",\"deep\":" + deep + "}"), _signer.Sign));
        Assert.Contains(payload.Checks, c => c is { Name: CheckNames.Signature, Passed: true });
        Assert.Equal([DiagnosticCode.JsonTooDeep], payload.Failures.Select(f => f.Code));
    }

    public static TheoryData<string> NotText() =>
    [
        // Found by fuzzing the bundle target: a byte that is not UTF-8 inside a string, read only when the field is
        // used, made the verifier throw instead of refusing the file.
        "bytes",
        // A key that is not UTF-8, and an escaped lone UTF-16 surrogate.
        "key",
        "surrogate",
    ];

    [Theory]
    [MemberData(nameof(NotText))]
    public async Task Strings_that_are_not_text_are_refused_while_reading(string where)
    {
        var bundle = Encoding.UTF8.GetBytes(_sigstore.Bundle(new BundleOptions { Artifact = Artifact }));
        var text = Encoding.UTF8.GetString(bundle);
        byte[] hostile = where switch
        {
            // Inside the certificate's base64: the parser reads it as a string to decode it.
            "bytes" => Replace(bundle, "\"rawBytes\":\"", [.. "\"rawBytes\":\""u8, 0xB9]),
            "key" => Replace(bundle, "\"mediaType\"", [.. "\"x"u8, 0xFF, .. "\":1,\"mediaType\""u8]),
            _ => Encoding.UTF8.GetBytes(text.Replace("\"mediaType\"", "\"x\":\"\\ud800\",\"mediaType\"", StringComparison.Ordinal)),
        };

        var result = await new ProvenanceVerifier(MintedOptions(), _sigstore.Clock).VerifyAsync(
            ArtifactInput.FromDigest(ArtifactDigest.Parse("sha256:" + Convert.ToHexStringLower(SHA256.HashData(Artifact)))),
            [AttestationInput.FromContent("hostile.json", hostile)], TestContext.Current.CancellationToken);

        AssertRefusedWhileReading(result, DiagnosticCode.MalformedJson);

        static byte[] Replace(byte[] json, string find, byte[] with)
        {
            var at = json.AsSpan().IndexOf(Encoding.UTF8.GetBytes(find));
            return [.. json.AsSpan(0, at), .. with, .. json.AsSpan(at + Encoding.UTF8.GetByteCount(find))];
        }
    }

    public static TheoryData<string> HostilePolicies() =>
    [
        // Found by fuzzing the policy target: YamlDotNet's scanner threw InvalidOperationException on this input
        // (libFuzzer minimized it to four bytes), which escaped the loader instead of being PV1010.
        "\0: P",
        // Found while fixing the above: nesting loaded by recursion overflowed the stack, ending the process.
        "a: " + new string('[', 100_000) + new string(']', 100_000) + "\n",
        "a: " + string.Concat(Enumerable.Repeat("{b: ", 20_000)) + "c" + new string('}', 20_000) + "\n",
        string.Concat(Enumerable.Range(0, Limits.MaxJsonDepth + 1).Select(i => new string(' ', 2 * i) + "- \n")),
    ];

    [Theory]
    [MemberData(nameof(HostilePolicies))]
    public void A_hostile_policy_is_refused_as_invalid_without_throwing(string text)
    {
        Assert.False(PolicyLoader.TryLoad(text, "policy.yaml", System.Collections.Immutable.ImmutableDictionary<string, string>.Empty, out _, out var problem));
        Assert.Equal(DiagnosticCode.InvalidPolicy, problem!.Code);
    }

    public static TheoryData<string, DiagnosticCode> OverLimits() => new()
    {
        { "log entries", DiagnosticCode.InvalidField },
        { "timestamps", DiagnosticCode.TooManyTimestamps },
        { "certificates", DiagnosticCode.InvalidField },
        { "signature bytes", DiagnosticCode.JsonTooLarge },
        { "certificate bytes", DiagnosticCode.JsonTooLarge },
        { "payload bytes", DiagnosticCode.JsonTooLarge },
        { "proof hashes", DiagnosticCode.LogEntryMalformed },
        { "depth", DiagnosticCode.JsonTooDeep },
    };

    [Theory]
    [MemberData(nameof(OverLimits))]
    public async Task A_limit_is_refused_before_any_cryptography_even_with_a_bad_signature(string limit, DiagnosticCode code)
    {
        // The signature is broken too: had any cryptography run first, the failure would be the signature's.
        var bundle = JsonNode.Parse(_sigstore.Bundle(new BundleOptions { Artifact = Artifact, Version = BundleVersion.V02, Timestamp = true }))!.AsObject();
        var signature = bundle["dsseEnvelope"]!["signatures"]![0]!;
        signature["sig"] = Adversary.Flipped(signature["sig"]);
        var material = bundle["verificationMaterial"]!.AsObject();
        JsonArray Many(JsonNode item, int count) => new([.. Enumerable.Range(0, count).Select(_ => item.DeepClone())]);
        switch (limit)
        {
            case "log entries":
                material["tlogEntries"] = Many(material["tlogEntries"]![0]!, Limits.MaxTransparencyLogEntries + 1);
                break;
            case "timestamps":
                material["timestampVerificationData"]!["rfc3161Timestamps"] = Many(material["timestampVerificationData"]!["rfc3161Timestamps"]![0]!, Limits.MaxTimestamps + 1);
                break;
            case "certificates":
                material["x509CertificateChain"]!["certificates"] = Many(material["x509CertificateChain"]!["certificates"]![0]!, Limits.MaxCertificateChainLength + 1);
                break;
            case "signature bytes":
                signature["sig"] = Convert.ToBase64String(new byte[Limits.MaxSignatureBytes + 1]);
                break;
            case "certificate bytes":
                material["x509CertificateChain"]!["certificates"]![0]!["rawBytes"] = Convert.ToBase64String(new byte[Limits.MaxCertificateBytes + 1]);
                break;
            case "payload bytes":
                bundle["dsseEnvelope"]!["payload"] = Convert.ToBase64String(new byte[Limits.MaxPayloadBytes + 1]);
                break;
            case "proof hashes":
                var proof = material["tlogEntries"]![0]!["inclusionProof"]!;
                proof["hashes"] = Many(proof["hashes"]![0]!, Limits.MaxInclusionProofHashes + 1);
                break;
            default:
                JsonNode deep = new JsonArray();
                for (var i = 0; i < Limits.MaxJsonDepth; i++)
                {
                    deep = new JsonArray(deep);
                }

                material["tlogEntries"]![0]!["x"] = deep;
                break;
        }

        var result = await VerifyMintedAsync(bundle.ToJsonString());

        if (limit == "proof hashes")
        {
            // Entries are read when verified, first of all checks: only reading and the payload type's string compare ran.
            Assert.False(result.Verified);
            Assert.Equal([code], result.Failures.Select(f => f.Code));
            Assert.DoesNotContain(result.Checks, c => c.Name is not (CheckNames.Load or CheckNames.PayloadType or CheckNames.TransparencyLog));
        }
        else
        {
            AssertRefusedWhileReading(result, code);
        }
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

    private VerifierOptions MintedOptions() => new()
    {
        TrustedRoot = TrustedRoot.Parse(Encoding.UTF8.GetBytes(_sigstore.TrustedRootJson)),
        Identities = [CertificateIdentity.Create(VirtualSigstore.DefaultIdentity, null, VirtualSigstore.DefaultIssuer, null)],
    };

    private async Task<VerificationResult> VerifyMintedAsync(string bundle) =>
        await VerifyAsync(new ProvenanceVerifier(MintedOptions(), _sigstore.Clock), bundle);

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
