using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Provenance.Policy;

/// <summary>One fixture of a policy: inputs to verify and the verdict the policy must give them.</summary>
/// <param name="Name">What the case shows.</param>
/// <param name="Artifact">The artifact: a path (relative to the fixtures file) or <c>sha256:HEX</c>.</param>
/// <param name="Attestations">Attestation files, relative to the fixtures file.</param>
/// <param name="Keys">Trusted key files, relative to the fixtures file.</param>
/// <param name="TrustedRoot">A trusted root file, when not the embedded public-good root.</param>
/// <param name="Parameters">The policy's parameters.</param>
/// <param name="ExpectPass">Whether the policy must pass.</param>
/// <param name="ExpectedCode">For a failing case, the diagnostic code (e.g. PV6003) the failure must carry.</param>
public sealed record PolicyFixture(
    string Name,
    string Artifact,
    ImmutableArray<string> Attestations,
    ImmutableArray<string> Keys,
    string? TrustedRoot,
    ImmutableSortedDictionary<string, string> Parameters,
    bool ExpectPass,
    string? ExpectedCode);

/// <summary>
/// A policy's fixtures, read from <c>NAME.tests.yaml</c> beside <c>NAME.yaml</c>: every ready-made policy carries
/// cases that must pass and cases that must fail, so a change to a policy that loosens it breaks a test.
/// </summary>
/// <param name="PolicyPath">The policy file, resolved.</param>
/// <param name="Cases">The cases.</param>
public sealed record PolicyFixtures(string PolicyPath, ImmutableArray<PolicyFixture> Cases)
{
    /// <summary>Reads a fixtures file; paths in it are relative to its folder.</summary>
    public static bool TryLoad(string path, out PolicyFixtures? fixtures, out Problem? problem)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        fixtures = null;
        try
        {
            var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
            string Resolve(string relative) => relative.StartsWith("sha256:", StringComparison.Ordinal) ? relative : Path.GetFullPath(Path.Combine(folder, relative));
            if (new FileInfo(path).Length > Limits.MaxPolicyBytes)
            {
                throw InvalidInputException.At(DiagnosticCode.InputTooLarge, path, $"a fixtures file is at most {Limits.MaxPolicyBytes / 1024} KiB");
            }

            var root = YamlToJson.Read(File.ReadAllText(path), path) as JsonObject
                ?? throw InvalidInputException.At(DiagnosticCode.InvalidPolicy, path, "expected a mapping with policy and cases");
            var policy = Resolve(Text(root["policy"], path, "policy"));
            var cases = ImmutableArray.CreateBuilder<PolicyFixture>();
            foreach (var item in root["cases"] as JsonArray ?? throw InvalidInputException.At(DiagnosticCode.InvalidPolicy, path, "\"cases\" must be a list"))
            {
                var entry = item as JsonObject ?? throw InvalidInputException.At(DiagnosticCode.InvalidPolicy, path, "each case is a mapping");
                var name = Text(entry["name"], path, "name");
                var expect = Text(entry["expect"], path, $"{name}: expect");
                if (expect is not ("pass" or "fail"))
                {
                    throw InvalidInputException.At(DiagnosticCode.InvalidPolicy, path, $"{name}: expect is pass or fail");
                }

                var code = entry["code"] is { } c ? Text(c, path, $"{name}: code") : null;
                if (expect == "fail" && code is null)
                {
                    throw InvalidInputException.At(DiagnosticCode.InvalidPolicy, path, $"{name}: a failing case names the code it must fail with");
                }

                cases.Add(new PolicyFixture(
                    name,
                    Resolve(Text(entry["artifact"], path, $"{name}: artifact")),
                    [.. List(entry["attestations"], path, name).Select(Resolve)],
                    [.. List(entry["keys"], path, name).Select(Resolve)],
                    entry["trustedRoot"] is { } t ? Resolve(Text(t, path, $"{name}: trustedRoot")) : null,
                    (entry["params"] as JsonObject ?? [])
                        .ToImmutableSortedDictionary(p => p.Key, p => Text(p.Value, path, $"{name}: params.{p.Key}"), StringComparer.Ordinal),
                    expect == "pass",
                    code));
            }

            fixtures = new PolicyFixtures(policy, cases.ToImmutable());
            problem = null;
            return true;
        }
        catch (InvalidInputException e)
        {
            problem = e.Problem;
            return false;
        }
        catch (IOException e)
        {
            problem = new Problem(DiagnosticCode.InputUnreadable, e.Message, path);
            return false;
        }
    }

    private static string Text(JsonNode? node, string path, string what) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.String
            ? value.GetValue<string>()
            : throw InvalidInputException.At(DiagnosticCode.InvalidPolicy, path, $"{what}: expected a string");

    private static IEnumerable<string> List(JsonNode? node, string path, string name) =>
        node is null ? [] : (node as JsonArray ?? throw InvalidInputException.At(DiagnosticCode.InvalidPolicy, path, $"{name}: expected a list"))
            .Select(n => Text(n, path, name));
}
