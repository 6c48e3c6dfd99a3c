using Provenance.Sigstore;
using Provenance.Testing;

namespace Provenance.Tests.Sigstore;

public sealed class CertificateChainVerifierTests
{
    /// <summary>Verifies a vector's leaf at its log entry's integrated time against the trusted root at <paramref name="rootPath"/>.</summary>
    private static Problem? VerifyAtLoggedTime(string bundle, string rootPath, out CertificateAuthority? authority) =>
        CertificateChainVerifier.Verify(SigstoreVectors.Leaf(bundle), [SigstoreVectors.IntegratedTime(bundle)], SigstoreVectors.Root(rootPath), out authority);

    // ---- sigstore-conformance vectors: the expected verdicts come from its manifest and README files ----

    [Theory]
    [InlineData("happy-path-v0.1")]
    [InlineData("happy-path-v0.2")]
    [InlineData("happy-path-v0.3")]
    [InlineData("happy-path-intoto-in-dsse-v3")]
    public void Happy_paths_chain_to_public_good(string name)
    {
        var bundle = SigstoreVectors.Case(name);
        var root = SigstoreVectors.Root(SigstoreVectors.PublicGoodRoot);

        var problem = CertificateChainVerifier.Verify(SigstoreVectors.Leaf(bundle), [SigstoreVectors.IntegratedTime(bundle)], root, out var authority);

        Assert.Null(problem);
        // The public-good root's 2022 authority (the second, with the intermediate) issues these leaves.
        Assert.Same(root.CertificateAuthorities[1], authority);
    }

    [Fact]
    public void A_custom_trusted_root_is_honoured()
    {
        // intoto-with-custom-trust-root passes in the conformance suite with its own trusted_root.json.
        var bundle = SigstoreVectors.Case("intoto-with-custom-trust-root");

        Assert.Null(VerifyAtLoggedTime(bundle, SigstoreVectors.Case("intoto-with-custom-trust-root", "trusted_root.json"), out _));
    }

    [Fact]
    public void An_RSA_authority_issues_an_otherName_leaf()
    {
        // sigstore-go verifies othername.sigstore.json with its scaffolding trusted root, whose CA is RSA with SHA-256.
        var bundle = "realworld/sigstore-go/pkg/testing/data/bundles/othername.sigstore.json";

        Assert.Null(VerifyAtLoggedTime(bundle, "realworld/sigstore-go/pkg/testing/data/trusted-roots/scaffolding.json", out _));
    }

    [Fact]
    public void A_bundle_chain_ending_in_another_root_fails()
    {
        // bundle-with-root-cert_fail: "bundle certificate chain contains a root certificate: client should reject this".
        // Its leaf is a genuine public-good leaf, but the intermediate and root it carries are named like Sigstore's
        // and hold other keys (compared with the trusted root's by hand), so the carried chain ends elsewhere.
        var path = SigstoreVectors.Case("bundle-with-root-cert_fail");
        var bundle = SigstoreVectors.Bundle(path);
        Assert.Equal(3, bundle.Certificates.Length);

        var problem = CertificateChainVerifier.Verify(FulcioCertificate.Parse(bundle.Certificates[0]), bundle.Certificates[1..],
            [SigstoreVectors.IntegratedTime(path)], SigstoreVectors.Root(SigstoreVectors.PublicGoodRoot), out var authority);

        Assert.Equal(DiagnosticCode.CertificateChainMismatch, problem?.Code);
        Assert.Null(authority);
    }

