using System.Text;
using System.Text.Json;
using Provenance.Cryptography;
using Provenance.Testing;

namespace Provenance.Tests.Cryptography;

/// <summary>
/// Keys and signatures made by other people's software (see testdata/NOTICE), so the parser and verifier
/// are checked against what exists in the wild, not only against what .NET itself produces.
/// </summary>
public sealed class VerificationKeyRealWorldTests
{
    private const string VsaKey = "realworld/slsa-verifier/cli/slsa-verifier/testdata/vsa/gce/v1/vsa_signing_public_key.pem";

    [Theory]
    // Expected: the keyid npm publishes for its registry key (and carries in npm bundles), and ssh-keygen.
    [InlineData("realworld/sigstore-go/examples/publish_key.pub", "ecdsa-p256-sha256", "SHA256:jl3bwswu80PjjokCgh0o2w5c2U4LhQAE57gj9cz1kzA")]
    // Expected values below: ssh-keygen -l -E sha256 (see testdata/README.md).
    [InlineData(VsaKey, "ecdsa-p256-sha256", "SHA256:Zphi7kubaI7RnOrkqPgkRdVhF5a2JOFB4gor/Zajiiw")]
    [InlineData("keys/openssl-rsa2048.pem", "rsa-pkcs1v15-sha256", "SHA256:KIAeapgugEqtADuRp149YXPZ6GfLbX6EX3Wj4hGEji8")]
    [InlineData("keys/openssl-p384.pem", "ecdsa-p384-sha384", "SHA256:eeQYs+EP98NMtGzfb1TvmixutPar1bWIhICfFNDAZx8")]
    public void Key_files_parse_with_their_openssh_key_id(string file, string algorithm, string keyId)
    {
        var key = VerificationKey.Parse(TestData.ReadAllBytes(file));

        Assert.Equal(algorithm, key.Algorithm);
        Assert.Equal(keyId, key.KeyId);
    }

    [Fact]
    public void The_npm_registry_signature_on_a_publish_attestation_verifies()
    {
        // sigstore-go examples/bundle-publish.json: a DSSE envelope signed by the npm registry key, whose
        // signature the vector manifest re-checked independently with Python's cryptography.
        var key = VerificationKey.Parse(TestData.ReadAllBytes("realworld/sigstore-go/examples/publish_key.pub"));
        using var bundle = JsonDocument.Parse(TestData.ReadAllBytes("realworld/sigstore-go/examples/bundle-publish.json"));
        var envelope = bundle.RootElement.GetProperty("dsseEnvelope");
        var (pae, signature, keyId) = ReadEnvelope(envelope);

        Assert.Equal(keyId, key.KeyId);
        Assert.True(key.Verify(pae, signature));
        pae[^1] ^= 0x01;
        Assert.False(key.Verify(pae, signature));
    }

    [Fact]
    public void A_p1363_signature_from_google_verifies()
    {
        // slsa-verifier testdata: a VSA whose 64-byte signature is r||s, not DER.
        var key = VerificationKey.Parse(TestData.ReadAllBytes(VsaKey));
        using var envelope = JsonDocument.Parse(TestData.ReadAllBytes("realworld/slsa-verifier/cli/slsa-verifier/testdata/vsa/gce/v1/gke-gce-pre.bcid-vsa.jsonl"));
        var (pae, signature, _) = ReadEnvelope(envelope.RootElement);

        Assert.Equal(64, signature.Length);
        Assert.True(key.Verify(pae, signature));
        signature[10] ^= 0x01;
        Assert.False(key.Verify(pae, signature));
    }

    /// <summary>
    /// The DSSE pre-authentication encoding (DSSE protocol.md): what the signature covers. Written out here so
    /// this test depends on nothing but the cryptography under test.
    /// </summary>
    private static (byte[] Pae, byte[] Signature, string? KeyId) ReadEnvelope(JsonElement envelope)
    {
        var payloadType = envelope.GetProperty("payloadType").GetString()!;
        var payload = Convert.FromBase64String(envelope.GetProperty("payload").GetString()!);
        var first = envelope.GetProperty("signatures")[0];
        var header = Encoding.UTF8.GetBytes($"DSSEv1 {Encoding.UTF8.GetByteCount(payloadType)} {payloadType} {payload.Length} ");
        return ([.. header, .. payload], Convert.FromBase64String(first.GetProperty("sig").GetString()!),
            first.TryGetProperty("keyid", out var keyId) ? keyId.GetString() : null);
    }
}
