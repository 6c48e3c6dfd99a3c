using System.Text.Json;
using System.Text.Json.Nodes;
using Provenance.Attestations;

namespace Provenance.Tests.Attestations;

/// <summary>
/// The normalised SLSA view, one real attestation per builder family. Expected values are transcribed from the
/// decoded statement of each file (manifest.json's predicate_summary where it lists the field).
/// </summary>
public sealed class BuildProvenanceTests
{
    private const string GenericV02 = "slsa-verifier/cli/slsa-verifier/testdata/gha_generic/v1.10.0/binary-linux-amd64-workflow_dispatch.intoto.jsonl";
    private const string GoV02Tag = "slsa-verifier/cli/slsa-verifier/testdata/gha_go/v1.10.0/binary-linux-amd64-push-v14.intoto.jsonl";
    private const string GitHubV1 = "cli/pkg/cmd/attestation/test/data/sigstore-js-2.1.0-bundle.json";
    private const string NpmV02 = "slsa-verifier/cli/slsa-verifier/testdata/npm/gha/provenance-npm-test-ossf.tgz.json";
    private const string NpmV1 = "slsa-verifier/cli/slsa-verifier/testdata/npm/gha/gundam-visor-cli-v1-tag.tgz.json";
    private const string CloudBuildV1 = "slsa-verifier/verifiers/internal/gcb/testdata/v1.0-gcloud-container-github-v1.0-valid.json";

    private static BuildProvenance Provenance(Statement statement)
    {
        Assert.True(BuildProvenance.TryFrom(statement, out var provenance, out var problem), problem?.ToString());
        Assert.Null(problem);
        return provenance;
    }

    private static Problem Failure(JsonNode statement)
    {
        Assert.False(BuildProvenance.TryFrom(RealWorldStatements.Parse(statement), out var provenance, out var problem));
        Assert.Null(provenance);
        return Assert.IsType<Problem>(problem);
    }

    [Fact]
    public void Slsa_github_generator_v02_generic_builder()
    {
        var provenance = Provenance(RealWorldStatements.SignedStatement(GenericV02));

        // manifest.json predicate_summary: builder_id, buildType, configSource {uri, digest.sha1, entryPoint}.
        Assert.Equal("https://slsa.dev/provenance/v0.2", provenance.PredicateType);
        Assert.Equal("https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml@refs/tags/v1.10.0", provenance.BuilderId);
        Assert.Equal("https://github.com/slsa-framework/slsa-github-generator/generic@v1", provenance.BuildType);
        Assert.Equal("git+https://github.com/slsa-framework/example-package", provenance.SourceRepositoryUri);
        Assert.Equal("refs/heads/main", provenance.SourceRef);
        Assert.Equal("d37a7f740ee7404914456f24dcd90e865a0509e8", provenance.SourceCommit);
        Assert.Equal(".github/workflows/verifier-e2e.all.workflow_dispatch.main.all.slsa3.yml", provenance.WorkflowPath);
        // metadata.buildInvocationID (the generator's spelling) in the payload.
        Assert.Equal("8373482618-1", provenance.InvocationId);
        Assert.Null(provenance.StartedOn);
        // invocation.parameters is {} and invocation.environment.github_event_name is "workflow_dispatch".
        Assert.Equal(JsonValueKind.Object, provenance.ExternalParameters.ValueKind);
        Assert.Equal("workflow_dispatch", provenance.InternalParameters.GetProperty("github_event_name").GetString());
        var material = Assert.Single(provenance.ResolvedDependencies);
        Assert.Equal("git+https://github.com/slsa-framework/example-package@refs/heads/main", material.Uri);
        Assert.Equal(true, provenance.V02!.Metadata.ParametersComplete);
        Assert.Equal(false, provenance.V02.Metadata.Reproducible);
        Assert.Null(provenance.V1);
    }

    [Fact]
    public void Slsa_github_generator_v02_go_builder_on_a_tag()
    {
        var provenance = Provenance(RealWorldStatements.SignedStatement(GoV02Tag));

        // configSource.uri "git+https://github.com/slsa-framework/example-package@refs/tags/v14" in the payload.
        Assert.Equal("git+https://github.com/slsa-framework/example-package", provenance.SourceRepositoryUri);
        Assert.Equal("refs/tags/v14", provenance.SourceRef);
        Assert.Equal("d37a7f740ee7404914456f24dcd90e865a0509e8", provenance.SourceCommit);
        Assert.Equal("8373486918-1", provenance.InvocationId);
        // Two materials: the source, and the runner image with no digest.
        Assert.Equal(2, provenance.ResolvedDependencies.Length);
        Assert.True(provenance.ResolvedDependencies[1].Digest.IsEmpty);
    }

