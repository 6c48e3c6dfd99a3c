using System.Text.Json.Nodes;
using Json.Schema;
using Provenance.Policy;
using Provenance.Testing;

namespace Provenance.Tests.Policy;

/// <summary>Every policy in the repository validates against policies/policy.schema.json and loads.</summary>
public sealed class PolicySchemaTests
{
    private static readonly string Folder = Path.Combine(TestData.Root, "policies");

    public static TheoryData<string> Policies =>
        [.. Directory.EnumerateFiles(Path.Combine(TestData.Root, "policies"), "*.yaml").Where(f => !f.EndsWith(".tests.yaml", StringComparison.Ordinal)).Select(f => Path.GetFileName(f))];

    [Theory]
    [MemberData(nameof(Policies))]
    public void Each_policy_validates_against_the_schema(string name)
    {
        var schema = JsonSchema.FromText(File.ReadAllText(Path.Combine(Folder, "policy.schema.json")));
        var document = YamlToJson.Read(File.ReadAllText(Path.Combine(Folder, name)), name);

        var result = schema.Evaluate(document, new EvaluationOptions { OutputFormat = OutputFormat.List });

        Assert.True(result.IsValid, string.Join("; ", result.Details.Where(d => d.HasErrors).Select(d => $"{d.InstanceLocation}: {string.Join(", ", d.Errors!.Values)}")));
    }

    [Fact]
    public void The_schema_refuses_an_unknown_key()
    {
        var schema = JsonSchema.FromText(File.ReadAllText(Path.Combine(Folder, "policy.schema.json")));
        var document = JsonNode.Parse("""{"name":"t","require":[{"predicateType":"p","signer":{"keyIds":["k"]},"provenence":{}}]}""");
        Assert.False(schema.Evaluate(document).IsValid);
    }

    [Fact]
    public void Every_ready_made_policy_has_fixtures()
    {
        foreach (var name in Policies)
        {
            Assert.True(File.Exists(Path.Combine(Folder, Path.GetFileNameWithoutExtension(name!) + ".tests.yaml")), $"{name} has no fixtures");
        }
    }
}
