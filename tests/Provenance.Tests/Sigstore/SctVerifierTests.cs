using Provenance.Sigstore;
using Provenance.Testing;

namespace Provenance.Tests.Sigstore;

public sealed class SctVerifierTests
{
    /// <summary>The authority the leaf chains to, at a time the chain verifier accepts.</summary>
    private static CertificateAuthority AuthorityOf(FulcioCertificate leaf, TrustedRoot root, DateTimeOffset time)
    {
        Assert.Null(CertificateChainVerifier.Verify(leaf, [time], root, out var authority));
        return authority!;
    }

    [Theory]
    [InlineData("happy-path-v0.1")]
    [InlineData("happy-path-v0.2")]
    [InlineData("happy-path-v0.3")]
    [InlineData("happy-path-intoto-in-dsse-v3")]
    public void Happy_paths_carry_one_SCT_from_the_public_good_log(string name)
    {
        // Each public-good leaf embeds one SCT, from the 2022 CT log (logId 3T0wasbH..., trusted root ctlogs[1]).
        var bundle = SigstoreVectors.Case(name);
        var leaf = SigstoreVectors.Leaf(bundle);
        var root = SigstoreVectors.Root(SigstoreVectors.PublicGoodRoot);
        var authority = AuthorityOf(leaf, root, SigstoreVectors.IntegratedTime(bundle));

        Assert.Equal(1, SctVerifier.CountVerifiedLogs(leaf, authority, root));
        Assert.Null(SctVerifier.Verify(leaf, authority, root));
        Assert.Equal(DiagnosticCode.SctInvalid, SctVerifier.Verify(leaf, authority, root, threshold: 2)?.Code);
    }

    [Fact]
    public void An_SCT_with_extensions_verifies()
    {
        // bundle-with-sct-with-extensions passes in the conformance suite. Its log entry is Rekor v2 with no
        // integrated time, so the chain is taken at the leaf's notBefore; the SCT check needs no time of its own.
        var bundle = SigstoreVectors.Case("bundle-with-sct-with-extensions");
        var leaf = SigstoreVectors.Leaf(bundle);
        var root = SigstoreVectors.Root(SigstoreVectors.Case("bundle-with-sct-with-extensions", "trusted_root.json"));
        var authority = AuthorityOf(leaf, root, leaf.NotBefore);

        Assert.Null(SctVerifier.Verify(leaf, authority, root));
    }

    [Fact]
    public void A_trusted_root_with_the_wrong_CT_key_fails()
    {
        // invalid-ct-key_fail: the happy-path-v0.1 style bundle with a trusted root whose CT log key is another one.
        var bundle = SigstoreVectors.Case("invalid-ct-key_fail");
        var leaf = SigstoreVectors.Leaf(bundle);
        var root = SigstoreVectors.Root(SigstoreVectors.Case("invalid-ct-key_fail", "trusted_root.json"));
        var authority = AuthorityOf(leaf, root, SigstoreVectors.IntegratedTime(bundle));

        Assert.Equal(0, SctVerifier.CountVerifiedLogs(leaf, authority, root));
        Assert.Equal(DiagnosticCode.SctInvalid, SctVerifier.Verify(leaf, authority, root)?.Code);
    }

    [Fact]
    public void A_minted_SCT_verifies()
    {
        using var fulcio = new TestFulcio();
        var leaf = FulcioCertificate.Parse(fulcio.IssueLeaf());
        var root = SigstoreVectors.Root(fulcio.TrustedRootJson());

        Assert.Null(SctVerifier.Verify(leaf, AuthorityOf(leaf, root, leaf.NotBefore), root));
    }

    [Fact]
    public void A_leaf_without_SCTs_fails_as_missing()
    {
        using var fulcio = new TestFulcio();
        var leaf = FulcioCertificate.Parse(fulcio.IssueLeaf(new TestLeafOptions { WithSct = false }));
        var root = SigstoreVectors.Root(fulcio.TrustedRootJson());

        Assert.Equal(DiagnosticCode.SctMissing, SctVerifier.Verify(leaf, AuthorityOf(leaf, root, leaf.NotBefore), root)?.Code);
    }

    [Fact]
    public void An_SCT_from_an_untrusted_log_counts_for_nothing()
    {
        using var fulcio = new TestFulcio();
        using var other = new TestFulcio("Other");
        var leaf = FulcioCertificate.Parse(fulcio.IssueLeaf());
        var root = SigstoreVectors.Root(fulcio.TrustedRootJson(logKey: other.LogSubjectPublicKeyInfo));

        Assert.Equal(DiagnosticCode.SctInvalid, SctVerifier.Verify(leaf, AuthorityOf(leaf, root, leaf.NotBefore), root)?.Code);
    }

    [Fact]
    public void An_SCT_from_before_the_logs_validity_fails()
    {
        // The test log's validFor starts at fulcio.Start.
        using var fulcio = new TestFulcio();
        var leaf = FulcioCertificate.Parse(fulcio.IssueLeaf(new TestLeafOptions { SctTime = fulcio.Start.AddSeconds(-1) }));
        var root = SigstoreVectors.Root(fulcio.TrustedRootJson());

        Assert.Equal(DiagnosticCode.SctInvalid, SctVerifier.Verify(leaf, AuthorityOf(leaf, root, leaf.NotBefore), root)?.Code);
    }

    [Fact]
    public void An_SCT_over_another_issuer_key_fails()
    {
        // The impostor's leaf carries a correctly signed SCT, but over the impostor's key hash; verified against the
        // trusted issuer's key hash it must fail. (The chain check would refuse it first; this checks the SCT on its own.)
        using var fulcio = new TestFulcio();
        var impostorLeaf = FulcioCertificate.Parse(fulcio.IssueLeafFromImpostor());
        var root = SigstoreVectors.Root(fulcio.TrustedRootJson());

        Assert.Equal(0, SctVerifier.CountVerifiedLogs(impostorLeaf, root.CertificateAuthorities[0], root));
    }
}
