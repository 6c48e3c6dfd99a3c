using System.Security.Cryptography;
using System.Text;
using Provenance.Cryptography;
using Provenance.Sigstore;
using Provenance.Testing;
using Provenance.Verification;

namespace Provenance.Tests.Verification;

/// <summary>
/// The whole <see cref="ProvenanceVerifier"/> over bundles minted by <see cref="VirtualSigstore"/>: every sensible
/// combination of bundle version, content and log entry type verifies, and each <see cref="Defect"/> fails with the
/// one code the Sigstore client specification's step for it calls for. Expected codes come from
/// <see cref="DiagnosticCode"/>'s documentation of each failure, not from running the verifier.
/// </summary>
public sealed class VirtualSigstoreTests : IDisposable
{
    private readonly VirtualSigstore _sigstore = new();

    public void Dispose() => _sigstore.Dispose();

    public static TheoryData<BundleVersion, BundleContent, LogEntryType, bool> ValidCombinations()
    {
        var data = new TheoryData<BundleVersion, BundleContent, LogEntryType, bool>();
        foreach (var version in Enum.GetValues<BundleVersion>())
        {
            foreach (var content in Enum.GetValues<BundleContent>())
            {
                foreach (var log in Enum.GetValues<LogEntryType>())
                {
                    // Rekor v2 gives no time of its own: without a timestamp its bundles are a defect, tested below.
                    var rekorV2 = log is LogEntryType.RekorV2HashedRekord or LogEntryType.RekorV2Dsse;
                    foreach (var timestamp in rekorV2 ? [true] : new[] { false, true })
                    {
                        if (VirtualSigstore.Unsupported(new BundleOptions { Version = version, Content = content, Log = log, Timestamp = timestamp }) is null)
                        {
                            data.Add(version, content, log, timestamp);
                        }
                    }
                }
            }
        }

        return data;
    }

    [Fact]
    public void The_matrix_holds_every_sensible_combination()
    {
        // Message: hashedrekord v1 x 3 versions x 2, hashedrekord v2 x 2 versions.
        // DSSE: dsse and intoto v1 x 3 versions x 2 each, hashedrekord and dsse v2 x 2 versions each.
        Assert.Equal(6 + 2 + 12 + 4, ValidCombinations().Count);
    }

    [Theory]
    [MemberData(nameof(ValidCombinations))]
    public async Task A_valid_bundle_verifies(BundleVersion version, BundleContent content, LogEntryType log, bool timestamp)
    {
        var options = new BundleOptions { Version = version, Content = content, Log = log, Timestamp = timestamp };

        var result = await VerifyAsync(_sigstore, options);

        Assert.True(result.Verified, string.Join("; ", result.Failures.Select(f => $"{f.Code}: {f.Message} at {f.Location}")));
        var signer = Assert.Single(Assert.Single(result.Attestations).Signers);
        Assert.Equal(VirtualSigstore.DefaultIdentity, signer.Identity);
        Assert.Equal(VirtualSigstore.DefaultIssuer, signer.Issuer);
    }

    [Fact]
    public async Task An_email_identity_verifies()
    {
        var options = new BundleOptions { Identity = "signer@example.test", IdentityIsEmail = true, Issuer = "https://accounts.example.test" };

        var result = await VerifyAsync(_sigstore, options, o => o with { Identities = [CertificateIdentity.Create("signer@example.test", null, "https://accounts.example.test", null)] });

        Assert.True(result.Verified, string.Join("; ", result.Failures.Select(f => $"{f.Code}: {f.Message}")));
    }

    public static TheoryData<Defect> Defects() => [.. Enum.GetValues<Defect>().Where(d => d != Defect.None)];

    [Theory]
    [MemberData(nameof(Defects))]
    public async Task Each_defect_fails_with_its_code(Defect defect)
    {
        var (options, code, logThreshold) = Expectation(defect);

        var result = await VerifyAsync(_sigstore, options with { Defect = defect }, o => o with { TransparencyLogThreshold = logThreshold });

        Assert.False(result.Verified);
        Assert.Equal([code], result.Failures.Select(f => f.Code));
    }

