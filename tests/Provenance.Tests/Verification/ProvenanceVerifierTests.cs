using System.Collections.Immutable;
using System.Text;
using System.Text.Json.Nodes;
using Provenance.Cryptography;
using Provenance.Testing;
using Provenance.Verification;

namespace Provenance.Tests.Verification;

/// <summary>
/// End-to-end verification with keys generated here and envelopes signed here: each test changes one thing
/// in a valid attestation and expects exactly the failure that change must cause.
/// </summary>
public sealed class ProvenanceVerifierTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly byte[] _artifact = Encoding.UTF8.GetBytes("the artifact's bytes " + Guid.NewGuid());

    public void Dispose() => _temp.Dispose();

    public static TheoryData<string> Algorithms => [.. TestSigner.AllAlgorithms];

    private static VerificationKey KeyOf(TestSigner signer) =>
        VerificationKey.Parse(Encoding.ASCII.GetBytes(signer.PublicKeyPem), signer.Algorithm);

    private async Task<VerificationResult> VerifyAsync(string attestationJson, params TestSigner[] trusted)
    {
        var artifactPath = _temp.Write("artifact.bin", _artifact);
        var attestationPath = _temp.Write("attestation.json", Encoding.UTF8.GetBytes(attestationJson));
        var verifier = new ProvenanceVerifier(new VerifierOptions { Keys = [.. trusted.Select(KeyOf)] });
        return await verifier.VerifyAsync(ArtifactInput.FromFile(artifactPath), [AttestationInput.FromFile(attestationPath)], TestContext.Current.CancellationToken);
    }

    private static void AssertFailsWith(VerificationResult result, DiagnosticCode code)
    {
        Assert.False(result.Verified);
        Assert.Contains(result.Failures, f => f.Code == code);
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public async Task A_signed_statement_naming_the_artifact_verifies(string algorithm)
    {
        using var signer = TestSigner.Create(algorithm);
        var envelope = AttestationFactory.Envelope(AttestationFactory.StatementFor(_artifact), signer.Sign);

        var result = await VerifyAsync(envelope, signer);

        Assert.True(result.Verified, string.Join("; ", result.Failures.Select(f => f.Message)));
        var attestation = Assert.Single(result.Attestations);
        Assert.Equal(AttestationFactory.SlsaV1, attestation.Statement?.PredicateType);
        Assert.Equal(KeyOf(signer).KeyId, Assert.Single(attestation.Signers).KeyId);
        Assert.All(result.Checks, c => Assert.True(c.Passed));
        // The input is named by the digest of the very bytes verified (what a verification summary records).
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(envelope))),
            Assert.Single(result.AttestationFiles).Sha256);
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public async Task A_changed_payload_fails_the_signature(string algorithm)
    {
        using var signer = TestSigner.Create(algorithm);
        var envelope = AttestationFactory.Envelope(AttestationFactory.StatementFor(_artifact), signer.Sign);
        var other = Convert.ToBase64String(AttestationFactory.StatementFor(_artifact, name: "renamed.bin"));
        var tampered = AttestationFactory.With(envelope, e => e["payload"] = other);

        AssertFailsWith(await VerifyAsync(tampered, signer), DiagnosticCode.SignatureInvalid);
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public async Task A_changed_signature_fails(string algorithm)
    {
        using var signer = TestSigner.Create(algorithm);
        var envelope = AttestationFactory.Envelope(AttestationFactory.StatementFor(_artifact), signer.Sign);
        var tampered = AttestationFactory.With(envelope, e =>
        {
            var signature = Convert.FromBase64String(e["signatures"]![0]!["sig"]!.GetValue<string>());
            signature[signature.Length / 2] ^= 0x01;
            e["signatures"]![0]!["sig"] = Convert.ToBase64String(signature);
        });

        AssertFailsWith(await VerifyAsync(tampered, signer), DiagnosticCode.SignatureInvalid);
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public async Task A_changed_payload_type_fails(string algorithm)
    {
        using var signer = TestSigner.Create(algorithm);
        var envelope = AttestationFactory.Envelope(AttestationFactory.StatementFor(_artifact), signer.Sign);
        var tampered = AttestationFactory.With(envelope, e => e["payloadType"] = "application/json");

        AssertFailsWith(await VerifyAsync(tampered, signer), DiagnosticCode.UnsupportedPayloadType);
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public async Task Another_key_fails(string algorithm)
    {
        using var signer = TestSigner.Create(algorithm);
        using var other = TestSigner.Create(algorithm);
        var envelope = AttestationFactory.Envelope(AttestationFactory.StatementFor(_artifact), signer.Sign);

        AssertFailsWith(await VerifyAsync(envelope, other), DiagnosticCode.SignatureInvalid);
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public async Task A_changed_artifact_is_not_among_the_subjects(string algorithm)
    {
        using var signer = TestSigner.Create(algorithm);
        var envelope = AttestationFactory.Envelope(AttestationFactory.StatementFor([.. _artifact, (byte)'!']), signer.Sign);

        var result = await VerifyAsync(envelope, signer);

        AssertFailsWith(result, DiagnosticCode.ArtifactNotInSubjects);
        var failure = Assert.Single(result.Failures);
        Assert.Equal(result.Digests[0].ToString(), failure.Expected);
    }

    [Fact]
    public async Task A_signature_over_the_raw_payload_instead_of_pae_fails()
    {
        using var signer = TestSigner.Create("ecdsa-p256-sha256");
        var payload = AttestationFactory.StatementFor(_artifact);
        var envelope = AttestationFactory.With(AttestationFactory.Envelope(payload, signer.Sign), e =>
            e["signatures"]![0]!["sig"] = Convert.ToBase64String(signer.Sign(payload)));

        AssertFailsWith(await VerifyAsync(envelope, signer), DiagnosticCode.SignatureInvalid);
    }

    [Fact]
    public async Task An_invalid_signature_beside_a_valid_one_does_not_count_and_does_not_block()
    {
        using var signer = TestSigner.Create("ecdsa-p256-sha256");
        using var stranger = TestSigner.Create("ecdsa-p256-sha256");
        var envelope = AttestationFactory.Envelope(AttestationFactory.StatementFor(_artifact), [stranger.Sign, signer.Sign]);

        var result = await VerifyAsync(envelope, signer);

        Assert.True(result.Verified);
        Assert.Equal(KeyOf(signer).KeyId, Assert.Single(Assert.Single(result.Attestations).Signers).KeyId);
    }

    [Fact]
    public async Task A_threshold_counts_distinct_trusted_keys_only()
    {
        using var first = TestSigner.Create("ed25519");
        using var second = TestSigner.Create("ecdsa-p384-sha384");
        var statement = AttestationFactory.StatementFor(_artifact);
        var artifactPath = _temp.Write("artifact.bin", _artifact);
        var verifier = new ProvenanceVerifier(new VerifierOptions { Keys = [KeyOf(first), KeyOf(second)], SignatureThreshold = 2 });

        async Task<VerificationResult> Run(string envelope) => await verifier.VerifyAsync(
            ArtifactInput.FromFile(artifactPath), [AttestationInput.FromContent("envelope", Encoding.UTF8.GetBytes(envelope))],
            TestContext.Current.CancellationToken);

        Assert.True((await Run(AttestationFactory.Envelope(statement, [first.Sign, second.Sign]))).Verified);
        AssertFailsWith(await Run(AttestationFactory.Envelope(statement, [first.Sign, first.Sign])), DiagnosticCode.SignatureThresholdNotMet);
        AssertFailsWith(await Run(AttestationFactory.Envelope(statement, [first.Sign])), DiagnosticCode.SignatureThresholdNotMet);
    }

    [Fact]
    public void Options_that_could_never_verify_are_refused_when_the_verifier_is_built()
    {
        using var signer = TestSigner.Create("ed25519");
        Assert.Throws<ArgumentException>(() => new ProvenanceVerifier(new VerifierOptions()));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ProvenanceVerifier(new VerifierOptions { Keys = [KeyOf(signer)], SignatureThreshold = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ProvenanceVerifier(new VerifierOptions { Keys = [KeyOf(signer)], SignatureThreshold = 2 }));
    }

    [Fact]
    public async Task A_key_bundle_verifies_like_its_envelope()
    {
        using var signer = TestSigner.Create("ecdsa-p256-sha256");
        var bundle = AttestationFactory.KeyBundle(AttestationFactory.Envelope(AttestationFactory.StatementFor(_artifact), signer.Sign));

        var result = await VerifyAsync(bundle, signer);

        Assert.True(result.Verified);
        Assert.Equal(AttestationFormat.SigstoreBundle, Assert.Single(result.Attestations).Format);
    }

    [Fact]
    public async Task Json_lines_verify_when_one_line_names_the_artifact()
    {
        using var signer = TestSigner.Create("ed25519");
        var forOther = AttestationFactory.Envelope(AttestationFactory.StatementFor("other"u8), signer.Sign);
        var forThis = AttestationFactory.KeyBundle(AttestationFactory.Envelope(AttestationFactory.StatementFor(_artifact), signer.Sign));

        var result = await VerifyAsync(forOther + "\n\n" + forThis + "\n", signer);

        Assert.True(result.Verified);
        Assert.EndsWith(":3", Assert.Single(result.Attestations).Source, StringComparison.Ordinal);
        Assert.Contains(result.Failures, f => f.Code == DiagnosticCode.ArtifactNotInSubjects && f.Source!.EndsWith(":1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_json_array_of_attestations_is_read()
    {
        using var signer = TestSigner.Create("ed25519");
        var envelope = AttestationFactory.Envelope(AttestationFactory.StatementFor(_artifact), signer.Sign);

        var result = await VerifyAsync($"[{AttestationFactory.KeyBundle(envelope)}, {envelope}]", signer);

        Assert.True(result.Verified);
        Assert.Equal(2, result.Attestations.Length);
    }

    [Fact]
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA5350", Justification = "The test needs a real sha1 digest to show it never matches.")]
    public async Task Subjects_with_only_weak_digests_never_match()
    {
        using var signer = TestSigner.Create("ed25519");
        var sha1 = Convert.ToHexStringLower(System.Security.Cryptography.SHA1.HashData(_artifact));
        var statement = Encoding.UTF8.GetBytes(
            """{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"a","digest":{"sha1":"SHA1"}}],"predicateType":"https://example.com/p","predicate":{}}"""
                .Replace("SHA1", sha1, StringComparison.Ordinal));

        AssertFailsWith(await VerifyAsync(AttestationFactory.Envelope(statement, signer.Sign), signer), DiagnosticCode.OnlyWeakDigests);
    }

    [Theory]
    [InlineData("""{"hello":"world"}""", DiagnosticCode.NotAnInTotoStatement)]
    [InlineData("""not json""", DiagnosticCode.MalformedJson)]
    [InlineData("""{"_type":"https://in-toto.io/Statement/v1","subject":[],"predicateType":"p"}""", DiagnosticCode.EmptySubjects)]
    [InlineData("""{"_type":"https://in-toto.io/Statement/v9","subject":[],"predicateType":"p"}""", DiagnosticCode.UnsupportedStatementType)]
    [InlineData("""{"_type":"https://in-toto.io/Statement/v1","_type":"https://in-toto.io/Statement/v1","subject":[{"digest":{"sha256":"00"}}],"predicateType":"p"}""", DiagnosticCode.DuplicateJsonKey)]
    [InlineData("""{"_type":"https://in-toto.io/Statement/v1","subject":[{"digest":{"sha256":"abc"}}],"predicateType":"p"}""", DiagnosticCode.InvalidDigest)]
    public async Task A_signed_payload_that_is_not_a_good_statement_fails(string payload, DiagnosticCode code)
    {
        using var signer = TestSigner.Create("ecdsa-p256-sha256");
        AssertFailsWith(await VerifyAsync(AttestationFactory.Envelope(Encoding.UTF8.GetBytes(payload), signer.Sign), signer), code);
    }

    [Theory]
    [InlineData("{", DiagnosticCode.MalformedJson)]
    [InlineData("""{"payloadType":"application/vnd.in-toto+json","payloadType":"x","payload":"e30=","signatures":[{"sig":"AQID"}]}""", DiagnosticCode.DuplicateJsonKey)]
    [InlineData("""{"payloadType":"application/vnd.in-toto+json","payload":"e30=!","signatures":[{"sig":"AQID"}]}""", DiagnosticCode.InvalidBase64)]
    [InlineData("""{"_type":"https://in-toto.io/Statement/v1","subject":[{"digest":{"sha256":"00"}}],"predicateType":"p"}""", DiagnosticCode.UnknownContainer)]
    [InlineData("""{"mediaType":"application/vnd.dev.sigstore.bundle+json;version=9.9"}""", DiagnosticCode.UnsupportedBundleMediaType)]
    [InlineData("""{"something":"else"}""", DiagnosticCode.UnknownContainer)]
    [InlineData("""[1]""", DiagnosticCode.UnknownContainer)]
    public async Task A_malformed_attestation_file_fails_with_its_code(string content, DiagnosticCode code)
    {
        using var signer = TestSigner.Create("ecdsa-p256-sha256");
        var result = await VerifyAsync(content, signer);
        AssertFailsWith(result, code);
        Assert.False(result.HasInputError);
    }

    [Fact]
    public async Task A_broken_file_fails_the_verdict_even_beside_a_good_one()
    {
        using var signer = TestSigner.Create("ed25519");
        var good = _temp.Write("good.json", Encoding.UTF8.GetBytes(AttestationFactory.Envelope(AttestationFactory.StatementFor(_artifact), signer.Sign)));
        var broken = _temp.Write("broken.json", "{\"payloadType\":"u8.ToArray());
        var verifier = new ProvenanceVerifier(new VerifierOptions { Keys = [KeyOf(signer)] });

        var result = await verifier.VerifyAsync(ArtifactInput.FromDigest(ArtifactDigest.Parse("sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(_artifact)))),
            [AttestationInput.FromFile(good), AttestationInput.FromFile(broken)], TestContext.Current.CancellationToken);

        AssertFailsWith(result, DiagnosticCode.MalformedJson);
        Assert.Single(result.Attestations);
    }

    [Fact]
    public async Task A_keyless_bundle_needs_an_identity_to_accept()
    {
        using var signer = TestSigner.Create("ecdsa-p256-sha256");
        var bundle = AttestationFactory.With(
            AttestationFactory.KeyBundle(AttestationFactory.Envelope(AttestationFactory.StatementFor(_artifact), signer.Sign)),
            b => b["verificationMaterial"] = new JsonObject { ["certificate"] = new JsonObject { ["rawBytes"] = "MIIB" } });

        AssertFailsWith(await VerifyAsync(bundle, signer), DiagnosticCode.KeylessIdentityRequired);
    }

    [Fact]
    public async Task Missing_empty_and_oversized_inputs_are_input_errors()
    {
        using var signer = TestSigner.Create("ed25519");
        var verifier = new ProvenanceVerifier(new VerifierOptions { Keys = [KeyOf(signer)] });
        var artifact = ArtifactInput.FromFile(_temp.Write("artifact.bin", _artifact));
        var empty = _temp.Write("empty.json", []);
        var huge = _temp.Path("huge.json");
        using (var stream = File.Create(huge))
        {
            stream.SetLength(1L << 30); // a sparse 1 GiB file: refused by its size before it is read
        }

        async Task<VerificationResult> Run(ArtifactInput a, string attestation) =>
            await verifier.VerifyAsync(a, [AttestationInput.FromFile(attestation)], TestContext.Current.CancellationToken);

        var missing = await Run(artifact, _temp.Path("missing.json"));
        AssertFailsWith(missing, DiagnosticCode.InputNotFound);
        Assert.True(missing.HasInputError);
        AssertFailsWith(await Run(artifact, empty), DiagnosticCode.InputEmpty);
        AssertFailsWith(await Run(artifact, huge), DiagnosticCode.InputTooLarge);
        AssertFailsWith(await Run(ArtifactInput.FromFile(_temp.Path("no-artifact")), empty), DiagnosticCode.InputNotFound);
    }

    [Fact]
    public async Task No_attestation_is_a_failure_not_a_pass()
    {
        using var signer = TestSigner.Create("ed25519");
        var verifier = new ProvenanceVerifier(new VerifierOptions { Keys = [KeyOf(signer)] });
        var result = await verifier.VerifyAsync(ArtifactInput.FromFile(_temp.Write("a", _artifact)), [], TestContext.Current.CancellationToken);
        AssertFailsWith(result, DiagnosticCode.NoAttestations);
    }

    [Fact]
    public async Task Each_artifact_gets_its_own_verdict_from_one_reading_of_the_attestations()
    {
        using var signer = TestSigner.Create("ed25519");
        var other = "another artifact"u8.ToArray();
        var envelope = AttestationFactory.Envelope(AttestationFactory.StatementFor(_artifact), signer.Sign);
        var verifier = new ProvenanceVerifier(new VerifierOptions { Keys = [KeyOf(signer)] });

        var results = await verifier.VerifyAsync(
            [ArtifactInput.FromFile(_temp.Write("a", _artifact)), ArtifactInput.FromFile(_temp.Write("b", other))],
            [AttestationInput.FromContent("e", Encoding.UTF8.GetBytes(envelope))], TestContext.Current.CancellationToken);

        Assert.True(results[0].Verified);
        AssertFailsWith(results[1], DiagnosticCode.ArtifactNotInSubjects);
    }
}
