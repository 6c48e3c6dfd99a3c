using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;
using Provenance.Sigstore;
using Provenance.Testing;

namespace Provenance.Tests.Sigstore;

public sealed class FulcioCertificateTests
{
    [Fact]
    public void Reads_every_extension_of_a_real_GitHub_Actions_certificate()
    {
        // The cli/cli vector; expected values from /work/shared/vectors/realworld/manifest.json signing.fulcio_extensions,
        // extracted there independently of this code.
        var leaf = SigstoreVectors.Leaf("realworld/cli/pkg/cmd/attestation/test/data/sigstore-js-2.1.0-bundle.json");
        var e = leaf.Extensions;

        Assert.Equal("https://token.actions.githubusercontent.com", e.IssuerV1);
        Assert.Equal("push", e.GitHubWorkflowTrigger);
        Assert.Equal("26d16513386ffaa790b1c32f927544f1322e4194", e.GitHubWorkflowSha);
        Assert.Equal("Release", e.GitHubWorkflowName);
        Assert.Equal("sigstore/sigstore-js", e.GitHubWorkflowRepository);
        Assert.Equal("refs/heads/main", e.GitHubWorkflowRef);
        Assert.Equal("https://token.actions.githubusercontent.com", e.Issuer);
        Assert.Equal("https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main", e.BuildSignerUri);
        Assert.Equal("26d16513386ffaa790b1c32f927544f1322e4194", e.BuildSignerDigest);
        Assert.Equal("github-hosted", e.RunnerEnvironment);
        Assert.Equal("https://github.com/sigstore/sigstore-js", e.SourceRepositoryUri);
        Assert.Equal("26d16513386ffaa790b1c32f927544f1322e4194", e.SourceRepositoryDigest);
        Assert.Equal("refs/heads/main", e.SourceRepositoryRef);
        Assert.Equal("495574555", e.SourceRepositoryIdentifier);
        Assert.Equal("https://github.com/sigstore", e.SourceRepositoryOwnerUri);
        Assert.Equal("71096353", e.SourceRepositoryOwnerIdentifier);
        Assert.Equal("https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main", e.BuildConfigUri);
        Assert.Equal("26d16513386ffaa790b1c32f927544f1322e4194", e.BuildConfigDigest);
        Assert.Equal("push", e.BuildTrigger);
        Assert.Equal("https://github.com/sigstore/sigstore-js/actions/runs/6014488666/attempts/1", e.RunInvocationUri);
        Assert.Equal("public", e.SourceRepositoryVisibilityAtSigning);
        Assert.Null(e.DeploymentEnvironment);

        Assert.Equal("https://token.actions.githubusercontent.com", leaf.Issuer);
        Assert.Equal([new SubjectAlternativeName(SubjectAlternativeNameKind.Uri,
            "https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main")], leaf.SubjectAlternativeNames);
    }

    [Fact]
    public void Reads_a_v0_2_bundle_certificate_from_the_SLSA_generator()
    {
        // slsa-verifier's gha_delegator vector; expected values from the realworld manifest's signing.fulcio_extensions.
        var leaf = SigstoreVectors.Leaf("realworld/slsa-verifier/cli/slsa-verifier/testdata/gha_delegator/v2.1.0/binary-linux-amd64-push-v14.build.slsa");

        Assert.Equal("https://github.com/slsa-framework/slsa-github-generator/.github/workflows/delegator_generic_slsa3.yml@refs/tags/v2.1.0",
            leaf.Extensions.BuildSignerUri);
        Assert.Equal("refs/tags/v14", leaf.Extensions.SourceRepositoryRef);
        Assert.Equal("https://github.com/slsa-framework/example-package/actions/runs/13530999509/attempts/1", leaf.Extensions.RunInvocationUri);
        Assert.Equal("486325809", leaf.Extensions.SourceRepositoryIdentifier);
    }

    [Fact]
    public void Reads_an_otherName_username_SAN()
    {
        // sigstore-go's othername vector; the manifest's signing.san is "othername:foo!oidc.local" and both issuers are http://oidc.local:8080.
        var leaf = SigstoreVectors.Leaf("realworld/sigstore-go/pkg/testing/data/bundles/othername.sigstore.json");

        Assert.Equal([new SubjectAlternativeName(SubjectAlternativeNameKind.OtherName, "foo!oidc.local")], leaf.SubjectAlternativeNames);
        Assert.Equal("http://oidc.local:8080", leaf.Issuer);
    }

    [Fact]
    public void Reads_validity_key_and_serial_as_dotnet_sees_them()
    {
        // The expected values come from .NET's own X509Certificate2 reading the same bytes.
        var der = SigstoreVectors.Bundle(SigstoreVectors.Case("happy-path-v0.3")).Certificates[0];
        using var reference = X509CertificateLoader.LoadCertificate(der.Span);

        var leaf = FulcioCertificate.Parse(der);

        Assert.Equal(new DateTimeOffset(reference.NotBefore.ToUniversalTime()), leaf.NotBefore);
        Assert.Equal(new DateTimeOffset(reference.NotAfter.ToUniversalTime()), leaf.NotAfter);
        Assert.Equal(reference.SerialNumber.TrimStart('0').ToLowerInvariant(), leaf.SerialNumber);
        Assert.Equal(reference.PublicKey.ExportSubjectPublicKeyInfo(), leaf.PublicKey.SubjectPublicKeyInfo.ToArray());
        Assert.Equal("ecdsa-p256-sha256", leaf.PublicKey.Algorithm);
        Assert.True(leaf.Der.Span.SequenceEqual(der.Span));
    }

