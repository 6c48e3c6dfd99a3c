using System.Text.RegularExpressions;
using Provenance.Testing;
using YamlDotNet.RepresentationModel;

namespace Provenance.Cli.Tests;

/// <summary>
/// The README's workflows use the Action as action.yml defines it: every input they give exists, the policy they
/// name is a ready-made one, and a workflow that fetches attestations grants the permission to read them.
/// </summary>
public sealed partial class ActionReadmeTests
{
    [Fact]
    public void Every_readme_workflow_step_using_the_action_gives_only_its_inputs_and_a_real_policy()
    {
        var inputs = Mapping(Load(File.ReadAllText(Path.Combine(TestData.Root, "action.yml"))), "inputs").Children.Keys.Select(k => k.ToString()).ToHashSet();
        var workflows = YamlBlock().Matches(File.ReadAllText(Path.Combine(TestData.Root, "README.md")))
            .Select(m => m.Groups["yaml"].Value)
            .Where(y => y.Contains("uses: OWNER/provenance@", StringComparison.Ordinal))
            .Select(Load)
            .ToList();

        Assert.NotEmpty(workflows);
        foreach (var workflow in workflows)
        {
            foreach (var job in Mapping(workflow, "jobs").Children.Values.Cast<YamlMappingNode>())
            {
                var steps = ((YamlSequenceNode)job.Children["steps"]).Children.Cast<YamlMappingNode>()
                    .Where(s => s.Children.TryGetValue("uses", out var uses) && uses.ToString().StartsWith("OWNER/provenance@", StringComparison.Ordinal));
                foreach (var step in steps)
                {
                    var with = Mapping(step, "with");
                    var given = with.Children.Keys.Select(k => k.ToString()).ToList();
                    Assert.Contains("artifacts", given);
                    Assert.All(given, name => Assert.Contains(name, inputs));
                    if (with.Children.TryGetValue("policy", out var policy))
                    {
                        Assert.True(File.Exists(Path.Combine(TestData.Root, policy.ToString())), policy.ToString());
                    }

                    if (given.Contains("repository") || given.Contains("owner"))
                    {
                        Assert.Equal("read", Mapping(workflow, "permissions").Children["attestations"].ToString());
                    }
                }
            }
        }
    }

    private static YamlMappingNode Load(string yaml)
    {
        var stream = new YamlStream();
        using var reader = new StringReader(yaml);
        stream.Load(reader);
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static YamlMappingNode Mapping(YamlMappingNode node, string key) => (YamlMappingNode)node.Children[key];

    [GeneratedRegex("```yaml\\n(?<yaml>.*?)```", RegexOptions.Singleline)]
    private static partial Regex YamlBlock();
}
