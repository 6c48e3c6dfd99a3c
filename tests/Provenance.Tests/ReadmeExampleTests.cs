using System.Text.RegularExpressions;
using Provenance.Testing;

namespace Provenance.Tests;

/// <summary>
/// The README's library example is this file's <c>GateAsync</c>, character for character: the test fails when the
/// two drift apart, and runs the example on the demo data.
/// </summary>
public sealed partial class ReadmeExampleTests
{
    // README example start
    public static async Task<bool> GateAsync(string artifact, string attestation, string keyFile, string policyFile)
    {
        var (key, keyProblem) = await Provenance.Verification.KeyFiles.LoadAsync(keyFile, keyAlgorithm: null);
        var (policy, policyProblem) = await Provenance.Policy.PolicyLoader.LoadFileAsync(policyFile,
            new Dictionary<string, string> { ["keyId"] = key?.KeyId ?? "", ["repository"] = "example/hello" });
        if (key is null || policy is null)
        {
            throw new InvalidOperationException((keyProblem ?? policyProblem)!.ToString());
        }

        var verifier = new Provenance.Verification.ProvenanceVerifier(new() { Keys = [key] });
        var results = await Provenance.Policy.PolicyVerification.VerifyAsync(verifier,
            [Provenance.Verification.ArtifactInput.FromFile(artifact)],
            [Provenance.Verification.AttestationInput.FromFile(attestation)], policy);
        foreach (var failure in results[0].Failures)
        {
            Console.Error.WriteLine($"{failure.Code?.Format()} {failure.Message} (expected {failure.Expected}, found {failure.Actual})");
        }

        return results[0].Verified;
    }
    // README example end

    [GeneratedRegex(@"// README example start\r?\n(?<code>.*?)\r?\n\s*// README example end", RegexOptions.Singleline)]
    private static partial Regex Example();

    [Fact]
    public void The_readme_shows_exactly_this_example()
    {
        var source = Example().Match(File.ReadAllText(Path.Combine(TestData.Root, "tests", "Provenance.Tests", "ReadmeExampleTests.cs"))).Groups["code"].Value;
        var readme = File.ReadAllText(Path.Combine(TestData.Root, "README.md")).ReplaceLineEndings("\n");
        Assert.Contains(Dedent(source), readme, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_example_gates_the_demo_artifact()
    {
        var policy = Path.Combine(TestData.Root, "policies", "in-house-key-signed.yaml");
        Assert.True(await GateAsync(TestData.Path("demo/hello-1.0.0.txt"), TestData.Path("demo/hello-1.0.0.intoto.jsonl"), TestData.Path("demo/demo-key.pub"), policy));

        using var temp = new TempDirectory();
        var changed = temp.Write("hello-1.0.0.txt", "changed"u8.ToArray());
        Assert.False(await GateAsync(changed, TestData.Path("demo/hello-1.0.0.intoto.jsonl"), TestData.Path("demo/demo-key.pub"), policy));
    }

    private static string Dedent(string code)
    {
        var lines = code.ReplaceLineEndings("\n").Split('\n');
        var indent = lines.Where(l => l.Trim().Length > 0).Min(l => l.Length - l.TrimStart().Length);
        return string.Join("\n", lines.Select(l => l.Length >= indent ? l[indent..] : l.TrimStart()));
    }
}