    [Fact]
    public void Falls_back_to_the_legacy_issuer_and_reads_raw_strings()
    {
        using var fulcio = new TestFulcio();
        var der = fulcio.IssueLeaf(new TestLeafOptions
        {
            Extensions = [TestFulcio.FulcioExtension(1, "https://legacy.example", raw: true), TestFulcio.FulcioExtension(23, "production")],
        });

        var leaf = FulcioCertificate.Parse(der);

        Assert.Equal("https://legacy.example", leaf.Issuer);
        Assert.Null(leaf.Extensions.Issuer);
        Assert.Equal("production", leaf.Extensions.DeploymentEnvironment);
    }

    [Fact]
    public void Refuses_issuers_that_disagree()
    {
        using var fulcio = new TestFulcio();
        var der = fulcio.IssueLeaf(new TestLeafOptions
        {
            Extensions = [TestFulcio.FulcioExtension(1, "https://one.example", raw: true), TestFulcio.FulcioExtension(8, "https://two.example")],
        });

        Assert.False(FulcioCertificate.TryParse(der, out _, out var problem));
        Assert.Equal(DiagnosticCode.FulcioExtensionMalformed, problem.Code);
    }

    [Fact]
    public void Refuses_a_V2_extension_that_is_not_a_UTF8String()
    {
        using var fulcio = new TestFulcio();
        var writer = new AsnWriter(AsnEncodingRules.DER);
        writer.WriteCharacterString(UniversalTagNumber.IA5String, "https://issuer.example");
        var der = fulcio.IssueLeaf(new TestLeafOptions { Extensions = [new X509Extension("1.3.6.1.4.1.57264.1.8", writer.Encode(), false)] });

        Assert.False(FulcioCertificate.TryParse(der, out _, out var problem));
        Assert.Equal(DiagnosticCode.FulcioExtensionMalformed, problem.Code);
    }

    [Fact]
    public void Refuses_an_oversized_extension()
    {
        using var fulcio = new TestFulcio();
        var der = fulcio.IssueLeaf(new TestLeafOptions { Extensions = [TestFulcio.FulcioExtension(9, new string('a', Limits.MaxFulcioExtensionBytes + 1))] });

        Assert.False(FulcioCertificate.TryParse(der, out _, out var problem));
        Assert.Equal(DiagnosticCode.FulcioExtensionMalformed, problem.Code);
    }

    [Fact]
    public void Refuses_a_repeated_extension()
    {
        // RFC 5280 section 4.2: an extension appears at most once. CertificateRequest will not write a repeat, so the
        // minted certificate's last extension is copied by re-encoding; the signature no longer matters for parsing.
        using var fulcio = new TestFulcio();
        var der = fulcio.IssueLeaf(new TestLeafOptions { Extensions = [TestFulcio.FulcioExtension(12, "https://github.com/good/repo")], WithSct = false });

        Assert.False(FulcioCertificate.TryParse(RepeatLastExtension(der), out _, out var problem));
        Assert.Equal(DiagnosticCode.CertificateMalformed, problem.Code);
    }

    private static byte[] RepeatLastExtension(byte[] der)
    {
        var certificate = new AsnReader(der, AsnEncodingRules.DER).ReadSequence();
        var tbs = certificate.ReadSequence();
        var algorithm = certificate.ReadEncodedValue();
        var signature = certificate.ReadEncodedValue();
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            using (writer.PushSequence())
            {
                var extensionsTag = new Asn1Tag(TagClass.ContextSpecific, 3, isConstructed: true);
                while (!tbs.PeekTag().HasSameClassAndValue(extensionsTag))
                {
                    writer.WriteEncodedValue(tbs.ReadEncodedValue().Span);
                }

                var extensions = tbs.ReadSequence(extensionsTag).ReadSequence();
                using (writer.PushSequence(extensionsTag))
                using (writer.PushSequence())
                {
                    ReadOnlyMemory<byte> last = default;
                    while (extensions.HasData)
                    {
                        last = extensions.ReadEncodedValue();
                        writer.WriteEncodedValue(last.Span);
                    }

                    writer.WriteEncodedValue(last.Span);
                }
            }

            writer.WriteEncodedValue(algorithm.Span);
            writer.WriteEncodedValue(signature.Span);
        }

        return writer.Encode();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(100)]
    public void Refuses_truncated_or_padded_DER(int cut)
    {
        var der = SigstoreVectors.Bundle(SigstoreVectors.Case("happy-path-v0.3")).Certificates[0].ToArray();
        var broken = cut == 100 ? [.. der, 0] : der[..^(cut + 1)];

        Assert.False(FulcioCertificate.TryParse(broken, out _, out var problem));
        Assert.Equal(DiagnosticCode.CertificateMalformed, problem.Code);
    }
}