    [Fact]
    public void GitHub_artifact_attestation_v1()
    {
        var provenance = Provenance(RealWorldStatements.SignedStatement(GitHubV1));

        // externalParameters.workflow {ref, repository, path} and resolvedDependencies[0].digest.gitCommit.
        Assert.Equal("https://slsa.dev/provenance/v1", provenance.PredicateType);
        Assert.Equal("https://github.com/actions/runner/github-hosted", provenance.BuilderId);
        Assert.Equal("https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1", provenance.BuildType);
        Assert.Equal("git+https://github.com/sigstore/sigstore-js", provenance.SourceRepositoryUri);
        Assert.Equal("refs/heads/main", provenance.SourceRef);
        Assert.Equal("26d16513386ffaa790b1c32f927544f1322e4194", provenance.SourceCommit);
        Assert.Equal(".github/workflows/release.yml", provenance.WorkflowPath);
        Assert.Equal("https://github.com/sigstore/sigstore-js/actions/runs/6014488666/attempts/1", provenance.InvocationId);
        Assert.Equal("push", provenance.InternalParameters.GetProperty("github").GetProperty("event_name").GetString());
        Assert.Equal("https://github.com/sigstore/sigstore-js",
            provenance.ExternalParameters.GetProperty("workflow").GetProperty("repository").GetString());
        Assert.NotNull(provenance.V1);
        Assert.Null(provenance.V02);
    }

    [Fact]
    public void Bazel_central_registry_v1_with_the_actions_github_io_build_type()
    {
        var provenance = Provenance(RealWorldStatements.SignedStatement("slsa-verifier/cli/slsa-verifier/testdata/bcr/MODULE.bazel.intoto.jsonl"));

        // buildType https://actions.github.io/buildtypes/workflow/v1; workflow ref refs/heads/publish-to-bcr.
        Assert.Equal("https://github.com/bazel-contrib/publish-to-bcr/.github/workflows/publish.yaml@refs/tags/v0.0.1", provenance.BuilderId);
        Assert.Equal("git+https://github.com/aspect-build/rules_lint", provenance.SourceRepositoryUri);
        Assert.Equal("refs/heads/publish-to-bcr", provenance.SourceRef);
        Assert.Equal("8f70009fde0c94ade6ce2a054b94718c819126ec", provenance.SourceCommit);
        Assert.Equal(".github/workflows/release.yml", provenance.WorkflowPath);
    }

    [Fact]
    public void Npm_provenance_v02()
    {
        // npm's attestations file: [0] the publish attestation, [1] the SLSA provenance.
        var publish = RealWorldStatements.SignedStatement(NpmV02, 0);
        Assert.False(BuildProvenance.TryFrom(publish, out _, out var notProvenance));
        Assert.Null(notProvenance);

        var provenance = Provenance(RealWorldStatements.SignedStatement(NpmV02, 1));

        // manifest.json predicate_summary for the second statement.
        Assert.Equal("https://github.com/slsa-framework/slsa-github-generator/.github/workflows/builder_nodejs_slsa3.yml@refs/tags/v1.6.0", provenance.BuilderId);
        Assert.Equal("https://github.com/slsa-framework/slsa-github-generator/delegator-generic@v0", provenance.BuildType);
        Assert.Equal("git+https://github.com/laurentsimon/provenance-npm-test", provenance.SourceRepositoryUri);
        Assert.Equal("refs/heads/main", provenance.SourceRef);
        Assert.Equal("34490b44db557f009617bcb92b8780f972c189ab", provenance.SourceCommit);
        Assert.Equal(".github/workflows/release-slsa3.yml", provenance.WorkflowPath);
        Assert.Equal("5016782196-1", provenance.InvocationId);
    }

    [Fact]
    public void Npm_provenance_v1_on_a_tag()
    {
        var provenance = Provenance(RealWorldStatements.SignedStatement(NpmV1, 1));

        // externalParameters.workflow {ref refs/tags/v1.0.1, repository, path .github/workflows/npm-publish.yml}.
        Assert.Equal("https://github.com/actions/runner/github-hosted", provenance.BuilderId);
        Assert.Equal("git+https://github.com/ramonpetgrave64/gundam-visor", provenance.SourceRepositoryUri);
        Assert.Equal("refs/tags/v1.0.1", provenance.SourceRef);
        Assert.Equal("599500821344b070902a7a5666064bfdaba715df", provenance.SourceCommit);
        Assert.Equal(".github/workflows/npm-publish.yml", provenance.WorkflowPath);
    }

