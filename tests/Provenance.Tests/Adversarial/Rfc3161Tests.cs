using Provenance.Testing;
using Provenance.Verification;

namespace Provenance.Tests.Adversarial;

/// <summary>
/// An RFC 3161 timestamp gives a bundle its time only when a timestamp authority of the trusted root made it, with
/// its own timestamping key, over this bundle's signature: a token from another authority, a certificate injected
/// into the token, a CA's key as signer, an imprint of other data and a signer without the timestamping key usage are
/// each refused. Each case mints a Rekor v2 bundle (the timestamp is its only time) and replaces its timestamp with
/// one from <see cref="TestTimestampAuthority"/>; the trusted root lists the authority the case trusts.
/// </summary>
public sealed class Rfc3161Tests : IDisposable
{
    private readonly Adversary _adversary = new();
    private readonly TestTimestampAuthority _trusted;

    public Rfc3161Tests() => _trusted = Authority("Trusted TSA");

    public void Dispose()
    {
        _trusted.Dispose();
        _adversary.Dispose();
    }

    private TestTimestampAuthority Authority(string name, TimestampingUsage usage = TimestampingUsage.Critical, bool leafIsCa = false) =>
        TestTimestampAuthority.Create(name, _adversary.Sigstore.LeafNotBefore.AddDays(-1), _adversary.Sigstore.LeafNotBefore.AddDays(365), usage, leafIsCa);

    /// <summary>A bundle timestamped by <paramref name="stamper"/> (over its signature, or <paramref name="stamped"/>), verified trusting <paramref name="trusted"/>.</summary>
    private async Task<VerificationResult> VerifyAsync(TestTimestampAuthority stamper, TestTimestampAuthority trusted, TimestampOptions? options = null, byte[]? stamped = null)
    {
        var bundle = _adversary.Bundle(new BundleOptions { Log = LogEntryType.RekorV2Dsse });
        Adversary.Timestamps(bundle, stamper.Timestamp(stamped ?? Adversary.Signature(bundle), _adversary.Sigstore.IntegratedTime, options));
        var root = _adversary.TrustingTimestampAuthority(trusted.Trusted(_adversary.Sigstore.LeafNotBefore.AddDays(-1)));
        return await _adversary.VerifyAsync(bundle, _adversary.Options(root));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_token_of_the_trusted_authority_verifies(bool embedCertificate)
    {
        Adversary.AssertVerified(await VerifyAsync(_trusted, _trusted, new TimestampOptions { EmbedCertificate = embedCertificate }));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_token_of_an_authority_the_root_does_not_list_is_refused(bool embedCertificate)
    {
        using var stranger = Authority("Stranger TSA");

        Adversary.AssertRejected(await VerifyAsync(stranger, _trusted, new TimestampOptions { EmbedCertificate = embedCertificate }),
            DiagnosticCode.TimestampUntrustedAuthority);
    }

    [Fact]
    public async Task An_injected_look_alike_certificate_is_refused()
    {
        // The forger's authority has the trusted one's names; its token embeds and names its own certificate.
        using var forger = Authority("Trusted TSA");

        Adversary.AssertRejected(await VerifyAsync(forger, _trusted), DiagnosticCode.TimestampSigningCertificateMismatch);
    }

    [Fact]
    public async Task An_injected_certificate_naming_the_trusted_one_is_refused()
    {
        using var forger = Authority("Trusted TSA");

        Adversary.AssertRejected(await VerifyAsync(forger, _trusted, new TimestampOptions { NameInSigningCertificate = _trusted.Leaf }),
            DiagnosticCode.TimestampSignatureInvalid);
    }

    [Fact]
    public async Task A_CA_certificate_used_as_the_signer_is_refused()
    {
        using var tsa = Authority("CA TSA", leafIsCa: true);

        Adversary.AssertRejected(await VerifyAsync(tsa, tsa), DiagnosticCode.TimestampSignerIsCertificateAuthority);
    }

    [Fact]
    public async Task A_message_imprint_over_other_data_is_refused()
    {
        Adversary.AssertRejected(await VerifyAsync(_trusted, _trusted, stamped: "another signature"u8.ToArray()), DiagnosticCode.TimestampImprintMismatch);
    }

    [Theory]
    [InlineData(TimestampingUsage.Absent)]
    [InlineData(TimestampingUsage.NotCritical)]
    [InlineData(TimestampingUsage.CodeSigningOnly)]
    public async Task A_signer_without_the_timestamping_key_usage_is_refused(TimestampingUsage usage)
    {
        using var tsa = Authority("EKU TSA", usage);

        Adversary.AssertRejected(await VerifyAsync(tsa, tsa), DiagnosticCode.TimestampAuthorityMissingEku);
    }
}
