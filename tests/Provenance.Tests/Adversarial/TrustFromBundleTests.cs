using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Provenance.Cryptography;
using Provenance.Sigstore;
using Provenance.Testing;
using Provenance.Verification;

namespace Provenance.Tests.Adversarial;

/// <summary>
/// Trust comes from the trusted root and the caller's keys, never from the bundle: a bundle naming the attacker's
/// key, a log entry signed by the attacker's log key under the trusted log's id, a certificate chain of the
/// attacker's own CA, and a root certificate appended to the chain are each refused.
/// </summary>
public sealed class TrustFromBundleTests : IDisposable
{
    private readonly Adversary _adversary = new();
    private readonly TestSigner _attacker = TestSigner.Create("ecdsa-p256-sha256");
    private readonly TestSigner _trusted = TestSigner.Create("ecdsa-p256-sha256");

    public void Dispose()
    {
        _adversary.Dispose();
        _attacker.Dispose();
        _trusted.Dispose();
    }

    /// <summary>A key bundle signed by the attacker, its hint naming the trusted key.</summary>
    private string AttackerKeyBundle() =>
        AttestationFactory.KeyBundle(AttestationFactory.Envelope(AttestationFactory.StatementFor(VirtualSigstore.DefaultArtifact), _attacker.Sign),
            keyHint: VerificationKey.Parse(Encoding.ASCII.GetBytes(_trusted.PublicKeyPem)).KeyId);

    [Fact]
    public async Task A_bundle_signed_by_the_attackers_key_is_refused_by_a_keyless_verifier()
    {
        var verifier = new ProvenanceVerifier(_adversary.Options(), _adversary.Sigstore.Clock);

        Adversary.AssertRejected(await Adversary.VerifyAsync(verifier, AttackerKeyBundle()), DiagnosticCode.NoTrustMaterial);
    }

    [Fact]
    public async Task A_bundle_signed_by_the_attackers_key_is_refused_by_a_verifier_of_another_key()
    {
        var verifier = new ProvenanceVerifier(new VerifierOptions { Keys = [VerificationKey.Parse(Encoding.ASCII.GetBytes(_trusted.PublicKeyPem))] });

        Adversary.AssertRejected(await Adversary.VerifyAsync(verifier, AttackerKeyBundle()), DiagnosticCode.SignatureInvalid);
    }

    [Theory]
    [InlineData(true, DiagnosticCode.SetInvalid)]
    [InlineData(false, DiagnosticCode.CheckpointInvalid)]
    public async Task An_entry_signed_by_an_attackers_log_key_under_the_trusted_logs_id_is_refused(bool withSet, DiagnosticCode code)
    {
        // The attacker runs a log of the same name, records the very same body, and claims the trusted log's id.
        var bundle = _adversary.Bundle();
        var genuine = Adversary.Entry(bundle);
        using var attackerLog = new TestRekorLog(RekorGeneration.V1, "rekor.provenance.test");
        var forged = attackerLog.Entry(Convert.FromBase64String(genuine["canonicalizedBody"]!.GetValue<string>()), "dsse", "0.0.1",
            long.Parse(genuine["integratedTime"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture));
        forged["logId"] = genuine["logId"]!.DeepClone();
        if (withSet)
        {
            forged["inclusionPromise"] = new JsonObject { ["signedEntryTimestamp"] = Convert.ToBase64String(attackerLog.SignedEntryTimestamp(forged)) };
        }
        else
        {
            forged.Remove("inclusionPromise");
        }

        Adversary.Material(bundle)["tlogEntries"] = new JsonArray(forged);

        Adversary.AssertRejected(await _adversary.VerifyAsync(bundle), code);
    }

    [Theory]
    [InlineData(BundleVersion.V01)]
    [InlineData(BundleVersion.V02)]
    public async Task A_chain_of_the_attackers_own_CA_is_refused(BundleVersion version)
    {
        // The attacker's CA has the trusted CA's names; its leaf has the expected identity and issuer.
        using var attackerCa = new TestFulcio("Virtual Fulcio", start: _adversary.Sigstore.LeafNotBefore.AddDays(-2));
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var leaf = attackerCa.IssueLeaf(new TestLeafOptions
        {
            SanUri = VirtualSigstore.DefaultIdentity,
            Extensions = [TestFulcio.FulcioExtension(8, VirtualSigstore.DefaultIssuer)],
            NotBefore = _adversary.Sigstore.LeafNotBefore,
            SubjectKey = key,
        });
        var bundle = _adversary.Bundle(new BundleOptions { Version = version });
        Adversary.Material(bundle)["x509CertificateChain"] = new JsonObject
        {
            ["certificates"] = new JsonArray([.. new[] { leaf, attackerCa.Intermediate, attackerCa.Root }
                .Select(c => (JsonNode)new JsonObject { ["rawBytes"] = Convert.ToBase64String(c) })]),
        };

        Adversary.AssertRejected(await _adversary.VerifyAsync(bundle), DiagnosticCode.CertificateChainUntrusted);
    }

    [Theory]
    [InlineData(BundleVersion.V01)]
    [InlineData(BundleVersion.V02)]
    public async Task A_root_certificate_appended_to_the_chain_is_refused(BundleVersion version)
    {
        var bundle = _adversary.Bundle(new BundleOptions { Version = version, Defect = Defect.BundleCarriesAttackerRoot });

        Adversary.AssertRejected(await _adversary.VerifyAsync(bundle), DiagnosticCode.CertificateChainMismatch);
    }
}