    [Fact]
    public void Google_Cloud_Build_v1()
    {
        // The gcloud output holds two envelopes; the first carries the SLSA v1 statement.
        var provenance = Provenance(RealWorldStatements.SignedStatement(CloudBuildV1, 0));

        // manifest.json predicate_summary: builder_id, buildType, resolvedDependencies0, invocationId;
        // externalParameters.buildConfigSource {path cloudbuild.yaml, ref refs/heads/main, repository git+https://…}.
        Assert.Equal("https://cloudbuild.googleapis.com/GoogleHostedWorker", provenance.BuilderId);
        Assert.Equal("https://cloud.google.com/build/gcb-buildtypes/google-worker/v1", provenance.BuildType);
        Assert.Equal("git+https://github.com/khalkie/gcb-prod-prov", provenance.SourceRepositoryUri);
        Assert.Equal("refs/heads/main", provenance.SourceRef);
        Assert.Equal("2ce3f90facdb51aeb950d5bc641e981be61fdf48", provenance.SourceCommit);
        Assert.Equal("cloudbuild.yaml", provenance.WorkflowPath);
        Assert.Equal("https://cloudbuild.googleapis.com/v1/projects/argo-local-khalk/locations/us-west2/builds/9c11d255-0469-4a6a-b7d0-d510c6697c54",
            provenance.InvocationId);
        // startedOn "2023-08-08T18:40:21.016140505Z" (nanoseconds, cut to 100 ns) and finishedOn "2023-08-08T18:40:29.055034Z".
        Assert.Equal(new DateTimeOffset(2023, 8, 8, 18, 40, 21, TimeSpan.Zero).AddTicks(0_161_405), provenance.StartedOn);
        Assert.Equal(new DateTimeOffset(2023, 8, 8, 18, 40, 29, TimeSpan.Zero).AddTicks(0_550_340), provenance.FinishedOn);
        Assert.Equal(2, provenance.ResolvedDependencies.Length);
        Assert.Equal("d048af25a6f8945fa77e3aa679e49a8f8a8011f0050aab0364034e58f445a434", provenance.ResolvedDependencies[1].Digest["sha256"]);
        // runDetails.byproducts is [{}]: accepted, see ResourceDescriptor.
        Assert.Single(provenance.V1!.RunDetails.Byproducts);
    }

    [Fact]
    public void Slsa_github_generator_v1_delegator_takes_the_source_from_resolved_dependencies()
    {
        var provenance = Provenance(RealWorldStatements.SignedStatement("slsa-verifier/cli/slsa-verifier/testdata/gha_delegator/v2.1.0/binary-linux-amd64-push-v14.build.slsa"));

        // resolvedDependencies[0]: "git+https://github.com/slsa-framework/example-package@refs/tags/v14", gitCommit 4d329c75….
        Assert.Equal("https://github.com/slsa-framework/example-trw/.github/workflows/builder_high-perms_slsa3.yml@refs/tags/v2.1.0", provenance.BuilderId);
        Assert.Equal("git+https://github.com/slsa-framework/example-package", provenance.SourceRepositoryUri);
        Assert.Equal("refs/tags/v14", provenance.SourceRef);
        Assert.Equal("4d329c75e7ec1725f7c9ce917a8799d408d06be3", provenance.SourceCommit);
        Assert.Null(provenance.WorkflowPath);
    }

    [Fact]
    public void Plain_v01_statement_from_npm()
    {
        var provenance = Provenance(RealWorldStatements.PlainStatement("sigstore-go/examples/statement-provenance-sigstorejs1.3.0.json"));

        // The file's predicate: builder "https://github.com/actions/runner", buildType npm/cli/gha/v2, configSource.
        Assert.Equal("https://github.com/actions/runner", provenance.BuilderId);
        Assert.Equal("https://github.com/npm/cli/gha/v2", provenance.BuildType);
        Assert.Equal("git+https://github.com/sigstore/sigstore-js", provenance.SourceRepositoryUri);
        Assert.Equal("refs/heads/main", provenance.SourceRef);
        Assert.Equal("dae8bd8eb433a4147b4655c00fe73e0f22bc0fb1", provenance.SourceCommit);
        Assert.Equal("4735384265-1", provenance.InvocationId);
    }

