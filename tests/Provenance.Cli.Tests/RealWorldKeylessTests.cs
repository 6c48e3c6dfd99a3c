using System.Text.Json;
using System.Text.RegularExpressions;
using Provenance.Testing;

namespace Provenance.Cli.Tests;

/// <summary>
/// Keyless attestations other projects produced that carry their own log proof (testdata/realworld, see NOTICE),
/// verified offline through the command line with the identity and trusted root the vector manifest records.
/// The expected verdict is the manifest's independent re-check: "all checks passed", or the step that fails.
/// </summary>
public sealed partial class RealWorldKeylessTests
{
    private static readonly Lazy<Dictionary<string, JsonElement>> Records = new(() =>
    {
        using var manifest = JsonDocument.Parse(File.ReadAllBytes(TestData.RealWorld("manifest.json")));
        return manifest.RootElement.GetProperty("provenance").EnumerateArray()
            .Where(IsOfflineKeyless)
            .ToDictionary(p => p.GetProperty("local_path").GetString()!, p => p.Clone());
    });

    [GeneratedRegex(@"\((?<path>trusted-roots/[^)]+)\)")]
    private static partial Regex RootInParentheses();

    private static JsonElement Signing(JsonElement record)
    {
        var signing = record.GetProperty("signing");
        return signing.ValueKind == JsonValueKind.Array ? signing[0] : signing;
    }

    private static bool IsOfflineKeyless(JsonElement record)
    {
        var signing = Signing(record);
        if (!signing.TryGetProperty("kind", out var kind) || !kind.GetString()!.StartsWith("keyless", StringComparison.Ordinal)
            // The cosign OCI layer (a DSSE envelope with its certificate in annotations) records no identity here;
            // reading OCI attestations is the attestation-sources work.
            || !signing.TryGetProperty("san", out _))
        {
            return false;
        }

        var offline = record.GetProperty("offline_verifiable");
        var value = offline.ValueKind == JsonValueKind.Array ? offline[0].GetProperty("value").GetString()
            : offline.ValueKind == JsonValueKind.Object ? offline.GetProperty("value").GetString()
            : offline.GetString();
        // GitHub's own trusted root is in no repository the vectors came from; those two cannot be decided here.
        return value == "yes";
    }

    public static TheoryData<string> Paths => [.. Records.Value.Keys];

    internal static string TrustedRoot(JsonElement record)
    {
        var needed = record.GetProperty("trusted_root_needed").GetString()!;
        var match = RootInParentheses().Match(needed);
        return TestData.RealWorld(match.Success ? match.Groups["path"].Value : needed.Split(' ')[0]);
    }

    /// <summary>
    /// The artifact file when the vectors keep it; else its digest as the manifest records it; else, for the few
    /// whose artifact no source kept, the statement's first subject digest (the subject check is then trivial, and
    /// everything else about the bundle is still verified).
    /// </summary>
    internal static string Artifact(JsonElement record)
    {
        var artifacts = record.GetProperty("artifacts");
        if (artifacts.GetArrayLength() > 0)
        {
            var artifact = artifacts[0];
            if (artifact.TryGetProperty("path", out var path) && path.ValueKind == JsonValueKind.String
                && File.Exists(TestData.RealWorld(path.GetString()!)))
            {
                return TestData.RealWorld(path.GetString()!);
            }

            foreach (var algorithm in (string[])["sha256", "sha512"])
            {
                if (artifact.TryGetProperty(algorithm, out var digest))
                {
                    return algorithm + ":" + digest.GetString();
                }
            }
        }

        var subject = record.GetProperty("statement").GetProperty("subjects")[0].GetProperty("digest");
        return subject.TryGetProperty("sha256", out var sha256) ? "sha256:" + sha256.GetString() : "sha512:" + subject.GetProperty("sha512").GetString();
    }

