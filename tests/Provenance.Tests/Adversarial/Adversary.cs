using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Provenance.Cryptography;
using Provenance.Sigstore;
using Provenance.Testing;
using Provenance.Verification;

namespace Provenance.Tests.Adversarial;

/// <summary>
/// What the adversarial classes share: a <see cref="VirtualSigstore"/> to mint valid bundles that an attack then
/// changes as JSON, and the verifier a user of the CLI would run on them (the instance's trusted root, its default
/// identity, its clock). Each attack must be rejected with exactly one failure, of the code that
/// <see cref="DiagnosticCode"/> documents for it.
/// </summary>
public sealed class Adversary : IDisposable
{
    public Adversary(VirtualSigstore? sigstore = null) => Sigstore = sigstore ?? new VirtualSigstore();

    public VirtualSigstore Sigstore { get; }

    public void Dispose() => Sigstore.Dispose();

    /// <summary>A valid bundle as JSON to change: by default v0.3, DSSE, logged to Rekor v1.</summary>
    public JsonObject Bundle(BundleOptions? options = null) => JsonNode.Parse(Sigstore.Bundle(options ?? new BundleOptions()))!.AsObject();

    public static JsonObject Material(JsonObject bundle) => bundle["verificationMaterial"]!.AsObject();

    public static JsonObject Entry(JsonObject bundle, int index = 0) => Material(bundle)["tlogEntries"]![index]!.AsObject();

    public static JsonObject Proof(JsonObject bundle) => Entry(bundle)["inclusionProof"]!.AsObject();

    /// <summary>The signature bytes of a DSSE bundle: what its timestamps must be over.</summary>
    public static byte[] Signature(JsonObject bundle) =>
        Convert.FromBase64String(bundle["dsseEnvelope"]!["signatures"]![0]!["sig"]!.GetValue<string>());

    /// <summary>Replaces the bundle's signed timestamps with <paramref name="tokens"/> (DER TimeStampResp).</summary>
    public static void Timestamps(JsonObject bundle, params byte[][] tokens) =>
        Material(bundle)["timestampVerificationData"] = new JsonObject
        {
            ["rfc3161Timestamps"] = new JsonArray([.. tokens.Select(t => (JsonNode)new JsonObject { ["signedTimestamp"] = Convert.ToBase64String(t) })]),
        };

    /// <summary>The instance's trusted root with <paramref name="authority"/> as its only timestamp authority.</summary>
    public JsonObject TrustingTimestampAuthority(TrustedTimestampAuthority authority)
    {
        var root = TrustedRootJson();
        root["timestampAuthorities"] = new JsonArray(authority.ToJson());
        return root;
    }

    /// <summary>The instance's trusted root as JSON to change.</summary>
    public JsonObject TrustedRootJson() => JsonNode.Parse(Sigstore.TrustedRootJson)!.AsObject();

    /// <summary>What the CLI would build from <c>--trusted-root</c> and the default identity.</summary>
    public VerifierOptions Options(JsonObject? trustedRoot = null) => new()
    {
        TrustedRoot = TrustedRoot.Parse(Encoding.UTF8.GetBytes(trustedRoot?.ToJsonString() ?? Sigstore.TrustedRootJson)),
        Identities = [CertificateIdentity.Create(VirtualSigstore.DefaultIdentity, null, VirtualSigstore.DefaultIssuer, null)],
    };

    public Task<VerificationResult> VerifyAsync(JsonObject bundle, VerifierOptions? options = null, byte[]? artifact = null, TimeProvider? clock = null) =>
        VerifyAsync(new ProvenanceVerifier(options ?? Options(), clock ?? Sigstore.Clock), bundle.ToJsonString(), artifact);

    /// <summary>Verifies one attestation file's content against the artifact (by default the instance's).</summary>
    public static async Task<VerificationResult> VerifyAsync(ProvenanceVerifier verifier, string attestation, byte[]? artifact = null) =>
        await verifier.VerifyAsync(
            ArtifactInput.FromDigest(ArtifactDigest.Parse("sha256:" + Convert.ToHexStringLower(SHA256.HashData(artifact ?? VirtualSigstore.DefaultArtifact)))),
            [AttestationInput.FromContent("attack.json", Encoding.UTF8.GetBytes(attestation))],
            TestContext.Current.CancellationToken);

    /// <summary>The control of every attack: the bundle as minted verifies.</summary>
    public static void AssertVerified(VerificationResult result) =>
        Assert.True(result.Verified, string.Join("; ", result.Failures.Select(f => $"{f.Code}: {f.Message} at {f.Location}")));

    /// <summary>Not verified, and for exactly one reason: <paramref name="code"/>.</summary>
    public static void AssertRejected(VerificationResult result, DiagnosticCode code)
    {
        Assert.False(result.Verified);
        Assert.Equal([code], result.Failures.Select(f => f.Code));
    }

    /// <summary>Base64 of <paramref name="value"/> with one bit of its first byte flipped.</summary>
    public static string Flipped(JsonNode? value)
    {
        var bytes = Convert.FromBase64String(value!.GetValue<string>());
        bytes[0] ^= 1;
        return Convert.ToBase64String(bytes);
    }
}
