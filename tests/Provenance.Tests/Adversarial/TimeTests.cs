using Provenance.Testing;

namespace Provenance.Tests.Adversarial;

/// <summary>
/// Certificates and keys are judged at times that evidence proved, never at a time a bundle merely states, and
/// never at "now": an integrated time without its signed entry timestamp proves nothing; the leaf, the CA's
/// certificates and the TSA's must each be valid at the verified time, as must every trusted-root entry's window;
/// and a time after the verifier's clock is refused.
/// </summary>
public sealed class TimeTests : IDisposable
{
    private readonly Adversary _adversary = new();

    public void Dispose() => _adversary.Dispose();

    private DateTimeOffset LeafNotBefore(int minutes) => _adversary.Sigstore.LeafNotBefore.AddMinutes(minutes);

    [Fact]
    public async Task An_integrated_time_without_its_signed_entry_timestamp_is_no_verified_time()
    {
        // Version 0.3 asks for the inclusion proof, not the SET: the entry still verifies, but proves no time.
        var bundle = _adversary.Bundle();
        Adversary.Entry(bundle).Remove("inclusionPromise");

        Adversary.AssertRejected(await _adversary.VerifyAsync(bundle), DiagnosticCode.NoVerifiedTime);
    }

    [Theory]
    [InlineData(Defect.LeafExpiredAtLogTime, DiagnosticCode.CertificateNotValidAtTime)]
    [InlineData(Defect.TimestampOutsideLeafValidity, DiagnosticCode.TimestampOutsideSignerValidity)]
    [InlineData(Defect.TimeInFuture, DiagnosticCode.TimeInFuture)]
    public async Task A_leaf_not_valid_at_a_verified_time_or_a_time_in_the_future_is_refused(Defect defect, DiagnosticCode code)
    {
        Adversary.AssertRejected(await _adversary.VerifyAsync(_adversary.Bundle(new BundleOptions { Defect = defect })), code);
    }

    [Fact]
    public async Task A_CA_certificate_not_valid_at_the_integrated_time_is_refused()
    {
        // The CA's root and intermediate expire a minute after the leaf starts; the entry is integrated a minute later,
        // inside the leaf's ten minutes.
        using var sigstore = new VirtualSigstore(certificateAuthorityLifetime: TimeSpan.FromDays(2) + TimeSpan.FromMinutes(1));
        using var adversary = new Adversary(sigstore);

        Adversary.AssertRejected(await adversary.VerifyAsync(adversary.Bundle()), DiagnosticCode.CertificateNotValidAtTime);
    }

    [Fact]
    public async Task A_TSA_certificate_not_valid_at_the_timestamp_time_is_refused()
    {
        // The TSA's certificates end a minute before it stamps; the trusted root's window for it is open.
        using var tsa = TestTimestampAuthority.Create("Expired TSA", LeafNotBefore(-60 * 24), LeafNotBefore(1));
        var bundle = _adversary.Bundle(new BundleOptions { Log = LogEntryType.RekorV2Dsse });
        Adversary.Timestamps(bundle, tsa.Timestamp(Adversary.Signature(bundle), _adversary.Sigstore.IntegratedTime));

        var result = await _adversary.VerifyAsync(bundle, _adversary.Options(_adversary.TrustingTimestampAuthority(tsa.Trusted(LeafNotBefore(-60 * 24)))));

        Adversary.AssertRejected(result, DiagnosticCode.TimestampNotValidAtTime);
    }

    public static TheoryData<string, LogEntryType, DiagnosticCode> Windows() => new()
    {
        { "the CA's window ends before the signing time", LogEntryType.RekorV1Dsse, DiagnosticCode.CertificateAuthorityNotValidAtTime },
        { "the Rekor v1 key's window starts after the integrated time", LogEntryType.RekorV1Dsse, DiagnosticCode.LogKeyNotValidAtTime },
        { "the TSA's window ends before the timestamp", LogEntryType.RekorV2Dsse, DiagnosticCode.TimestampNotValidAtTime },
        // Rekor v2 entries carry no integrated time: the log's key must be valid at the time the TSA gave instead.
        { "the Rekor v2 key's window starts after the timestamp", LogEntryType.RekorV2Dsse, DiagnosticCode.LogKeyNotValidAtTime },
        { "the CT log's window starts after the SCT", LogEntryType.RekorV1Dsse, DiagnosticCode.SctInvalid },
    };

    [Theory]
    [MemberData(nameof(Windows))]
    public async Task A_trusted_root_entry_outside_its_window_at_the_verified_time_fails(string window, LogEntryType log, DiagnosticCode code)
    {
        TrustWindow Ended() => new(LeafNotBefore(-60 * 24), LeafNotBefore(-1));
        TrustWindow Later() => new(LeafNotBefore(60));
        var windows = window switch
        {
            "the CA's window ends before the signing time" => new VirtualSigstoreWindows { CertificateAuthority = Ended() },
            "the Rekor v1 key's window starts after the integrated time" => new VirtualSigstoreWindows { RekorV1 = Later() },
            "the TSA's window ends before the timestamp" => new VirtualSigstoreWindows { TimestampAuthority = Ended() },
            "the Rekor v2 key's window starts after the timestamp" => new VirtualSigstoreWindows { RekorV2 = Later() },
            _ => new VirtualSigstoreWindows { CtLog = Later() },
        };
        using var adversary = new Adversary(new VirtualSigstore(windows));

        Adversary.AssertRejected(await adversary.VerifyAsync(adversary.Bundle(new BundleOptions { Log = log })), code);
    }

    [Theory]
    [InlineData(LogEntryType.RekorV1Dsse)]
    [InlineData(LogEntryType.RekorV2Dsse)]
    public async Task A_verified_time_after_the_verifiers_clock_is_refused(LogEntryType log)
    {
        // Signed entry timestamp (Rekor v1) or RFC 3161 timestamp (Rekor v2), both an hour ahead of this clock.
        var clock = new FixedTimeProvider(_adversary.Sigstore.IntegratedTime.AddHours(-1));

        var result = await _adversary.VerifyAsync(_adversary.Bundle(new BundleOptions { Log = log }), clock: clock);

        Adversary.AssertRejected(result, DiagnosticCode.TimeInFuture);
    }
}