    [Fact]
    public void Slsa_spec_GitHub_Actions_example()
    {
        // The statement layer of this example is a draft (_type ".../Statement/v1?draft", refused by Statement),
        // so its predicate is read directly.
        using var document = JsonDocument.Parse(RealWorldStatements.Bytes("slsa/docs/github-actions-workflow/examples/v1/example.json"));
        var root = document.RootElement;
        var predicateType = root.GetProperty("predicateType").GetString()!;

        var provenance = BuildProvenance.FromPredicate(predicateType, root.GetProperty("predicate"), "$.predicate");

        // Values from the example file.
        Assert.Equal("https://slsa.dev/provenance/v1?draft", provenance.PredicateType);
        Assert.Equal("https://github.com/slsa-framework/slsa-github-generator/.github/workflows/builder_go_slsa3.yml@refs/tags/v0.0.1", provenance.BuilderId);
        Assert.Equal("https://slsa.dev/github-actions-workflow/v1?draft", provenance.BuildType);
        Assert.Equal("git+https://github.com/octocat/hello-world", provenance.SourceRepositoryUri);
        Assert.Equal("refs/heads/main", provenance.SourceRef);
        Assert.Equal("c27d339ee6075c1f744c5d4b200f7901aad2c369", provenance.SourceCommit);
        Assert.Equal(".github/workflow/release.yml", provenance.WorkflowPath);
        Assert.Equal(new DateTimeOffset(2023, 1, 1, 12, 34, 56, TimeSpan.Zero), provenance.StartedOn);
        Assert.Equal("Mona", provenance.ExternalParameters.GetProperty("vars").GetProperty("MASCOT").GetString());
    }

    [Fact]
    public void Slsa_spec_Cloud_Build_example_has_no_builder()
    {
        // The draft Cloud Build example omits runDetails.builder, which the final v1 spec requires.
        using var document = JsonDocument.Parse(RealWorldStatements.Bytes("slsa/docs/gcb-triggered-build/examples/v1/example.json"));
        var root = document.RootElement;

        var error = Assert.Throws<InvalidInputException>(() =>
            BuildProvenance.FromPredicate(root.GetProperty("predicateType").GetString()!, root.GetProperty("predicate"), "$.predicate"));

        Assert.Equal(DiagnosticCode.MissingField, error.Problem.Code);
        Assert.Equal("$.predicate.runDetails", error.Problem.Location);
    }

    [Fact]
    public void Slsa_spec_Cloud_Build_example_source_when_a_builder_is_added()
    {
        var node = RealWorldStatements.PlainStatementNode("slsa/docs/gcb-triggered-build/examples/v1/example.json");
        node["predicate"]!["runDetails"]!["builder"] = new JsonObject { ["id"] = "https://cloudbuild.googleapis.com/GoogleHostedWorker" };
        using var document = JsonDocument.Parse(node.ToJsonString());

        var provenance = BuildProvenance.FromPredicate(node["predicateType"]!.GetValue<string>(),
            document.RootElement.GetProperty("predicate"), "$.predicate");

        // externalParameters.configSource {repository "https://github.com/GoogleCloudPlatform/cloud-build-samples",
        // ref refs/heads/main, path basic-config/cloudbuild.yaml}; resolvedDependencies[0].digest.sha1.
        Assert.Equal("git+https://github.com/GoogleCloudPlatform/cloud-build-samples", provenance.SourceRepositoryUri);
        Assert.Equal("refs/heads/main", provenance.SourceRef);
        Assert.Equal("bb0fe8075f92bb82b679afe400a47b106f0cec4b", provenance.SourceCommit);
        Assert.Equal("basic-config/cloudbuild.yaml", provenance.WorkflowPath);
    }

    [Fact]
    public void Draft_v10_predicate_is_read_as_v1()
    {
        // slsa-github-generator's pre-release "https://slsa.dev/provenance/v1.0?draft" keeps its source in
        // externalParameters.source.artifact with no resolvedDependencies, which the view does not guess at.
        var provenance = Provenance(RealWorldStatements.SignedStatement("slsa-verifier/verifiers/internal/gha/testdata/bundle/mismatch-tlog.intoto.sigstore"));

        Assert.Equal("https://slsa.dev/provenance/v1.0?draft", provenance.PredicateType);
        Assert.Equal("https://github.com/asraa/slsa-on-github/.github/workflows/goreleaser_slsa3.yml@refs/heads/main", provenance.BuilderId);
        Assert.Null(provenance.SourceRepositoryUri);
        Assert.Null(provenance.SourceCommit);
    }

