using System.Collections.Immutable;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Provenance.Json;
using Provenance.Sigstore;
using Provenance.Testing;

namespace Provenance.Tests.Sigstore;

/// <summary>
/// RFC 3161 timestamps of the sigstore-conformance bundles (testdata/sigstore-conformance, see testdata/NOTICE).
/// Verdicts come from the suite's manifest.json; the diagnostic code of each failing case is the defect its README
/// describes.
/// </summary>
public sealed class TimestampConformanceTests
{
    private const string Folder = "sigstore-conformance";
    private const string TimestampDataPath = "$.verificationMaterial.timestampVerificationData";

    private static readonly Lazy<ImmutableDictionary<string, JsonElement>> Cases = new(LoadCases);

    public static TheoryData<string> PassingCasesWithTimestamps()
    {
        var data = new TheoryData<string>();
        foreach (var (dir, entry) in Cases.Value.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            if (entry.GetProperty("expected").GetString() == "pass" && Vector.Load(dir).Tokens.Length > 0)
            {
                data.Add(dir);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(PassingCasesWithTimestamps))]
    public void Every_timestamp_of_a_passing_case_verifies(string dir)
    {
        var vector = Vector.Load(dir);

        foreach (var token in vector.Tokens)
        {
            var problem = TimestampVerifier.Verify(token, vector.Signature, vector.Root, vector.SignerValidity, out var verified);

            Assert.Null(problem);
            Assert.NotNull(verified);
            Assert.Contains(verified.Authority, vector.Root.TimestampAuthorities);
        }
    }

    [Theory]
    // README: "the timestamp payload does **not** match the bundle signature".
    [InlineData("rekor2-timestamp-payload-mismatch_fail", DiagnosticCode.TimestampImprintMismatch)]
    // README: "FreeTSA, is not in the trusted root" (with and without its certificates embedded).
    [InlineData("rekor2-timestamp-untrusted-tsa-with-embedded-cert_fail", DiagnosticCode.TimestampUntrustedAuthority)]
    [InlineData("rekor2-timestamp-untrusted-tsa-without-embedded-cert_fail", DiagnosticCode.TimestampUntrustedAuthority)]
    // README: "The timestamp was requested after expiry" of the TSA's certificate chain.
    [InlineData("rekor2-timestamp-outside-tsa-cert-validity_fail", DiagnosticCode.TimestampNotValidAtTime)]
    // README: the trusted root gives the TSA "an expiry date that precedes the time at which the timestamp was generated".
    [InlineData("rekor2-timestamp-outside-trust-root-tsa-validity_fail", DiagnosticCode.TimestampNotValidAtTime)]
    // README: "the timestamp time is outside the signing certificate lifetime".
    [InlineData("rekor2-timestamp-with-incorrect-time_fail", DiagnosticCode.TimestampOutsideSignerValidity)]
    // README: "TSA timestamp is outside of the validity window of the signing certificate".
    [InlineData("intoto-tsa-timestamp-outside-cert-validity_fail", DiagnosticCode.TimestampOutsideSignerValidity)]
    public void Failing_case_fails_in_the_timestamp_step_for_the_defect_its_README_names(string dir, DiagnosticCode expected)
    {
        Assert.Equal("fail", Verdict(dir));
        var vector = Vector.Load(dir);
        var token = Assert.Single(vector.Tokens);

        var problem = TimestampVerifier.Verify(token, vector.Signature, vector.Root, vector.SignerValidity, out var verified);

        Assert.Equal(expected, problem?.Code);
        Assert.Null(verified);
    }

    [Theory]
    [InlineData("rekor2-timestamp-with-incorrect-time_fail")]
    [InlineData("intoto-tsa-timestamp-outside-cert-validity_fail")]
    public void The_timestamp_itself_is_sound_when_only_the_signing_certificate_was_not_valid_at_its_time(string dir)
    {
        // The READMEs say the token was freshly and properly requested; only the Fulcio certificate had expired.
        var vector = Vector.Load(dir);

        Assert.Null(TimestampVerifier.Verify(vector.Tokens[0], vector.Signature, vector.Root, out var verified));
        Assert.False(vector.SignerValidity!.Contains(verified!.Time));
    }

    [Fact]
    public void A_line_wrapped_signed_timestamp_is_refused_before_the_timestamp_step()
    {
        // The README made this token with `base64 response.tsr`, which wraps lines: the JSON string holds line
        // breaks. Go's decoder (sigstore-go) skips them; strict base64 (RFC 4648 section 3.3) refuses the bundle
        // earlier and for that reason. The test above unwraps the token to show the timestamp step fails it too.
        using var document = JsonDocument.Parse(TestData.ReadAllBytes(Folder, "bundle-verify/rekor2-timestamp-with-incorrect-time_fail/bundle.sigstore.json"));
        var data = document.RootElement.GetProperty("verificationMaterial").GetProperty("timestampVerificationData");

        var problem = Assert.Throws<InvalidInputException>(() => TimestampVerificationData.ReadTokens(data, TimestampDataPath)).Problem;

        Assert.Equal(DiagnosticCode.InvalidBase64, problem.Code);
    }

    [Fact]
    public void Every_rekor2_timestamp_case_of_the_suite_is_covered()
    {
        var covered = PassingCasesWithTimestamps().Select(row => row.Data)
            .Concat(typeof(TimestampConformanceTests).GetMethod(nameof(Failing_case_fails_in_the_timestamp_step_for_the_defect_its_README_names))!
                .GetCustomAttributes(typeof(InlineDataAttribute), false).Cast<InlineDataAttribute>().Select(a => (string)a.Data[0]!))
            .ToHashSet(StringComparer.Ordinal);

        var manifestCases = JsonDocument.Parse(TestData.ReadAllBytes(Folder, "manifest.json")).RootElement.GetProperty("cases")
            .EnumerateArray().Select(c => c.GetProperty("dir").GetString()!).Where(d => d.StartsWith("rekor2-timestamp-", StringComparison.Ordinal));

        Assert.All(manifestCases, dir => Assert.Contains(dir, covered));
    }

    [Fact]
    public void A_bundle_without_timestamps_yields_no_tokens_so_the_verifier_has_no_time_from_them()
    {
        // README: "there is _no_ TSA timestamp in the bundle"; the manifest's verdict is fail.
        Assert.Equal("fail", Verdict("rekor2-no-timestamp_fail"));

        Assert.Empty(Vector.Load("rekor2-no-timestamp_fail").Tokens);
    }

    [Fact]
    public void The_end_of_a_timestamp_authoritys_validity_is_included()
    {
        // The case's trusted root ends the authority's validFor exactly at the token's genTime; the manifest says pass.
        Assert.Equal("pass", Verdict("trust-root-tsa-validity-end-inclusive"));
        var vector = Vector.Load("trust-root-tsa-validity-end-inclusive");

        Assert.Null(TimestampVerifier.Verify(vector.Tokens[0], vector.Signature, vector.Root, out var verified));
        Assert.Equal(verified!.Authority.ValidFor.End, verified.Time);
    }

    [Fact]
    public void An_expired_chain_vouches_for_timestamps_made_while_it_was_valid()
    {
        // README: the chain expired five minutes after the TSA started; the timestamp was requested within them.
        var vector = Vector.Load("rekor2-timestamp-with-expired-cert-chain");

        Assert.Null(TimestampVerifier.Verify(vector.Tokens[0], vector.Signature, vector.Root, out var verified));
        var chain = verified!.Authority.Certificates.Select(c => X509CertificateLoader.LoadCertificate(c.Span)).ToList();
        Assert.All(chain, c => Assert.True(new DateTimeOffset(c.NotAfter) < verified.Time.AddMinutes(10)));
    }

    private static string Verdict(string dir) => Cases.Value[dir].GetProperty("expected").GetString()!;

    /// <summary>The manifest's cases whose folders were copied into testdata, by folder (PATH and DIGEST runs share one).</summary>
    private static ImmutableDictionary<string, JsonElement> LoadCases()
    {
        using var manifest = JsonDocument.Parse(TestData.ReadAllBytes(Folder, "manifest.json"));
        var cases = ImmutableDictionary.CreateBuilder<string, JsonElement>(StringComparer.Ordinal);
        foreach (var entry in manifest.RootElement.GetProperty("cases").EnumerateArray())
        {
            var dir = entry.GetProperty("dir").GetString()!;
            if (Directory.Exists(TestData.Path(Folder, "bundle-verify", dir)))
            {
                cases[dir] = entry.Clone();
            }
        }

        return cases.ToImmutable();
    }

    /// <summary>Cases whose signed timestamps are base64 broken into lines (see their READMEs).</summary>
    private static readonly HashSet<string> LineWrapped = new(StringComparer.Ordinal) { "rekor2-timestamp-with-incorrect-time_fail" };

    /// <summary>The bundle with its signed timestamps unwrapped: the bundle reader refuses wrapped base64 (see above).</summary>
    private static byte[] Unwrapped(byte[] bundle)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(bundle)!;
        foreach (var timestamp in node["verificationMaterial"]!["timestampVerificationData"]!["rfc3161Timestamps"]!.AsArray())
        {
            timestamp!["signedTimestamp"] = timestamp["signedTimestamp"]!.GetValue<string>().Replace("\n", "", StringComparison.Ordinal);
        }

        return System.Text.Encoding.UTF8.GetBytes(node.ToJsonString());
    }

