using System.Collections.Immutable;
using System.Text;
using Provenance.Attestations;
using Provenance.Cryptography;
using Provenance.Policy;
using Provenance.Sigstore;
using Provenance.Testing;
using Provenance.Verification;

namespace Provenance.Tests.Policy;

/// <summary>
/// The evaluator on verification results built from real parts: a statement parsed from JSON and a certificate
/// minted by the test Fulcio with the extensions GitHub Actions sets.
/// </summary>
public sealed class PolicyEvaluatorTests : IDisposable
{
    private const string Actions = "https://token.actions.githubusercontent.com";
    private const string Commit = "6b3f1c8e2a9d4f7b0c5e8a1d3f6b9c2e4a7d0f13";
    private readonly TestFulcio _fulcio = new();

    public void Dispose() => _fulcio.Dispose();

    private static Statement Provenance(string repository, string reference, string commit) => Statement.Parse(Encoding.UTF8.GetBytes($$$"""
        {"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"a","digest":{"sha256":"{{{new string('a', 64)}}}"}}],
         "predicateType":"https://slsa.dev/provenance/v1",
         "predicate":{"buildDefinition":{"buildType":"https://actions.github.io/buildtypes/workflow/v1",
           "externalParameters":{"workflow":{"ref":"{{{reference}}}","repository":"https://github.com/{{{repository}}}","path":".github/workflows/release.yml"}},
           "resolvedDependencies":[{"uri":"git+https://github.com/{{{repository}}}@{{{reference}}}","digest":{"gitCommit":"{{{commit}}}"} } ] },
          "runDetails":{"builder":{"id":"https://github.com/actions/runner/github-hosted"} } } }
        """));

    private Signer GitHubSigner(string repository, string reference, string commit)
    {
        var der = _fulcio.IssueLeaf(new TestLeafOptions
        {
            SanUri = $"https://github.com/{repository}/.github/workflows/release.yml@{reference}",
            Extensions =
            [
                TestFulcio.FulcioExtension(8, Actions),
                TestFulcio.FulcioExtension(12, "https://github.com/" + repository),
                TestFulcio.FulcioExtension(13, commit),
                TestFulcio.FulcioExtension(14, reference),
                TestFulcio.FulcioExtension(11, "github-hosted"),
            ],
        });
        Assert.True(FulcioCertificate.TryParse(der, out var certificate, out var problem), problem?.ToString());
        return new Signer("keyless", certificate.PublicKey.KeyId, certificate.PublicKey.Algorithm, certificate);
    }

    private static VerificationResult Result(Statement statement, Signer signer) => new(
        "a", [ArtifactDigest.Parse("sha256:" + new string('a', 64))], true,
        [new VerifiedAttestation("bundle.json", AttestationFormat.SigstoreBundle, statement, [signer], [])], []);

    private static PolicyDocument Policy(string repository) => PolicyLoader.TryLoad($$"""
        name: t
        require:
          - predicateType: https://slsa.dev/provenance/v1
            signer:
              issuer: {{Actions}}
              identityRegex: "https://github\\.com/{{repository}}/.+"
              runnerEnvironment: github-hosted
            provenance:
              sourceUri: git+https://github.com/{{repository}}
              sourceRef: { startsWith: refs/tags/ }
        """, "p.yaml", new Dictionary<string, string>(), out var policy, out var problem) ? policy! : throw new InvalidOperationException(problem!.ToString());

    [Fact]
    public void A_build_whose_certificate_and_provenance_agree_passes()
    {
        var result = PolicyEvaluator.Evaluate(Policy("org/app"), Result(Provenance("org/app", "refs/tags/v1", Commit), GitHubSigner("org/app", "refs/tags/v1", Commit)));
        Assert.True(result.Passed, string.Join("; ", result.Checks.Where(c => !c.Passed)));
    }

    [Theory]
    // Provenance signed by org/app's run but claiming another source: the certificate says who really built.
    [InlineData("org/other", "refs/tags/v1", Commit)]
    [InlineData("org/app", "refs/tags/v2", Commit)]
    [InlineData("org/app", "refs/tags/v1", "0000000000000000000000000000000000000000")]
    public void Provenance_that_disagrees_with_its_certificate_fails(string repository, string reference, string commit)
    {
        var result = PolicyEvaluator.Evaluate(Policy(repository), Result(Provenance(repository, reference, commit), GitHubSigner("org/app", "refs/tags/v1", Commit)));

        Assert.False(result.Passed);
        Assert.Contains(result.Checks, c => c.Code == DiagnosticCode.CertificateProvenanceMismatch);
    }

