using System.Collections.Immutable;
using Provenance.Policy;

namespace Provenance.Tests.Policy;

public sealed class PolicyLoaderTests
{
    private const string Minimal = """
        name: t
        require:
          - predicateType: https://slsa.dev/provenance/v1
            signer:
              issuer: https://token.actions.githubusercontent.com
              identity: https://github.com/org/app/.github/workflows/release.yml@refs/tags/v1
        """;

    private static PolicyDocument Load(string yaml, params (string, string)[] parameters)
    {
        Assert.True(PolicyLoader.TryLoad(yaml, "p.yaml", parameters.ToDictionary(p => p.Item1, p => p.Item2), out var policy, out var problem), problem?.ToString());
        return policy!;
    }

    private static Problem ProblemOf(string yaml, params (string, string)[] parameters)
    {
        Assert.False(PolicyLoader.TryLoad(yaml, "p.yaml", parameters.ToDictionary(p => p.Item1, p => p.Item2), out _, out var problem));
        Assert.Equal(DiagnosticCode.InvalidPolicy, problem!.Code);
        return problem;
    }

    [Fact]
    public void A_minimal_policy_reads()
    {
        var policy = Load(Minimal);
        var requirement = Assert.Single(policy.Requirements);
        Assert.Equal("https://slsa.dev/provenance/v1", requirement.PredicateType);
        Assert.True(requirement.Signer!.Identity!.Matches("https://github.com/org/app/.github/workflows/release.yml@refs/tags/v1"));
    }

    [Fact]
    public void A_requirement_may_accept_a_list_of_predicate_types()
    {
        var requirement = Assert.Single(Load(Minimal.Replace(
            "predicateType: https://slsa.dev/provenance/v1", "predicateType: [https://slsa.dev/provenance/v1, https://slsa.dev/provenance/v0.2]",
            StringComparison.Ordinal)).Requirements);
        Assert.True(requirement.Accepts("https://slsa.dev/provenance/v1"));
        Assert.True(requirement.Accepts("https://slsa.dev/provenance/v0.2"));
        Assert.False(requirement.Accepts("https://slsa.dev/provenance/v0.1"));
        Assert.False(requirement.Accepts(null));
    }

    [Theory]
    [InlineData("name: t\nrequire: []", "$.require")]
    [InlineData("name: t", "$")]
    [InlineData("name: t\nrequire:\n  - predicateType: p\n", "$.require[0]")]
    [InlineData("name: t\nrequre:\n  - predicateType: p\n", "$.requre")]
    [InlineData("name: t\nrequire:\n  - predicateType: p\n    signer: { identity: x, issuer: y, sourceRepoUri: z }\n", "$.require[0].signer.sourceRepoUri")]
    [InlineData("name: t\nrequire:\n  - predicateType: p\n    signer: { identity: x }\n", "$.require[0].signer")]
    [InlineData("name: t\nrequire:\n  - predicateType: p\n    signer: { identity: x, identityRegex: y, issuer: z }\n", "$.require[0].signer")]
    [InlineData("name: t\nrequire:\n  - predicateType: p\n    signer: { keyIds: [k] }\n    provenance: { builderId: { equals: a, startsWith: b } }\n", "$.require[0].provenance.builderId")]
    [InlineData("name: t\nrequire:\n  - predicateType: p\n    signer: { keyIds: [k] }\n    provenance: { sourceRef: { matches: \"(a\" } }\n", "$.require[0].provenance.sourceRef.matches")]
    [InlineData("name: t\nrequire:\n  - predicateType: p\n    signer: { keyIds: [k] }\n    provenance: { sourceRef: { semver: \"~1.2\" } }\n", "$.require[0].provenance.sourceRef.semver")]
    public void Weak_or_misspelt_policies_are_refused_with_the_place(string yaml, string location)
    {
        Assert.EndsWith(location, ProblemOf(yaml).Location, StringComparison.Ordinal);
    }

    [Fact]
    public void A_policy_without_signers_loads_only_when_it_says_so_unsafely()
    {
        const string yaml = "name: t\nunsafe: { allowAnySigner: true }\nrequire:\n  - predicateType: p\n";
        Assert.True(Load(yaml).AllowAnySignerUnsafe);
    }

    [Theory]
    [InlineData("name: t\nname: u\nrequire: []")]
    [InlineData("base: &a { predicateType: p }\nname: t\nrequire: [*a]")]
    [InlineData("name: !!binary aGVsbG8=\nrequire: []")]
    [InlineData("name: t\n---\nname: u")]
    [InlineData("name: [unclosed")]
    public void Yaml_that_could_be_read_two_ways_or_blow_up_is_refused(string yaml)
    {
        ProblemOf(yaml);
    }

    [Fact]
    public void Parameters_are_substituted_and_escaped_inside_regular_expressions()
    {
        const string yaml = """
            name: t
            parameters:
              repository: { required: true }
              signer: { default: "{{repository}}" }
            require:
              - predicateType: p
                signer:
                  issuer: https://token.actions.githubusercontent.com
                  identityRegex: "https://github\\.com/{{signer}}/\\.github/workflows/.+"
                  sourceRepositoryUri: https://github.com/{{repository}}
            """;
        var signer = Load(yaml, ("repository", "org/a.b")).Requirements[0].Signer!;

        Assert.True(signer.Extensions["sourceRepositoryUri"].Matches("https://github.com/org/a.b"));
        Assert.True(signer.Identity!.Matches("https://github.com/org/a.b/.github/workflows/r.yml"));
        // The '.' of the parameter is literal inside the pattern: "a-b" does not match "a.b".
        Assert.False(signer.Identity.Matches("https://github.com/org/a-b/.github/workflows/r.yml"));
    }

    [Fact]
    public void Missing_and_undeclared_parameters_are_refused()
    {
        const string yaml = "name: t\nparameters: { repository: { required: true } }\n" + "require:\n  - predicateType: p\n    signer: { keyIds: [\"{{repository}}\"] }\n";
        Assert.Contains("--param repository", ProblemOf(yaml).Message, StringComparison.Ordinal);
        Assert.Contains("nope", ProblemOf(yaml, ("repository", "x"), ("nope", "y")).Message, StringComparison.Ordinal);
        Assert.Contains("spans lines", ProblemOf(yaml, ("repository", "x\ny")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Conditions_read_with_combinators()
    {
        const string yaml = """
            name: t
            require:
              - predicateType: p
                signer: { keyIds: [k] }
                conditions:
                  - field: predicate.buildDefinition.externalParameters.workflow.path
                    matches: "\\.github/workflows/release\\.ya?ml"
                  - any:
                      - field: predicate.a
                        exists: true
                      - not: { field: predicate.b, absent: true }
            """;
        var conditions = Load(yaml).Requirements[0].Conditions;
        Assert.Equal(["field", "any"], conditions.Select(c => c.Kind));
        Assert.Equal("not", conditions[1].Children[1].Kind);
    }
}
