using System.Text.RegularExpressions;
using Provenance.Testing;

namespace Provenance.Tests.Architecture;

/// <summary>
/// Keeps the library's layers as DESIGN.md draws them: Cryptography ← Attestations, Envelopes ← Sigstore ←
/// Verification ← Policy, with Http (the one network pipeline) at the bottom beside Json. A folder may use its own namespace, the root namespace (codes, problems, limits),
/// Json, and the folders below it — never one above.
/// </summary>
public sealed partial class DependencyDirectionTests
{
    private static readonly Dictionary<string, string[]> Allowed = new()
    {
        ["Json"] = [],
        ["Http"] = [],
        ["Cryptography"] = ["Json"],
        ["Attestations"] = ["Json", "Cryptography"],
        ["Envelopes"] = ["Json", "Cryptography"],
        ["Sigstore"] = ["Json", "Http", "Cryptography", "Attestations", "Envelopes"],
        ["Verification"] = ["Json", "Http", "Cryptography", "Attestations", "Envelopes", "Sigstore"],
        ["Tuf"] = ["Json", "Http", "Cryptography", "Sigstore"],
        ["Policy"] = ["Json", "Http", "Cryptography", "Attestations", "Envelopes", "Sigstore", "Verification"],
    };

    [GeneratedRegex(@"\bProvenance\.(?<layer>[A-Z][A-Za-z]+)\b")]
    private static partial Regex LayerReference();

    public static TheoryData<string> Layers => [.. Allowed.Keys];

    [Theory]
    [MemberData(nameof(Layers))]
    public void A_layer_uses_only_the_layers_below_it(string layer)
    {
        var folder = Path.Combine(TestData.Root, "src", "Provenance", layer);
        if (!Directory.Exists(folder))
        {
            return;
        }

        var violations = new List<string>();
        foreach (var file in Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories))
        {
            foreach (Match match in LayerReference().Matches(File.ReadAllText(file)))
            {
                var used = match.Groups["layer"].Value;
                if (used != layer && Allowed.ContainsKey(used) && !Allowed[layer].Contains(used))
                {
                    violations.Add($"{Path.GetRelativePath(TestData.Root, file)} uses {used}");
                }
            }
        }

        Assert.Empty(violations);
    }

    [Fact]
    public void Every_library_folder_has_a_place_in_the_layering()
    {
        var folders = Directory.EnumerateDirectories(Path.Combine(TestData.Root, "src", "Provenance"))
            .Select(Path.GetFileName)
            .Where(name => name is not ("bin" or "obj"));
        Assert.All(folders, folder => Assert.Contains(folder!, Allowed.Keys));
    }

    [Fact]
    public void The_library_never_references_the_tool()
    {
        var project = File.ReadAllText(Path.Combine(TestData.Root, "src", "Provenance", "Provenance.csproj"));
        Assert.DoesNotContain("ProjectReference", project, StringComparison.Ordinal);
    }
}