    [Fact]
    public void A_bundle_carrying_the_trusted_chain_verifies_as_without_it()
    {
        // slsa-verifier's valid.intoto.sigstore (v0.1) carries the public-good intermediate and root themselves;
        // slsa-verifier's tests expect it to verify.
        var path = "realworld/slsa-verifier/verifiers/internal/gha/testdata/bundle/valid.intoto.sigstore";
        var bundle = SigstoreVectors.Bundle(path);
        Assert.Equal(3, bundle.Certificates.Length);

        var problem = CertificateChainVerifier.Verify(FulcioCertificate.Parse(bundle.Certificates[0]), bundle.Certificates[1..],
            [SigstoreVectors.IntegratedTime(path)], SigstoreVectors.Root(SigstoreVectors.PublicGoodRoot), out var authority);

        Assert.Null(problem);
        Assert.NotNull(authority);
    }

    [Fact]
    public void A_staging_certificate_fails_against_production()
    {
        // bundle-from-wrong-instance_fail: a valid bundle from the staging instance.
        var bundle = SigstoreVectors.Case("bundle-from-wrong-instance_fail");

        var problem = VerifyAtLoggedTime(bundle, SigstoreVectors.PublicGoodRoot, out _);

        Assert.Equal(DiagnosticCode.CertificateChainUntrusted, problem?.Code);
    }

    [Fact]
    public void A_certificate_issued_outside_the_authoritys_window_fails()
    {
        // intoto-expired-certificate_fail: "Certificate was issued outside the validity window defined in trusted root".
        // Its leaf is valid from 2030-01-01T00:00Z for ten minutes, its log entry says 2023-02-01T00:00Z, and the
        // trusted CA certificate ends 2024-01-01 (read with python cryptography): the leaf is not valid at that time.
        var bundle = SigstoreVectors.Case("intoto-expired-certificate_fail");

        var problem = VerifyAtLoggedTime(bundle, SigstoreVectors.Case("intoto-expired-certificate_fail", "trusted_root.json"), out _);

        Assert.Equal(DiagnosticCode.CertificateNotValidAtTime, problem?.Code);
    }

    [Fact]
    public void A_public_good_certificate_fails_against_another_root()
    {
        var bundle = SigstoreVectors.Case("happy-path-v0.3");

        var problem = VerifyAtLoggedTime(bundle, SigstoreVectors.Case("intoto-with-custom-trust-root", "trusted_root.json"), out _);

        Assert.Equal(DiagnosticCode.CertificateChainUntrusted, problem?.Code);
    }

    [Fact]
    public void Every_verified_time_must_be_inside_the_leafs_validity()
    {
        // happy-path-v0.3's leaf is valid 2024-03-19T17:26:26Z to 17:36:26Z (its validity, read by openssl x509 -dates).
        var bundle = SigstoreVectors.Case("happy-path-v0.3");
        var leaf = SigstoreVectors.Leaf(bundle);
        var root = SigstoreVectors.Root(SigstoreVectors.PublicGoodRoot);

        Assert.Null(CertificateChainVerifier.Verify(leaf, [leaf.NotBefore, leaf.NotAfter], root, out _));
        var problem = CertificateChainVerifier.Verify(leaf, [SigstoreVectors.IntegratedTime(bundle), leaf.NotAfter.AddSeconds(1)], root, out _);
        Assert.Equal(DiagnosticCode.CertificateNotValidAtTime, problem?.Code);
    }

    [Fact]
    public void No_verified_time_is_a_programming_error()
    {
        var leaf = SigstoreVectors.Leaf(SigstoreVectors.Case("happy-path-v0.3"));

        Assert.Throws<ArgumentException>(() =>
            CertificateChainVerifier.Verify(leaf, [], SigstoreVectors.Root(SigstoreVectors.PublicGoodRoot), out _));
    }

    // ---- minted certificates: a good one, then one defect at a time ----

    private static Problem? VerifyMinted(TestFulcio fulcio, byte[] leafDer, byte[]? rootJson = null, DateTimeOffset? time = null)
    {
        var leaf = FulcioCertificate.Parse(leafDer);
        return CertificateChainVerifier.Verify(leaf, [time ?? leaf.NotBefore.AddMinutes(1)],
            SigstoreVectors.Root(rootJson ?? fulcio.TrustedRootJson()), out _);
    }

