using System.Text.Json;
using Provenance.Testing;

namespace Provenance.Cli.Tests;

/// <summary>
/// The Sigstore client conformance suite's verification runs (testdata/sigstore-conformance, see NOTICE), through
/// the command line exactly as the conformance protocol invokes a client:
/// <c>verify --bundle B (--certificate-identity I --certificate-oidc-issuer O | --key K) --trusted-root T FILE_OR_DIGEST</c>.
/// The expected verdict of each run is the suite's (a directory ending in _fail must fail).
/// </summary>
public sealed class SigstoreConformanceTests
{
    private static readonly string Folder = TestData.Path("sigstore-conformance");

    private static readonly Lazy<Dictionary<string, JsonElement>> Cases = new(() =>
    {
        using var manifest = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Folder, "manifest.json")));
        return manifest.RootElement.GetProperty("cases").EnumerateArray()
            .ToDictionary(c => c.GetProperty("name").GetString()!, c => c.Clone());
    });

    public static TheoryData<string> Names => [.. Cases.Value.Keys];

    private static string? Text(JsonElement c, string name) =>
        c.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string Local(string relative) => Path.Combine(Folder, relative.Replace('/', Path.DirectorySeparatorChar));

    internal static string[] Arguments(JsonElement c)
    {
        var args = new List<string> { "verify", "--bundle", Local(Text(c, "bundle")!) };
        if (Text(c, "key") is { } key)
        {
            args.AddRange(["--key", Local(key)]);
        }
        else
        {
            args.AddRange(["--certificate-identity", Text(c, "certificateIdentity")!, "--certificate-oidc-issuer", Text(c, "certificateOidcIssuer")!]);
        }

        args.AddRange(["--trusted-root", Local(Text(c, "trustedRoot")!)]);
        var artifact = Text(c, "artifact")!;
        args.Add(artifact.StartsWith("sha256:", StringComparison.Ordinal) ? artifact : Local(artifact));
        return [.. args];
    }

    [Theory]
    [MemberData(nameof(Names))]
    public async Task Each_run_gives_the_suites_verdict(string name)
    {
        var c = Cases.Value[name];
        var run = await CliRunner.InProcessAsync(Arguments(c));

        if (Text(c, "expected") == "pass")
        {
            Assert.True(run.ExitCode == 0, $"{Text(c, "why")}\n{run.Output}{run.Error}");
        }
        else
        {
            Assert.True(run.ExitCode != 0, $"{Text(c, "why")}\n{run.Output}{run.Error}");
            // A failure must carry a code, whatever its exit code: never a crash, never silence.
            Assert.Matches(@"PV\d{4}", run.Output + run.Error);
            Assert.DoesNotContain("   at ", run.Output + run.Error, StringComparison.Ordinal);
        }
    }
}
