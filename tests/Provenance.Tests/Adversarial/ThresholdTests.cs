using System.Text;
using System.Text.Json.Nodes;
using Provenance.Cryptography;
using Provenance.Testing;
using Provenance.Verification;

namespace Provenance.Tests.Adversarial;

/// <summary>
/// A threshold counts independent evidence: one log entry given twice, two entries of one log, one timestamp given
/// twice and one key that signed twice are each one witness; and a threshold of zero, which would accept no
/// evidence at all, is refused when the verifier is built.
/// </summary>
public sealed class ThresholdTests : IDisposable
{
    private readonly Adversary _adversary = new();

    public void Dispose() => _adversary.Dispose();

    /// <summary>A bundle whose first log entry is given twice.</summary>
    private JsonObject SameEntryTwice(BundleOptions? options = null)
    {
        var bundle = _adversary.Bundle(options);
        Adversary.Material(bundle)["tlogEntries"]!.AsArray().Add(Adversary.Entry(bundle).DeepClone());
        return bundle;
    }

    [Fact]
    public async Task The_same_entry_twice_verifies_once_and_counts_once()
    {
        Adversary.AssertVerified(await _adversary.VerifyAsync(SameEntryTwice()));
        Adversary.AssertRejected(await _adversary.VerifyAsync(SameEntryTwice(), _adversary.Options() with { TransparencyLogThreshold = 2 }),
            DiagnosticCode.LogEntryMissing);
    }

    [Fact]
    public async Task Two_entries_of_one_log_count_as_one_log()
    {
        var bundle = _adversary.Bundle(new BundleOptions { Defect = Defect.DuplicateEntrySameLog });

        Adversary.AssertRejected(await _adversary.VerifyAsync(bundle, _adversary.Options() with { TransparencyLogThreshold = 2 }), DiagnosticCode.LogEntryMissing);
    }

    [Fact]
    public async Task Times_of_one_log_count_as_one_verified_time()
    {
        // The same entry twice, and two entries of one log: each gives one log's word for the time, twice.
        var options = _adversary.Options() with { TimestampThreshold = 2 };

        Adversary.AssertRejected(await _adversary.VerifyAsync(SameEntryTwice(), options), DiagnosticCode.NoVerifiedTime);
        Adversary.AssertRejected(await _adversary.VerifyAsync(_adversary.Bundle(new BundleOptions { Defect = Defect.DuplicateEntrySameLog }), options),
            DiagnosticCode.NoVerifiedTime);
    }

    [Fact]
    public async Task A_log_and_a_timestamp_authority_are_two_verified_times()
    {
        var bundle = _adversary.Bundle(new BundleOptions { Timestamp = true });

        Adversary.AssertVerified(await _adversary.VerifyAsync(bundle, _adversary.Options() with { TimestampThreshold = 2 }));
    }

    [Fact]
    public async Task The_same_timestamp_twice_is_refused()
    {
        var bundle = _adversary.Bundle(new BundleOptions { Timestamp = true });
        var timestamps = Adversary.Material(bundle)["timestampVerificationData"]!["rfc3161Timestamps"]!.AsArray();
        timestamps.Add(timestamps[0]!.DeepClone());

        Adversary.AssertRejected(await _adversary.VerifyAsync(bundle, _adversary.Options() with { TimestampThreshold = 3 }), DiagnosticCode.DuplicateTimestamp);
    }

    [Fact]
    public async Task One_key_signing_twice_is_one_signer()
    {
        using var signer = TestSigner.Create("ecdsa-p256-sha256");
        using var other = TestSigner.Create("ecdsa-p256-sha256");
        var envelope = AttestationFactory.Envelope(AttestationFactory.StatementFor(VirtualSigstore.DefaultArtifact), [signer.Sign, signer.Sign]);
        var verifier = new ProvenanceVerifier(new VerifierOptions
        {
            Keys = [.. new[] { signer, other }.Select(s => VerificationKey.Parse(Encoding.ASCII.GetBytes(s.PublicKeyPem)))],
            SignatureThreshold = 2,
        });

        Adversary.AssertRejected(await Adversary.VerifyAsync(verifier, envelope), DiagnosticCode.SignatureThresholdNotMet);
    }

    public static TheoryData<string> Thresholds() =>
        [nameof(VerifierOptions.SignatureThreshold), nameof(VerifierOptions.TransparencyLogThreshold), nameof(VerifierOptions.TimestampThreshold),
         nameof(VerifierOptions.CertificateTransparencyThreshold)];

    [Theory]
    [MemberData(nameof(Thresholds))]
    public void A_threshold_of_zero_is_refused_when_the_verifier_is_built(string threshold)
    {
        // Keys and keyless trust both, so that each threshold applies.
        var options = _adversary.Options() with { Keys = [VerificationKey.Parse(RandomKey())] };
        options = threshold switch
        {
            nameof(VerifierOptions.SignatureThreshold) => options with { SignatureThreshold = 0 },
            nameof(VerifierOptions.TransparencyLogThreshold) => options with { TransparencyLogThreshold = 0 },
            nameof(VerifierOptions.TimestampThreshold) => options with { TimestampThreshold = 0 },
            _ => options with { CertificateTransparencyThreshold = 0 },
        };

        var refused = Assert.Throws<ArgumentOutOfRangeException>(() => new ProvenanceVerifier(options));
        Assert.Equal(threshold, refused.ParamName);
    }

    private static byte[] RandomKey()
    {
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        return key.ExportSubjectPublicKeyInfo();
    }
}
