using System.Collections.Immutable;
using Provenance.Policy;

namespace Provenance.Tests.Policy;

/// <summary>
/// The shorthand policies. Expected values: slsa-verifier's own cases (testdata/realworld/manifest.json, e.g. tag v14
/// satisfies --source-versioned-tag v14.0, tag v14.2 does not satisfy v14.2.1), and gh attestation verify's
/// documented defaults (the signer is a workflow of the owner unless --signer-repo or --signer-workflow says otherwise).
/// </summary>
public sealed class ShorthandPoliciesTests
{
    private const string Generic = "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml";

    [Theory]
    [InlineData("v14", "refs/tags/v14", true)]
    [InlineData("v14", "refs/tags/v14.2", true)]
    [InlineData("v14", "refs/tags/v14.2.1", true)]
    [InlineData("v14.0", "refs/tags/v14", true)]
    [InlineData("v14.0", "refs/tags/v14.0.7", true)]
    [InlineData("v14.2", "refs/tags/v14.2", true)]
    [InlineData("v13.0", "refs/tags/v13.0.30", true)]
    [InlineData("v13.0.30", "refs/tags/v13.0.30", true)]
    [InlineData("v14.2.1", "refs/tags/v14.2", false)]
    [InlineData("v14.1", "refs/tags/v14", false)]
    [InlineData("v13", "refs/tags/v14.2", false)]
    [InlineData("v1", "refs/tags/v14", false)]
    [InlineData("v13.0.29", "refs/tags/v13.0.30", false)]
    [InlineData("v14", "refs/heads/main", false)]
    [InlineData("v14", "refs/tags/v14-rc.1", false)]
    public void A_versioned_tag_matches_tags_with_the_given_components(string versioned, string sourceRef, bool matches) =>
        Assert.Equal(matches, StringMatcher.Matching(ShorthandPolicies.VersionedTagRefPattern(versioned)).Matches(sourceRef));

    [Theory]
    [InlineData("14")]
    [InlineData("v14.2.3.4")]
    [InlineData("v01")]
    [InlineData("vX")]
    public void A_malformed_versioned_tag_is_refused(string versioned) =>
        Assert.Throws<ArgumentException>(() => ShorthandPolicies.VersionedTagRefPattern(versioned));

    [Theory]
    [InlineData(Generic + "@refs/tags/v2.1.0")]
    [InlineData(Generic + "@v2.1.0")]
    [InlineData(Generic)]
    public void A_builder_id_matches_the_provenance_in_each_form(string builderId)
    {
        var provenance = Build(new SlsaVerifierFlags("github.com/org/repo", BuilderId: builderId)).Provenance!;
        Assert.True(provenance.BuilderId!.Matches(Generic + "@refs/tags/v2.1.0"));
        Assert.False(provenance.BuilderId.Matches(Generic.Replace("generic", "container", StringComparison.Ordinal) + "@refs/tags/v2.1.0"));
    }

    [Theory]
    [InlineData(Generic + "@refs/tags/v2.1.0", true)]
    [InlineData("https://github.com/slsa-framework/slsa-github-generator/.github/workflows/delegator_lowperms-generic_slsa3.yml@refs/tags/v1.10.0", true)]
    [InlineData(Generic + "@refs/heads/main", false)]
    [InlineData(Generic + "@refs/tags/v2.1.0-rc.0", false)]
    [InlineData("https://github.com/asraa/slsa-github-generator/.github/workflows/builder_go_slsa3.yml@refs/tags/v1.4.0", false)]
    [InlineData("https://github.com/bazel-contrib/publish-to-bcr/.github/workflows/publish.yaml@refs/tags/v0.0.1", false)]
    public void Without_a_builder_id_only_the_generators_release_workflows_may_sign(string signer, bool trusted)
    {
        var requirement = Build(new SlsaVerifierFlags("github.com/org/repo"));
        Assert.Equal(trusted, requirement.Signer!.Identity!.Matches(signer));
        Assert.Equal(ShorthandPolicies.GitHubActionsIssuer, requirement.Signer.Issuer!.Values[0]);
        Assert.True(requirement.Accepts("https://slsa.dev/provenance/v0.2"));
        Assert.True(requirement.Accepts("https://slsa.dev/provenance/v1"));
    }

    [Theory]
    [InlineData("https://github.com/slsa-framework/slsa-github-generator/.github/workflows/builder_maven_slsa3.yml@refs/tags/v2.1.0", true)]
    [InlineData("https://github.com/slsa-framework/example-trw/.github/workflows/builder_high-perms_slsa3.yml@refs/tags/v2.1.0", false)]
    public void Without_a_builder_id_a_delegator_must_name_a_generator_builder(string provenanceBuilderId, bool trusted) =>
        Assert.Equal(trusted, Build(new SlsaVerifierFlags("github.com/org/repo")).Provenance!.BuilderId!.Matches(provenanceBuilderId));