    private sealed record Vector(ImmutableArray<ReadOnlyMemory<byte>> Tokens, byte[] Signature, TrustedRoot Root, ValidityPeriod? SignerValidity)
    {
        public static Vector Load(string dir)
        {
            var entry = Cases.Value[dir];
            var bytes = TestData.ReadAllBytes(Folder, entry.GetProperty("bundle").GetString()!);
            using var document = StrictJson.Parse(LineWrapped.Contains(dir) ? Unwrapped(bytes) : bytes);
            var bundle = SigstoreBundle.Parse(document.RootElement, "$");

            // The manifest names each case's trusted root; none means the pinned public-good production root.
            var rootFile = entry.GetProperty("trustedRoot").GetString() ?? "trusted-roots/public-good-production.json";
            Assert.True(TrustedRoot.TryParse(TestData.ReadAllBytes(Folder, rootFile), out var root, out var problem), problem?.ToString());

            var signature = bundle.MessageSignature?.Signature ?? bundle.Envelope!.Signatures[0].Signature;
            ValidityPeriod? signerValidity = null;
            if (!bundle.Certificates.IsEmpty)
            {
                using var certificate = X509CertificateLoader.LoadCertificate(bundle.Certificates[0].Span);
                signerValidity = new ValidityPeriod(new DateTimeOffset(certificate.NotBefore), new DateTimeOffset(certificate.NotAfter));
            }

            return new Vector(
                TimestampVerificationData.ReadTokens(bundle.TimestampVerificationData, TimestampDataPath),
                signature.ToArray(),
                root!,
                signerValidity);
        }
    }
}
