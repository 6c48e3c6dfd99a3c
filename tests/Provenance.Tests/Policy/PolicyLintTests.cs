using Provenance.Policy;
using Provenance.Testing;

namespace Provenance.Tests.Policy;

public sealed class PolicyLintTests
{
    private static PolicyDocument Load(string signer, string provenance = "") =>
        PolicyLoader.TryLoad($"name: t\nrequire:\n  - predicateType: p\n    signer: {signer}\n{provenance}", "p.yaml", new Dictionary<string, string>(), out var policy, out var problem)
            ? policy! : throw new InvalidOperationException(problem!.ToString());

    private static IEnumerable<string> Rules(PolicyDocument policy) => PolicyLint.Lint(policy).Select(w => w.Rule);

    private const string Pinned = "    provenance: { sourceUri: git+https://github.com/org/app, sourceRef: { startsWith: refs/tags/ } }\n";

    [Fact]
    public void A_pinned_github_policy_is_clean()
    {
        var policy = Load("{ issuer: https://token.actions.githubusercontent.com, identityRegex: \"https://github\\\\.com/org/app/.+\", runnerEnvironment: github-hosted }", Pinned);
        Assert.Empty(Rules(policy));
    }

    [Theory]
    [InlineData("{ issuer: https://token.actions.githubusercontent.com, identityRegex: \"https://github\\\\.com/org/.*\", runnerEnvironment: github-hosted }", "PL004")]
    [InlineData("{ issuer: https://token.actions.githubusercontent.com, identity: { startsWith: https://github.com/org/app }, runnerEnvironment: github-hosted }", "PL003")]
    [InlineData("{ issuerRegex: \"https://token\\\\.actions\\\\..*\", identityRegex: \"https://github\\\\.com/org/app/.+\", runnerEnvironment: github-hosted }", "PL005")]
    [InlineData("{ issuer: https://token.actions.githubusercontent.com, identityRegex: \"https://github\\\\.com/org/app/.+\" }", "PL006")]
    public void Weak_spots_are_named(string signer, string rule)
    {
        Assert.Contains(rule, Rules(Load(signer, Pinned)));
    }

    [Fact]
    public void Unpinned_refs_and_sources_are_named()
    {
        var rules = Rules(Load("{ issuer: https://token.actions.githubusercontent.com, identityRegex: \"https://github\\\\.com/org/app/.+\", runnerEnvironment: github-hosted }")).ToList();
        Assert.Contains("PL007", rules);
        Assert.Contains("PL008", rules);
    }

    [Fact]
    public void Every_ready_made_policy_is_lint_clean_with_example_parameters()
    {
        var folder = Path.Combine(TestData.Root, "policies");
        foreach (var file in Directory.EnumerateFiles(folder, "*.yaml").Where(f => !f.EndsWith(".tests.yaml", StringComparison.Ordinal)))
        {
            Assert.True(PolicyFixtures.TryLoad(Path.ChangeExtension(file, null) + ".tests.yaml", out var fixtures, out var problem), problem?.ToString());
            var parameters = fixtures!.Cases.First(c => c.ExpectPass).Parameters;
            Assert.True(PolicyLoader.TryLoad(File.ReadAllText(file), file, parameters, out var policy, out var loadProblem), loadProblem?.ToString());
            Assert.Empty(PolicyLint.Lint(policy!));
        }
    }
}