    [Fact]
    public void A_minted_leaf_verifies()
    {
        using var fulcio = new TestFulcio();

        Assert.Null(VerifyMinted(fulcio, fulcio.IssueLeaf()));
    }

    [Fact]
    public void A_leaf_from_an_attacker_CA_with_the_same_name_fails()
    {
        using var fulcio = new TestFulcio();

        Assert.Equal(DiagnosticCode.CertificateChainUntrusted, VerifyMinted(fulcio, fulcio.IssueLeafFromImpostor())?.Code);
    }

    [Fact]
    public void A_leaf_from_another_CA_fails()
    {
        using var fulcio = new TestFulcio();
        using var attacker = new TestFulcio("Attacker");

        Assert.Equal(DiagnosticCode.CertificateChainUntrusted, VerifyMinted(fulcio, attacker.IssueLeaf())?.Code);
    }

    [Fact]
    public void A_leaf_without_codeSigning_fails()
    {
        using var fulcio = new TestFulcio();

        var problem = VerifyMinted(fulcio, fulcio.IssueLeaf(new TestLeafOptions { CodeSigning = false }));

        Assert.Equal(DiagnosticCode.CertificateMissingCodeSigning, problem?.Code);
    }

    [Fact]
    public void A_leaf_without_digitalSignature_fails()
    {
        using var fulcio = new TestFulcio();

        var problem = VerifyMinted(fulcio, fulcio.IssueLeaf(new TestLeafOptions { DigitalSignature = false }));

        Assert.Equal(DiagnosticCode.CertificateMissingCodeSigning, problem?.Code);
    }

    [Fact]
    public void A_CA_flagged_leaf_fails()
    {
        using var fulcio = new TestFulcio();

        Assert.Equal(DiagnosticCode.CertificateIsCa, VerifyMinted(fulcio, fulcio.IssueLeaf(new TestLeafOptions { IsCa = true }))?.Code);
    }

    [Fact]
    public void An_unknown_critical_extension_fails()
    {
        using var fulcio = new TestFulcio();
        var poison = new System.Security.Cryptography.X509Certificates.X509Extension("1.3.6.1.4.1.11129.2.4.3", [0x05, 0x00], critical: true);

        var problem = VerifyMinted(fulcio, fulcio.IssueLeaf(new TestLeafOptions { Extensions = [poison] }));

        Assert.Equal(DiagnosticCode.CertificateUnhandledCriticalExtension, problem?.Code);
    }

    [Fact]
    public void A_tampered_signed_byte_fails()
    {
        using var fulcio = new TestFulcio();
        var der = fulcio.IssueLeaf(new TestLeafOptions { SanUri = "https://github.com/good/repo" });
        // Turn "good" into "evil" inside the TBSCertificate: the encoding stays valid, the signature no longer matches.
        var text = System.Text.Encoding.Latin1.GetString(der).Replace("good", "evil", StringComparison.Ordinal);
        var tampered = System.Text.Encoding.Latin1.GetBytes(text);
        Assert.NotEqual(der, tampered);

        Assert.Equal(DiagnosticCode.CertificateChainUntrusted, VerifyMinted(fulcio, tampered)?.Code);
    }

    [Fact]
    public void A_time_outside_the_leaf_fails()
    {
        using var fulcio = new TestFulcio();
        var der = fulcio.IssueLeaf();
        var leaf = FulcioCertificate.Parse(der);

        Assert.Equal(DiagnosticCode.CertificateNotValidAtTime, VerifyMinted(fulcio, der, time: leaf.NotBefore.AddSeconds(-1))?.Code);
        Assert.Null(VerifyMinted(fulcio, der, time: leaf.NotAfter));
    }