    /// <summary>The defects of what a log entry records, and a bad signature, on every content and entry type that records it.</summary>
    public static TheoryData<Defect, BundleContent, LogEntryType> BindingDefects()
    {
        var data = new TheoryData<Defect, BundleContent, LogEntryType>();
        foreach (var defect in new[] { Defect.EntryForOtherArtifact, Defect.EntryForOtherSignature, Defect.EntryForOtherCertificate, Defect.SignatureInvalid })
        {
            foreach (var content in Enum.GetValues<BundleContent>())
            {
                foreach (var log in Enum.GetValues<LogEntryType>())
                {
                    if (VirtualSigstore.Unsupported(new BundleOptions { Content = content, Log = log, Defect = defect }) is null)
                    {
                        data.Add(defect, content, log);
                    }
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(BindingDefects))]
    public async Task Binding_defects_fail_on_every_entry_type(Defect defect, BundleContent content, LogEntryType log)
    {
        var result = await VerifyAsync(_sigstore, new BundleOptions { Content = content, Log = log, Defect = defect });

        Assert.False(result.Verified);
        Assert.Equal([defect == Defect.SignatureInvalid ? DiagnosticCode.SignatureInvalid : DiagnosticCode.LogEntryBodyMismatch],
            result.Failures.Select(f => f.Code));
    }

    /// <summary>
    /// The bundle each defect is minted on (the default v0.3 DSSE bundle logged to Rekor v1 unless the defect needs
    /// another) and the code of the verification step that must catch it.
    /// </summary>
    private static (BundleOptions Options, DiagnosticCode Code, int LogThreshold) Expectation(Defect defect)
    {
        var dsse = new BundleOptions();
        var v01 = dsse with { Version = BundleVersion.V01 };
        var v02 = dsse with { Version = BundleVersion.V02 };
        var message = new BundleOptions { Content = BundleContent.MessageSignature, Log = LogEntryType.RekorV1HashedRekord };
        return defect switch
        {
            Defect.CertificateFromUnknownCa => (dsse, DiagnosticCode.CertificateChainUntrusted, 1),
            Defect.LeafExpiredAtLogTime => (dsse, DiagnosticCode.CertificateNotValidAtTime, 1),
            Defect.LeafWithoutCodeSigning => (dsse, DiagnosticCode.CertificateMissingCodeSigning, 1),
            Defect.LeafIsCa => (dsse, DiagnosticCode.CertificateIsCa, 1),
            Defect.SctMissing => (dsse, DiagnosticCode.SctMissing, 1),
            Defect.SctFromUnknownLog => (dsse, DiagnosticCode.SctInvalid, 1),
            Defect.BundleCarriesAttackerRoot => (v01, DiagnosticCode.CertificateChainMismatch, 1),
            Defect.IdentityOtherWorkflow => (dsse, DiagnosticCode.IdentityMismatch, 1),
            Defect.IdentityOtherIssuer => (dsse, DiagnosticCode.IdentityMismatch, 1),
            Defect.NoLogEntry => (dsse, DiagnosticCode.LogEntryMissing, 1),
            Defect.UnknownLogId => (dsse, DiagnosticCode.TransparencyLogUnknown, 1),
            Defect.SetInvalid => (v01, DiagnosticCode.SetInvalid, 1),
            Defect.SetOverOtherTime => (dsse, DiagnosticCode.SetInvalid, 1),
            Defect.InclusionPromiseMissingInV01 => (v01, DiagnosticCode.InclusionPromiseMissing, 1),
            Defect.InclusionProofMissingInV02 => (v02, DiagnosticCode.InclusionProofMissing, 1),
            Defect.InclusionProofTampered => (dsse, DiagnosticCode.InclusionProofInvalid, 1),
            Defect.CheckpointWrongRootHash => (dsse, DiagnosticCode.CheckpointMismatch, 1),
            Defect.CheckpointSignedByOtherKey => (dsse, DiagnosticCode.CheckpointInvalid, 1),
            Defect.CheckpointMissing => (dsse, DiagnosticCode.CheckpointInvalid, 1),
            Defect.TimeInFuture => (dsse, DiagnosticCode.TimeInFuture, 1),
            Defect.DuplicateEntrySameLog => (dsse, DiagnosticCode.LogEntryMissing, 2),
            Defect.EntryForOtherArtifact => (dsse, DiagnosticCode.LogEntryBodyMismatch, 1),
            Defect.EntryForOtherSignature => (dsse, DiagnosticCode.LogEntryBodyMismatch, 1),
            Defect.EntryForOtherCertificate => (dsse, DiagnosticCode.LogEntryBodyMismatch, 1),
            Defect.SignatureInvalid => (dsse, DiagnosticCode.SignatureInvalid, 1),
            Defect.PayloadTamperedAfterSigning => (dsse, DiagnosticCode.SignatureInvalid, 1),
            Defect.MessageDigestMismatch => (message, DiagnosticCode.MessageDigestMismatch, 1),
            Defect.TimestampUntrustedTsa => (dsse, DiagnosticCode.TimestampUntrustedAuthority, 1),
            Defect.TimestampOverOtherSignature => (dsse, DiagnosticCode.TimestampImprintMismatch, 1),
            Defect.TimestampOutsideLeafValidity => (dsse, DiagnosticCode.TimestampOutsideSignerValidity, 1),
            Defect.NoTimestampWithRekorV2 => (dsse with { Log = LogEntryType.RekorV2Dsse }, DiagnosticCode.NoVerifiedTime, 1),
            _ => throw new ArgumentOutOfRangeException(nameof(defect), defect, "every defect needs its expected code here"),
        };
    }

    private static async Task<VerificationResult> VerifyAsync(VirtualSigstore sigstore, BundleOptions options, Func<VerifierOptions, VerifierOptions>? adjust = null)
    {
        var bundle = sigstore.Bundle(options);
        Assert.True(TrustedRoot.TryParse(Encoding.UTF8.GetBytes(sigstore.TrustedRootJson), out var root, out var problem), problem?.ToString());
        var verifierOptions = new VerifierOptions
        {
            TrustedRoot = root,
            Identities = [CertificateIdentity.Create(VirtualSigstore.DefaultIdentity, null, VirtualSigstore.DefaultIssuer, null)],
        };
        var verifier = new ProvenanceVerifier(adjust?.Invoke(verifierOptions) ?? verifierOptions, sigstore.Clock);
        var artifact = ArtifactInput.FromDigest(ArtifactDigest.Parse("sha256:" + Convert.ToHexStringLower(SHA256.HashData(options.Artifact))));
        return await verifier.VerifyAsync(artifact, [AttestationInput.FromContent("virtual.sigstore.json", Encoding.UTF8.GetBytes(bundle))], TestContext.Current.CancellationToken);
    }
}