    [Fact]
    public void Non_slsa_predicate_is_not_provenance()
    {
        var statement = RealWorldStatements.SignedStatement("cli/pkg/cmd/attestation/test/data/github_release_bundle.json");

        Assert.False(BuildProvenance.TryFrom(statement, out var provenance, out var problem));
        Assert.Null(provenance);
        Assert.Null(problem);
    }

    [Theory]
    [InlineData("\"not an object\"", DiagnosticCode.InvalidField)]
    [InlineData("[]", DiagnosticCode.InvalidField)]
    [InlineData(null, DiagnosticCode.MissingField)]
    public void Predicate_must_be_an_object(string? predicate, DiagnosticCode expected)
    {
        var node = RealWorldStatements.SignedStatementNode(GitHubV1);
        node.Remove("predicate");
        if (predicate is not null)
        {
            node["predicate"] = JsonNode.Parse(predicate);
        }

        var problem = Failure(node);

        Assert.Equal(expected, problem.Code);
        Assert.Equal("$.predicate", problem.Location);
    }

    [Theory]
    [InlineData("2023-08-08 18:40:21Z")] // space for T
    [InlineData("2023-08-08T18:40:21")] // no offset
    [InlineData("2023-02-30T18:40:21Z")] // no such day
    [InlineData("2023-08-08T18:40:21.Z")] // empty fraction
    [InlineData("8 August 2023")]
    public void Bad_v1_timestamp(string value)
    {
        var node = RealWorldStatements.SignedStatementNode(CloudBuildV1);
        node["predicate"]!["runDetails"]!["metadata"]!["startedOn"] = value;

        var problem = Failure(node);

        Assert.Equal(DiagnosticCode.InvalidField, problem.Code);
        Assert.Equal("$.predicate.runDetails.metadata.startedOn", problem.Location);
    }

    [Fact]
    public void Bad_v02_timestamp()
    {
        var node = RealWorldStatements.SignedStatementNode(GenericV02);
        node["predicate"]!["metadata"]!["buildStartedOn"] = "2024-03-21T10:34:02+0000";

        var problem = Failure(node);

        Assert.Equal(DiagnosticCode.InvalidField, problem.Code);
        Assert.Equal("$.predicate.metadata.buildStartedOn", problem.Location);
    }

    [Fact]
    public void Missing_v1_builder_id()
    {
        var node = RealWorldStatements.SignedStatementNode(GitHubV1);
        node["predicate"]!["runDetails"]!["builder"]!.AsObject().Remove("id");

        var problem = Failure(node);

        Assert.Equal(DiagnosticCode.MissingField, problem.Code);
        Assert.Equal("$.predicate.runDetails.builder", problem.Location);
    }

    [Fact]
    public void Missing_v02_builder()
    {
        var node = RealWorldStatements.SignedStatementNode(GenericV02);
        node["predicate"]!.AsObject().Remove("builder");

        Assert.Equal(DiagnosticCode.MissingField, Failure(node).Code);
    }

    [Fact]
    public void V1_external_parameters_must_be_an_object()
    {
        var node = RealWorldStatements.SignedStatementNode(GitHubV1);
        node["predicate"]!["buildDefinition"]!["externalParameters"] = "workflow";

        var problem = Failure(node);

        Assert.Equal(DiagnosticCode.InvalidField, problem.Code);
        Assert.Equal("$.predicate.buildDefinition.externalParameters", problem.Location);
    }

    [Fact]
    public void Bad_hex_in_a_material()
    {
        var node = RealWorldStatements.SignedStatementNode(GenericV02);
        node["predicate"]!["materials"]![0]!["digest"]!["sha1"] = "d37a7f74";

        var problem = Failure(node);

        Assert.Equal(DiagnosticCode.InvalidDigest, problem.Code);
        Assert.Equal("$.predicate.materials[0].digest.sha1", problem.Location);
    }

    [Fact]
    public void A_workflow_ref_not_in_resolved_dependencies_leaves_the_commit_unknown()
    {
        // The commit is taken only from the dependency naming the same repository and ref, never from another.
        var node = RealWorldStatements.SignedStatementNode(GitHubV1);
        node["predicate"]!["buildDefinition"]!["externalParameters"]!["workflow"]!["ref"] = "refs/tags/v9.9.9";

        Assert.True(BuildProvenance.TryFrom(RealWorldStatements.Parse(node), out var provenance, out _));

        Assert.Equal("refs/tags/v9.9.9", provenance.SourceRef);
        Assert.Null(provenance.SourceCommit);
    }
}
