using System.Security.Cryptography;
using Provenance.Sigstore;
using Provenance.Testing;

namespace Provenance.Tests.Sigstore;

/// <summary>
/// Timestamps minted by <see cref="TestTimestampAuthority"/>, each with one defect. Expected codes follow from
/// RFC 3161 (sections 2.3 and 2.4.2), RFC 5816 and sigstore-go's timestamp verification, as TimestampVerifier cites.
/// </summary>
public sealed class TimestampVerifierTests : IDisposable
{
    private static readonly DateTimeOffset NotBefore = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset NotAfter = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset GenTime = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly byte[] Signature = "the bundle's signature bytes"u8.ToArray();

    private readonly TestTimestampAuthority _tsa = TestTimestampAuthority.Create("Test TSA", NotBefore, NotAfter);

    public void Dispose() => _tsa.Dispose();

    private static TrustedRoot Root(params TrustedTimestampAuthority[] authorities)
    {
        Assert.True(TrustedRoot.TryParse(TestTimestampAuthority.TrustedRootJson(authorities), out var root, out var problem), problem?.ToString());
        return root!;
    }

    private TrustedRoot TrustingTsa() => Root(_tsa.Trusted(NotBefore));

    private static DiagnosticCode? Verify(byte[] token, TrustedRoot root) =>
        TimestampVerifier.Verify(token, Signature, root, out _)?.Code;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_token_from_the_trusted_authority_verifies_with_or_without_its_certificate_embedded(bool embed)
    {
        var token = _tsa.Timestamp(Signature, GenTime, new TimestampOptions { EmbedCertificate = embed });
        var root = TrustingTsa();

        Assert.Null(TimestampVerifier.Verify(token, Signature, root, out var verified));
        Assert.Equal(GenTime, verified!.Time);
        Assert.Equal(_tsa.Uri, verified.Authority.Uri);
    }

    [Theory]
    [InlineData("SHA256")]
    [InlineData("SHA384")]
    [InlineData("SHA512")]
    public void The_imprint_may_use_any_SHA2_hash_the_token_names(string hash)
    {
        var token = _tsa.Timestamp(Signature, GenTime, new TimestampOptions { Hash = new HashAlgorithmName(hash) });

        Assert.Null(Verify(token, TrustingTsa()));
    }

    [Fact]
    public void A_chain_with_an_intermediate_restricted_to_timestamping_verifies()
    {
        using var tsa = TestTimestampAuthority.Create("Chained TSA", NotBefore, NotAfter, withIntermediate: true);

        Assert.Null(Verify(tsa.Timestamp(Signature, GenTime), Root(tsa.Trusted(NotBefore))));
    }