    [Fact]
    public void A_time_outside_the_CA_certificates_fails_even_inside_the_leaf()
    {
        // The leaf is minted to outlive its CA certificates, which end at fulcio.End.
        using var fulcio = new TestFulcio(lifetime: TimeSpan.FromDays(1));
        var der = fulcio.IssueLeaf(new TestLeafOptions { NotBefore = fulcio.End.AddMinutes(-5) });

        Assert.Equal(DiagnosticCode.CertificateNotValidAtTime, VerifyMinted(fulcio, der, time: fulcio.End.AddMinutes(1))?.Code);
    }

    [Fact]
    public void A_time_outside_the_authoritys_validFor_fails()
    {
        using var fulcio = new TestFulcio();
        var der = fulcio.IssueLeaf();
        var leaf = FulcioCertificate.Parse(der);
        var root = fulcio.TrustedRootJson(caValidTo: leaf.NotBefore);

        Assert.Equal(DiagnosticCode.CertificateAuthorityNotValidAtTime, VerifyMinted(fulcio, der, root)?.Code);
        Assert.Null(VerifyMinted(fulcio, der, root, time: leaf.NotBefore));
    }

    [Fact]
    public void An_intermediate_not_allowed_to_sign_certificates_fails()
    {
        using var fulcio = new TestFulcio(intermediateKeyCertSign: false);

        Assert.Equal(DiagnosticCode.CertificateChainUntrusted, VerifyMinted(fulcio, fulcio.IssueLeaf())?.Code);
    }

    [Fact]
    public void A_root_without_its_intermediate_does_not_issue_leaves()
    {
        // Trusting only the root: the leaf names the intermediate as issuer, which the trusted root does not hold,
        // and the bundle's own intermediates are never used.
        using var fulcio = new TestFulcio();

        Assert.Equal(DiagnosticCode.CertificateChainUntrusted,
            VerifyMinted(fulcio, fulcio.IssueLeaf(), fulcio.TrustedRootJson(includeIntermediate: false))?.Code);
    }

    [Fact]
    public void Carried_certificates_must_be_the_trusted_authoritys()
    {
        using var fulcio = new TestFulcio();
        using var attacker = new TestFulcio("Test Fulcio");
        var leaf = FulcioCertificate.Parse(fulcio.IssueLeaf());
        var root = SigstoreVectors.Root(fulcio.TrustedRootJson());
        DateTimeOffset[] times = [leaf.NotBefore];

        Assert.Null(CertificateChainVerifier.Verify(leaf, [fulcio.Intermediate, fulcio.Root], times, root, out _));
        Assert.Equal(DiagnosticCode.CertificateChainMismatch,
            CertificateChainVerifier.Verify(leaf, [fulcio.Intermediate, attacker.Root], times, root, out _)?.Code);
    }

    [Fact]
    public void A_remembered_leaf_is_still_checked_at_each_time_and_other_bytes_are_checked_afresh()
    {
        var path = SigstoreVectors.Case("happy-path-v0.3");
        var root = SigstoreVectors.Root(SigstoreVectors.PublicGoodRoot);
        var leaf = SigstoreVectors.Leaf(path);
        var time = SigstoreVectors.IntegratedTime(path);
        Assert.Null(CertificateChainVerifier.Verify(leaf, [time], root, out _));

        // Only the signature is remembered: validity at the verified time is judged again.
        Assert.Equal(DiagnosticCode.CertificateNotValidAtTime,
            CertificateChainVerifier.Verify(leaf, [time.AddDays(1)], root, out _)?.Code);
        Assert.Null(CertificateChainVerifier.Verify(leaf, [time], root, out _));

        // The same certificate with one bit of its signature flipped is other bytes, so it is verified, and fails.
        var der = leaf.Der.ToArray();
        der[^1] ^= 0x01;
        Assert.Equal(DiagnosticCode.CertificateChainUntrusted,
            CertificateChainVerifier.Verify(FulcioCertificate.Parse(der), [time], root, out _)?.Code);
    }
}