    [Fact]
    public void A_missing_predicate_type_fails_the_requirement_with_what_was_found()
    {
        var statement = Statement.Parse(Encoding.UTF8.GetBytes($$$"""{"_type":"https://in-toto.io/Statement/v1","subject":[{"digest":{"sha256":"{{{new string('a', 64)}}}"}}],"predicateType":"https://example.com/other"}"""));
        var result = PolicyEvaluator.Evaluate(Policy("org/app"), Result(statement, GitHubSigner("org/app", "refs/tags/v1", Commit)));

        var failure = Assert.Single(result.Checks, c => !c.Passed);
        Assert.Equal(DiagnosticCode.RequirementNotSatisfied, failure.Code);
        Assert.Equal("https://example.com/other", failure.Actual);
    }

    [Fact]
    public void A_failed_verification_never_passes_a_policy()
    {
        var passing = Result(Provenance("org/app", "refs/tags/v1", Commit), GitHubSigner("org/app", "refs/tags/v1", Commit));
        Assert.False(PolicyEvaluator.Evaluate(Policy("org/app"), passing with { Verified = false }).Passed);
    }

    [Fact]
    public void A_self_hosted_runner_fails_a_policy_that_requires_a_github_hosted_one()
    {
        var der = _fulcio.IssueLeaf(new TestLeafOptions
        {
            SanUri = "https://github.com/org/app/.github/workflows/release.yml@refs/tags/v1",
            Extensions = [TestFulcio.FulcioExtension(8, Actions), TestFulcio.FulcioExtension(11, "self-hosted")],
        });
        Assert.True(FulcioCertificate.TryParse(der, out var certificate, out _));
        var signer = new Signer("keyless", certificate.PublicKey.KeyId, certificate.PublicKey.Algorithm, certificate);

        var result = PolicyEvaluator.Evaluate(Policy("org/app"), Result(Provenance("org/app", "refs/tags/v1", Commit), signer));

        var failure = Assert.Single(result.Checks, c => !c.Passed);
        Assert.Equal(DiagnosticCode.SignerMismatch, failure.Code);
        Assert.Equal("self-hosted", failure.Actual);
    }
}

public sealed class PolicyConditionTests
{
    private static readonly Provenance.Verification.Signer KeySigner = new("key", "SHA256:k", "ecdsa-p256-sha256");

    private static bool Passes(string conditions)
    {
        var statement = Statement.Parse(Encoding.UTF8.GetBytes(
            """{"_type":"https://in-toto.io/Statement/v1","subject":[{"digest":{"sha256":"AAAA"}}],"predicateType":"p","predicate":{"a":"x","n":3,"list":["first"]}}"""
                .Replace("AAAA", new string('a', 64), StringComparison.Ordinal)));
        Assert.True(PolicyLoader.TryLoad($"name: t\nrequire:\n  - predicateType: p\n    signer: {{ keyIds: [SHA256:k] }}\n    conditions:\n{conditions}",
            "p.yaml", new Dictionary<string, string>(), out var policy, out var problem), problem?.ToString());
        var result = new VerificationResult("a", [ArtifactDigest.Parse("sha256:" + new string('a', 64))], true,
            [new VerifiedAttestation("s", AttestationFormat.DsseEnvelope, statement, [KeySigner], [])], []);
        return PolicyEvaluator.Evaluate(policy!, result).Passed;
    }

    [Theory]
    [InlineData("      - { field: predicate.a, equals: x }", true)]
    [InlineData("      - { field: predicate.n, in: [\"2\", \"3\"] }", true)]
    [InlineData("      - { field: predicate.list.0, startsWith: fir }", true)]
    [InlineData("      - { field: predicate.a, exists: true }", true)]
    [InlineData("      - { field: predicate.missing, absent: true }", true)]
    [InlineData("      - { field: predicate.a, equals: y }", false)]
    [InlineData("      - { field: predicate.missing, equals: y }", false)]
    [InlineData("      - { not: { field: predicate.a, equals: y } }", true)]
    // A negative test never passes on a missing field.
    [InlineData("      - { not: { field: predicate.missing, equals: y } }", false)]
    [InlineData("      - { not: { not: { field: predicate.missing, equals: y } } }", false)]
    [InlineData("      - { any: [ { field: predicate.missing, equals: y }, { field: predicate.a, equals: x } ] }", true)]
    [InlineData("      - { any: [ { field: predicate.missing, equals: y }, { field: predicate.a, equals: z } ] }", false)]
    [InlineData("      - { not: { all: [ { field: predicate.missing, equals: y }, { field: predicate.a, equals: x } ] } }", false)]
    [InlineData("      - { not: { field: predicate.missing, exists: true } }", true)]
    [InlineData("      - { field: predicate, equals: x }", false)]
    [InlineData("      - { field: _type, equals: x }", false)]
    public void Conditions_are_three_valued_and_fail_closed(string conditions, bool expected)
    {
        Assert.Equal(expected, Passes(conditions));
    }
}