    [Fact]
    public void A_token_over_other_data_does_not_timestamp_this_signature()
    {
        var token = _tsa.Timestamp("another signature"u8, GenTime);

        Assert.Equal(DiagnosticCode.TimestampImprintMismatch, Verify(token, TrustingTsa()));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_token_from_an_authority_the_root_does_not_list_is_untrusted(bool embed)
    {
        using var other = TestTimestampAuthority.Create("Other TSA", NotBefore, NotAfter);
        var token = other.Timestamp(Signature, GenTime, new TimestampOptions { EmbedCertificate = embed });

        Assert.Equal(DiagnosticCode.TimestampUntrustedAuthority, Verify(token, TrustingTsa()));
    }

    [Fact]
    public void An_injected_look_alike_certificate_is_not_trusted()
    {
        // Same subject, issuer name and serial number as the trusted leaf, but the attacker's key; embedded and
        // named by the ESSCertIDv2, as a forger would make it.
        using var forger = TestTimestampAuthority.Create("Test TSA", NotBefore, NotAfter);
        var token = forger.Timestamp(Signature, GenTime);

        Assert.Equal(DiagnosticCode.TimestampSigningCertificateMismatch, Verify(token, TrustingTsa()));
    }

    [Fact]
    public void An_injected_certificate_fails_the_signature_even_when_the_attribute_names_the_trusted_one()
    {
        using var forger = TestTimestampAuthority.Create("Test TSA", NotBefore, NotAfter);
        var token = forger.Timestamp(Signature, GenTime, new TimestampOptions { NameInSigningCertificate = _tsa.Leaf });

        Assert.Equal(DiagnosticCode.TimestampSignatureInvalid, Verify(token, TrustingTsa()));
    }

    [Fact]
    public void A_signing_certificate_attribute_naming_another_certificate_fails()
    {
        using var other = TestTimestampAuthority.Create("Other TSA", NotBefore, NotAfter);
        var token = _tsa.Timestamp(Signature, GenTime, new TimestampOptions { NameInSigningCertificate = other.Leaf });

        Assert.Equal(DiagnosticCode.TimestampSigningCertificateMismatch, Verify(token, TrustingTsa()));
    }

    [Fact]
    public void A_certificate_authority_may_not_sign_timestamps()
    {
        using var tsa = TestTimestampAuthority.Create("CA TSA", NotBefore, NotAfter, leafIsCertificateAuthority: true);

        Assert.Equal(DiagnosticCode.TimestampSignerIsCertificateAuthority, Verify(tsa.Timestamp(Signature, GenTime), Root(tsa.Trusted(NotBefore))));
    }

    [Theory]
    [InlineData(TimestampingUsage.Absent)]
    [InlineData(TimestampingUsage.NotCritical)]
    [InlineData(TimestampingUsage.CodeSigningOnly)]
    public void The_signing_certificate_needs_the_critical_timestamping_key_usage(TimestampingUsage usage)
    {
        using var tsa = TestTimestampAuthority.Create("EKU TSA", NotBefore, NotAfter, usage);

        Assert.Equal(DiagnosticCode.TimestampAuthorityMissingEku, Verify(tsa.Timestamp(Signature, GenTime), Root(tsa.Trusted(NotBefore))));
    }

    [Fact]
    public void A_hash_name_that_does_not_fit_the_imprint_length_is_malformed()
    {
        // A SHA-256 imprint labelled SHA-512 (2.16.840.1.101.3.4.2.3).
        var token = _tsa.Timestamp(Signature, GenTime, new TimestampOptions { HashOidOverride = "2.16.840.1.101.3.4.2.3" });

        Assert.Equal(DiagnosticCode.TimestampMalformed, Verify(token, TrustingTsa()));
    }

    [Fact]
    public void A_SHA1_imprint_is_not_accepted()
    {
        var token = _tsa.Timestamp(Signature, GenTime, new TimestampOptions { Hash = HashAlgorithmName.SHA1 });

        Assert.Equal(DiagnosticCode.TimestampMalformed, Verify(token, TrustingTsa()));
    }

    [Fact]
    public void Bytes_after_the_response_are_refused()
    {
        var token = _tsa.Timestamp(Signature, GenTime, new TimestampOptions { Trailing = [0x00] });

        Assert.Equal(DiagnosticCode.TimestampMalformed, Verify(token, TrustingTsa()));
    }

    [Fact]
    public void A_truncated_response_is_malformed()
    {
        var token = _tsa.Timestamp(Signature, GenTime);

        Assert.Equal(DiagnosticCode.TimestampMalformed, Verify(token[..^1], TrustingTsa()));
    }

    [Fact]
    public void A_rejected_request_carries_no_time()
    {
        // PKIStatus rejection (2).
        var token = _tsa.Timestamp(Signature, GenTime, new TimestampOptions { Status = 2 });

        Assert.Equal(DiagnosticCode.TimestampNotGranted, Verify(token, TrustingTsa()));
    }

    [Theory]
    [InlineData("2025-06-01T12:00:01Z", null)]
    [InlineData("2025-01-01T00:00:00Z", "2025-06-01T11:59:59Z")]
    public void The_time_must_be_within_the_window_the_trusted_root_gives_the_authority(string start, string? end)
    {
        var root = Root(_tsa.Trusted(DateTimeOffset.Parse(start, System.Globalization.CultureInfo.InvariantCulture),
            end is null ? null : DateTimeOffset.Parse(end, System.Globalization.CultureInfo.InvariantCulture)));

        Assert.Equal(DiagnosticCode.TimestampNotValidAtTime, Verify(_tsa.Timestamp(Signature, GenTime), root));
    }

    [Fact]
    public void The_authoritys_window_includes_its_end()
    {
        Assert.Null(Verify(_tsa.Timestamp(Signature, GenTime), Root(_tsa.Trusted(NotBefore, GenTime))));
    }

    [Fact]
    public void The_time_must_be_within_the_signing_certificates_validity()
    {
        using var expired = TestTimestampAuthority.Create("Expired TSA", NotBefore, GenTime.AddSeconds(-1));

        Assert.Equal(DiagnosticCode.TimestampNotValidAtTime,
            Verify(expired.Timestamp(Signature, GenTime), Root(expired.Trusted(NotBefore))));
    }

    [Fact]
    public void A_chain_is_judged_at_the_timestamps_time_not_now()
    {
        // Valid for ten minutes around genTime only: long expired by any clock, but valid when it signed.
        using var brief = TestTimestampAuthority.Create("Brief TSA", GenTime.AddMinutes(-5), GenTime.AddMinutes(5), withIntermediate: true);

        Assert.Null(Verify(brief.Timestamp(Signature, GenTime), Root(brief.Trusted(NotBefore))));
    }

    [Fact]
    public void The_time_must_be_within_the_validity_of_the_certificate_that_made_the_signature()
    {
        var token = _tsa.Timestamp(Signature, GenTime);
        var signingCertificate = new ValidityPeriod(GenTime.AddMinutes(-20), GenTime.AddMinutes(-10));

        var problem = TimestampVerifier.Verify(token, Signature, TrustingTsa(), signingCertificate, out var verified);

        Assert.Equal(DiagnosticCode.TimestampOutsideSignerValidity, problem?.Code);
        Assert.Null(verified);
    }

    [Fact]
    public void A_chain_the_trusted_root_lists_must_itself_verify()
    {
        using var other = TestTimestampAuthority.Create("Other TSA", NotBefore, NotAfter);
        var root = Root(new TrustedTimestampAuthority(_tsa.Uri, [_tsa.Leaf, other.Chain[^1]], NotBefore, null));

        Assert.Equal(DiagnosticCode.TimestampUntrustedAuthority, Verify(_tsa.Timestamp(Signature, GenTime), root));
    }

    [Fact]
    public void Every_authority_is_tried()
    {
        using var other = TestTimestampAuthority.Create("Other TSA", NotBefore, NotAfter);
        var root = Root(other.Trusted(NotBefore), _tsa.Trusted(NotBefore));

        Assert.Null(TimestampVerifier.Verify(_tsa.Timestamp(Signature, GenTime), Signature, root, out var verified));
        Assert.Equal(_tsa.Uri, verified!.Authority.Uri);
    }

    [Fact]
    public void An_authority_listed_by_its_root_alone_accepts_an_embedded_leaf_it_issued()
    {
        var root = Root(new TrustedTimestampAuthority(_tsa.Uri, [_tsa.Chain[^1]], NotBefore, null));

        Assert.Null(Verify(_tsa.Timestamp(Signature, GenTime), root));
        Assert.Equal(DiagnosticCode.TimestampUntrustedAuthority,
            Verify(_tsa.Timestamp(Signature, GenTime, new TimestampOptions { EmbedCertificate = false }), root));
    }

    [Fact]
    public void An_authority_listed_by_its_root_alone_rejects_an_embedded_leaf_from_elsewhere()
    {
        using var forger = TestTimestampAuthority.Create("Test TSA", NotBefore, NotAfter);
        var root = Root(new TrustedTimestampAuthority(_tsa.Uri, [_tsa.Chain[^1]], NotBefore, null));

        Assert.Equal(DiagnosticCode.TimestampUntrustedAuthority, Verify(forger.Timestamp(Signature, GenTime), root));
    }
}