    /// <summary>The manifest writes otherName SANs as "othername:VALUE"; the certificate holds VALUE.</summary>
    private static string Identity(JsonElement signing)
    {
        var san = signing.GetProperty("san")[0].GetString()!;
        return san.StartsWith("othername:", StringComparison.Ordinal) ? san["othername:".Length..] : san;
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task Verifies_offline_with_the_recorded_identity(string path)
    {
        var record = Records.Value[path];
        var signing = Signing(record);
        var run = await CliRunner.InProcessAsync(
            "verify", Artifact(record), "--bundle", TestData.RealWorld(path),
            "--certificate-identity", Identity(signing),
            "--certificate-oidc-issuer", signing.GetProperty("oidc_issuer").GetString()!,
            "--trusted-root", TrustedRoot(record));

        if (Deviations.TryGetValue(path, out var code))
        {
            Assert.Equal(1, run.ExitCode);
            Assert.Contains(code, run.Output, StringComparison.Ordinal);
            return;
        }

        Assert.True(ExpectedToPass(record) ? run.ExitCode == 0 : run.ExitCode == 1, run.Output + run.Error);
        if (FailingStep.TryGetValue(path, out var step))
        {
            Assert.Contains(step, run.Output, StringComparison.Ordinal);
        }
    }

    /// <summary>
    /// Where the tampered vectors must fail. The manifest's re-check names the defects; Provenance reports the first
    /// in the order of the Sigstore client specification (log entry, time, certificate, signature, body).
    /// </summary>
    private static readonly Dictionary<string, string> FailingStep = new(StringComparer.Ordinal)
    {
        // Re-check: body does not match, and the certificate is not valid at the entry's time: the certificate fails first.
        ["slsa-verifier/verifiers/internal/gha/testdata/bundle/mismatch-tlog.intoto.sigstore"] = "PV5003",
        // Re-check: the signed entry timestamp does not verify.
        ["slsa-verifier/verifiers/internal/gha/testdata/bundle/invalid-set.intoto.sigstore"] = "PV5033",
        // Re-check: the signature does not verify; its payloadType is not in-toto's either, which is refused first.
        ["cli/pkg/cmd/attestation/test/data/sigstoreBundle-invalid-signature.json"] = "PV2005",
        // sigstore-go: a bundle's envelope must carry exactly one signature.
        ["sigstore-go/pkg/testing/data/bundles/dsse-2sigs.sigstore.json"] = "PV2013",
    };

    /// <summary>
    /// Where Provenance is stricter than the project the vector came from, on purpose, and the code it fails with.
    /// </summary>
    private static readonly Dictionary<string, string> Deviations = new(StringComparer.Ordinal)
    {
        // slsa-verifier's bundle test passes it (it checks only the bundle there); its statement has an empty
        // predicateType, which the in-toto Statement spec forbids: Provenance refuses the statement.
        ["slsa-verifier/verifiers/internal/gha/testdata/bundle/valid.intoto.sigstore"] = "PV2013",
    };

    /// <summary>Case parameters that are about the bundle's verification, not a policy on builder or source.</summary>
    private static readonly HashSet<string> BundleOnlyParameters = new(StringComparer.Ordinal) { "tlog_threshold", "observer_timestamps", "trusted_root" };

    /// <summary>
    /// A source test with a single case about the bundle itself decides (e.g. sigstore-go's two-signature envelope
    /// must fail); cases that fail on a policy (builder, source, GitHub CLI's bundle-version rule) are the policy
    /// work's to check, so there the manifest's independent offline re-check of the cryptography decides.
    /// </summary>
    private static bool ExpectedToPass(JsonElement record)
    {
        var cases = record.GetProperty("expected").GetProperty("cases");
        if (cases.GetArrayLength() == 1 && cases[0].GetProperty("result").GetString() is "pass" or "fail"
            && cases[0].GetProperty("params").EnumerateObject().All(p => BundleOnlyParameters.Contains(p.Name)))
        {
            return cases[0].GetProperty("result").GetString() == "pass";
        }

        return record.GetProperty("independent_check_verdict").GetString()!.StartsWith("all checks passed", StringComparison.Ordinal);
    }
}