    [Fact]
    public void A_named_builder_may_sign_for_itself_at_a_tag()
    {
        var identity = Build(new SlsaVerifierFlags("github.com/org/repo", BuilderId: "https://github.com/bazel-contrib/publish-to-bcr/.github/workflows/publish.yaml")).Signer!.Identity!;
        Assert.True(identity.Matches("https://github.com/bazel-contrib/publish-to-bcr/.github/workflows/publish.yaml@refs/tags/v0.0.1"));
        Assert.False(identity.Matches("https://github.com/loosebazooka/aa-test/.github/workflows/malicious_attestation.yaml@refs/heads/main"));
        Assert.False(identity.Matches("https://github.com/bazel-contrib/publish-to-bcr/.github/workflows/publish.yaml@refs/heads/main"));
        Assert.False(identity.Matches("https://github.com/bazel-contrib/publish-to-bcr/.github/workflows/publish.yaml@refs/tags/v0.0.1-rc.1"));
    }

    [Fact]
    public void The_source_and_ref_flags_become_provenance_constraints()
    {
        var flags = new SlsaVerifierFlags("github.com/org/repo", SourceBranch: "main",
            BuildWorkflowInputs: ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [KeyValuePair.Create("release", "true")]));
        var provenance = Build(flags).Provenance!;
        Assert.True(provenance.SourceUri!.Matches("git+https://github.com/org/repo"));
        Assert.False(provenance.SourceUri.Matches("git+https://github.com/org/repo2"));
        Assert.True(provenance.SourceRef!.Matches("refs/heads/main"));
        Assert.False(provenance.SourceRef.Matches("refs/heads/master"));
        Assert.True(provenance.WorkflowInputs["release"].Matches("true"));
        Assert.True(Build(flags).Signer!.Extensions["gitHubWorkflowRepository"].Matches("org/repo"));
        Assert.True(Build(new SlsaVerifierFlags("github.com/org/repo", SourceTag: "v1.2")).Provenance!.SourceRef!.Matches("refs/tags/v1.2"));
        Assert.False(Build(new SlsaVerifierFlags("github.com/org/repo", SourceTag: "v1.2")).Provenance!.SourceRef!.Matches("refs/tags/v1.2.0"));
    }

    [Fact]
    public void Contradictory_slsa_verifier_flags_are_refused()
    {
        Assert.Throws<ArgumentException>(() => ShorthandPolicies.FromSlsaVerifier(new SlsaVerifierFlags("github.com/org/repo", SourceBranch: "main", SourceTag: "v1")));
        Assert.Throws<ArgumentException>(() => ShorthandPolicies.FromSlsaVerifier(new SlsaVerifierFlags("")));
    }

    [Fact]
    public void The_gh_signer_defaults_to_a_workflow_of_the_owner()
    {
        var signer = Assert.Single(ShorthandPolicies.FromGitHubAttestation(new GitHubAttestationFlags(Repo: "org/app")).Requirements).Signer!;
        Assert.True(signer.Identity!.Matches("https://github.com/org/app/.github/workflows/release.yml@refs/heads/main"));
        Assert.True(signer.Identity.Matches("https://github.com/org/shared/.github/workflows/build.yml@refs/tags/v1"));
        Assert.False(signer.Identity.Matches("https://github.com/other/app/.github/workflows/release.yml@refs/heads/main"));
        Assert.True(signer.Extensions["sourceRepositoryUri"].Matches("https://github.com/org/app"));
        Assert.True(signer.Extensions["sourceRepositoryOwnerUri"].Matches("https://github.com/org"));
        Assert.False(signer.Extensions.ContainsKey("runnerEnvironment"));
    }

    [Fact]
    public void The_gh_signer_flags_and_source_flags_constrain_the_certificate()
    {
        var requirement = Assert.Single(ShorthandPolicies.FromGitHubAttestation(new GitHubAttestationFlags(
            Owner: "org", SignerWorkflow: "github.com/acme/ci/.github/workflows/sign.yml", SourceRef: "refs/heads/main",
            SourceDigest: "abc123", PredicateType: "https://in-toto.io/attestation/release/v0.1", DenySelfHostedRunners: true)).Requirements);
        Assert.Equal("https://in-toto.io/attestation/release/v0.1", requirement.PredicateType);
        var signer = requirement.Signer!;
        Assert.True(signer.Identity!.Matches("https://github.com/acme/ci/.github/workflows/sign.yml@refs/tags/v3"));
        Assert.False(signer.Identity.Matches("https://github.com/acme/ci/.github/workflows/other.yml@refs/tags/v3"));
        Assert.True(signer.Extensions["sourceRepositoryRef"].Matches("refs/heads/main"));
        Assert.True(signer.Extensions["sourceRepositoryDigest"].Matches("abc123"));
        Assert.True(signer.Extensions["runnerEnvironment"].Matches("github-hosted"));
        Assert.False(signer.Extensions.ContainsKey("sourceRepositoryUri"));
    }

    [Theory]
    [InlineData(null, null, null, null)]
    [InlineData("org", null, "org/a/.github/workflows/x.yml", "org/a")]
    [InlineData(null, "not-owner-slash-name", null, null)]
    public void Incomplete_or_contradictory_gh_flags_are_refused(string? owner, string? repo, string? signerWorkflow, string? signerRepo) =>
        Assert.Throws<ArgumentException>(() => ShorthandPolicies.FromGitHubAttestation(new GitHubAttestationFlags(owner, repo, signerWorkflow, signerRepo)));

    private static Requirement Build(SlsaVerifierFlags flags) => Assert.Single(ShorthandPolicies.FromSlsaVerifier(flags).Requirements);
}
