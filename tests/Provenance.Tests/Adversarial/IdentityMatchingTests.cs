using Provenance.Testing;
using Provenance.Verification;

namespace Provenance.Tests.Adversarial;

/// <summary>
/// A certificate's identity matches only as a whole value: another ref of the right workflow, a look-alike
/// workflow file, a prefix, suffix or embedded match of a pattern, an email SAN where a URI was expected (and the
/// reverse), and case variants are each another signer. The certificates are minted by <see cref="VirtualSigstore"/>
/// with the SAN and issuer of each case; everything else about the bundle is valid.
/// </summary>
public sealed class IdentityMatchingTests : IDisposable
{
    private const string Workflow = "https://github.com/example/repo/.github/workflows/release.yml";
    private const string Issuer = VirtualSigstore.DefaultIssuer;

    private readonly Adversary _adversary = new();

    public void Dispose() => _adversary.Dispose();

    private async Task<VerificationResult> VerifyAsync(string san, CertificateIdentity accepted, bool email = false, string issuer = Issuer)
    {
        var bundle = _adversary.Bundle(new BundleOptions { Identity = san, IdentityIsEmail = email, Issuer = issuer });
        return await _adversary.VerifyAsync(bundle, _adversary.Options() with { Identities = [accepted] });
    }

    [Fact]
    public async Task The_exact_identity_verifies()
    {
        Adversary.AssertVerified(await VerifyAsync(Workflow + "@refs/tags/v1", CertificateIdentity.Create(Workflow + "@refs/tags/v1", null, Issuer, null)));
    }

    public static TheoryData<string, string> ExactMismatches() => new()
    {
        // Another ref of the right workflow: a branch anyone with push access can create.
        { Workflow + "@refs/heads/evil", Workflow + "@refs/tags/v1" },
        // A workflow file whose name starts with the expected one.
        { Workflow + ".evil.yml@refs/tags/v1", Workflow + "@refs/tags/v1" },
        // The expected value is a prefix, a suffix, or inside the certificate's.
        { Workflow + "@refs/tags/v1.evil", Workflow + "@refs/tags/v1" },
        { "https://evil.example/" + Workflow + "@refs/tags/v1", Workflow + "@refs/tags/v1" },
        { "https://github.com/example/repo.evil/.github/workflows/release.yml@refs/tags/v1", "https://github.com/example/repo" },
        // Case variants: URIs and refs are compared exactly.
        { "https://github.com/Example/Repo/.github/workflows/release.yml@refs/tags/v1", Workflow + "@refs/tags/v1" },
        { Workflow + "@refs/tags/V1", Workflow + "@refs/tags/v1" },
    };

    [Theory]
    [MemberData(nameof(ExactMismatches))]
    public async Task Another_identity_does_not_match_an_exact_one(string san, string accepted)
    {
        var result = await VerifyAsync(san, CertificateIdentity.Create(accepted, null, Issuer, null));

        Adversary.AssertRejected(result, DiagnosticCode.IdentityMismatch);
    }

    public static TheoryData<string, string> PatternMismatches() => new()
    {
        // A pattern matches the whole value: not as a prefix, a suffix or anywhere inside.
        { Workflow + "@refs/heads/evil", @"https://github\.com/example/repo/\.github/workflows/release\.yml@refs/tags/v.*" },
        { Workflow + "@refs/tags/v1", @"https://github\.com/example/repo/" },
        { Workflow + "@refs/tags/v1", @"release\.yml@refs/tags/v1" },
        { Workflow + "@refs/tags/v1", @"example/repo" },
        { Workflow + ".evil.yml@refs/tags/v1", @"https://github\.com/example/repo/\.github/workflows/release\.yml@.*" },
        // An alternation is anchored as a whole, not only its first branch.
        { "https://evil.example/x", @"https://github\.com/example/.*|https://gitlab\.com/example/.*" },
        { "https://evil.example/https://gitlab.com/example/x", @"https://github\.com/example/.*|https://gitlab\.com/example/.*" },
        // Case: a pattern is case-sensitive unless it says otherwise.
        { "https://github.com/EXAMPLE/repo/.github/workflows/release.yml@refs/tags/v1", @"https://github\.com/example/.*" },
    };

    [Theory]
    [MemberData(nameof(PatternMismatches))]
    public async Task Another_identity_does_not_match_a_pattern(string san, string pattern)
    {
        var result = await VerifyAsync(san, CertificateIdentity.Create(null, pattern, Issuer, null));

        Adversary.AssertRejected(result, DiagnosticCode.IdentityMismatch);
    }

    [Theory]
    [InlineData("https://TOKEN.actions.githubusercontent.com")]
    [InlineData("https://token.actions.githubusercontent.com/")]
    [InlineData("https://token.actions.githubusercontent.com.evil.example")]
    public async Task Another_issuer_does_not_match(string issuer)
    {
        var result = await VerifyAsync(Workflow + "@refs/tags/v1", CertificateIdentity.Create(Workflow + "@refs/tags/v1", null, Issuer, null), issuer: issuer);

        Adversary.AssertRejected(result, DiagnosticCode.IdentityMismatch);
    }

    [Fact]
    public async Task An_email_SAN_is_not_a_URI_identity()
    {
        // The certificate's email address has the text of the expected URI: another kind of name, vouched for by an
        // email provider, not by the CI system that issues workflow identities.
        var result = await VerifyAsync(Workflow + "@refs/tags/v1", CertificateIdentity.Create(Workflow + "@refs/tags/v1", null, Issuer, null), email: true);

        Adversary.AssertRejected(result, DiagnosticCode.IdentityMismatch);
    }

    [Fact]
    public async Task A_URI_SAN_is_not_an_email_identity()
    {
        // A URI SAN must have a scheme, so the closest a URI gets to the address is the mailto: URI of it.
        var result = await VerifyAsync("mailto:signer@example.test", CertificateIdentity.Create("signer@example.test", null, Issuer, null));

        Adversary.AssertRejected(result, DiagnosticCode.IdentityMismatch);
    }

    [Fact]
    public async Task An_email_identity_matches_its_email_SAN()
    {
        Adversary.AssertVerified(await VerifyAsync("signer@example.test", CertificateIdentity.Create("signer@example.test", null, Issuer, null), email: true));
    }
}
