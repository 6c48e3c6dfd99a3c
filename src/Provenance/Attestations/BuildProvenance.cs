using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Provenance.Json;

namespace Provenance.Attestations;

/// <summary>
/// One view of SLSA build provenance across SLSA Provenance v0.2 (https://slsa.dev/provenance/v0.2) and v1
/// (https://slsa.dev/provenance/v1), the fields policies check. The field correspondences are those of the v1
/// spec's "Migrating from 0.2" section: invocation.parameters → externalParameters, invocation.environment →
/// internalParameters, materials → resolvedDependencies, metadata.buildInvocationId → invocationId. Where the
/// source came from is defined per build type, so <see cref="SourceRepositoryUri"/> and friends are read per
/// builder family; a field the provenance does not state is null, and a policy on it fails.
/// </summary>
public sealed record BuildProvenance
{
    /// <summary>The draft predicate type of SLSA v1 (in the SLSA repository's own examples), read as v1.</summary>
    public const string PredicateTypeV1Draft = "https://slsa.dev/provenance/v1?draft";

    /// <summary>The draft predicate type of SLSA v1.0 (written by slsa-github-generator before v1 was final), read as v1.</summary>
    public const string PredicateTypeV10Draft = "https://slsa.dev/provenance/v1.0?draft";

    // GitHub Actions workflow build types, which record the workflow in externalParameters.workflow:
    // https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1 (npm, GitHub artifact attestations),
    // its successor on actions.github.io, and the SLSA repository's draft example.
    private static readonly ImmutableHashSet<string> GitHubWorkflowBuildTypes = ImmutableHashSet.Create(StringComparer.Ordinal,
        "https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1",
        "https://actions.github.io/buildtypes/workflow/v1",
        "https://slsa.dev/github-actions-workflow/v1?draft");

    // Google Cloud Build types, which record the build config file in externalParameters.buildConfigSource
    // (https://cloud.google.com/build/gcb-buildtypes/google-worker/v1) or .configSource (the SLSA draft example).
    private static readonly ImmutableDictionary<string, string> CloudBuildConfigMembers = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["https://cloud.google.com/build/gcb-buildtypes/google-worker/v1"] = "buildConfigSource",
        ["https://slsa.dev/gcb-triggered-build/v1?draft"] = "configSource",
    }.ToImmutableDictionary(StringComparer.Ordinal);

    private BuildProvenance(string predicateType, string builderId, string buildType)
    {
        PredicateType = predicateType;
        BuilderId = builderId;
        BuildType = buildType;
    }

    /// <summary>The statement's predicate type, as written.</summary>
    public string PredicateType { get; }

    /// <summary>The builder's id: v0.2 <c>builder.id</c>, v1 <c>runDetails.builder.id</c>.</summary>
    public string BuilderId { get; }

    /// <summary>The build type URI: v0.2 <c>buildType</c>, v1 <c>buildDefinition.buildType</c>.</summary>
    public string BuildType { get; }

    /// <summary>The source repository, always as <c>git+https://host/org/repo</c> with no ref; null when not stated.</summary>
    public string? SourceRepositoryUri { get; private init; }

    /// <summary>The git ref built, for example <c>refs/tags/v1.2.3</c>; null when not stated.</summary>
    public string? SourceRef { get; private init; }

    /// <summary>The commit built (the source's <c>gitCommit</c> or <c>sha1</c> digest); null when not stated.</summary>
    public string? SourceCommit { get; private init; }

    /// <summary>
    /// The build configuration file the build ran, relative to the source: the GitHub Actions workflow
    /// (v0.2 <c>invocation.configSource.entryPoint</c>, v1 <c>externalParameters.workflow.path</c>) or the Cloud
    /// Build config file; null when not stated.
    /// </summary>
    public string? WorkflowPath { get; private init; }

    /// <summary>v0.2 <c>invocation.parameters</c> / v1 <c>buildDefinition.externalParameters</c>; <see cref="JsonValueKind.Undefined"/> when absent.</summary>
    public JsonElement ExternalParameters { get; private init; }

    /// <summary>v0.2 <c>invocation.environment</c> / v1 <c>buildDefinition.internalParameters</c>; <see cref="JsonValueKind.Undefined"/> when absent.</summary>
    public JsonElement InternalParameters { get; private init; }

    /// <summary>v0.2 <c>metadata.buildInvocationId</c> / v1 <c>runDetails.metadata.invocationId</c>.</summary>
    public string? InvocationId { get; private init; }

    /// <summary>v0.2 <c>metadata.buildStartedOn</c> / v1 <c>runDetails.metadata.startedOn</c>.</summary>
    public DateTimeOffset? StartedOn { get; private init; }

    /// <summary>v0.2 <c>metadata.buildFinishedOn</c> / v1 <c>runDetails.metadata.finishedOn</c>.</summary>
    public DateTimeOffset? FinishedOn { get; private init; }

    /// <summary>v0.2 <c>materials</c> / v1 <c>buildDefinition.resolvedDependencies</c>.</summary>
    public ImmutableArray<ResourceDescriptor> ResolvedDependencies { get; private init; } = [];

    /// <summary>The full v0.2 predicate when the provenance is v0.2, else null.</summary>
    public SlsaProvenanceV02? V02 { get; private init; }

    /// <summary>The full v1 predicate when the provenance is v1 (or a v1 draft), else null.</summary>
    public SlsaProvenanceV1? V1 { get; private init; }

    /// <summary>True for the predicate types this view reads: SLSA Provenance v0.2, v1 and the two v1 drafts.</summary>
    public static bool IsSlsaProvenance(string predicateType) =>
        predicateType is SlsaProvenanceV02.PredicateType or SlsaProvenanceV1.PredicateType or PredicateTypeV1Draft or PredicateTypeV10Draft;

    /// <summary>
    /// Reads the provenance in <paramref name="statement"/>. Returns false with no problem when the predicate is
    /// not SLSA provenance, and false with the problem when it is but does not follow its spec.
    /// </summary>
    public static bool TryFrom(Statement statement, [NotNullWhen(true)] out BuildProvenance? provenance, out Problem? problem)
    {
        ArgumentNullException.ThrowIfNull(statement);
        provenance = null;
        problem = null;
        if (!IsSlsaProvenance(statement.PredicateType))
        {
            return false;
        }

        try
        {
            provenance = FromPredicate(statement.PredicateType, statement.Predicate, "$.predicate");
            return true;
        }
        catch (InvalidInputException e)
        {
            problem = e.Problem;
            return false;
        }
    }

    /// <summary>Reads a SLSA predicate of a type <see cref="IsSlsaProvenance"/> accepts; throws for malformed input.</summary>
    internal static BuildProvenance FromPredicate(string predicateType, JsonElement predicate, string path)
    {
        PredicateJson.RequirePredicateObject(predicate, path, predicateType);
        return predicateType == SlsaProvenanceV02.PredicateType
            ? FromV02(predicateType, SlsaProvenanceV02.Parse(predicate, path))
            : FromV1(predicateType, SlsaProvenanceV1.Parse(predicate, path), path);
    }

    private static BuildProvenance FromV02(string predicateType, SlsaProvenanceV02 v02)
    {
        // Every v0.2 builder seen (slsa-github-generator, npm, GitHub's early npm builder) names the source as
        // invocation.configSource: uri "git+https://github.com/org/repo@refs/heads/main", digest.sha1, entryPoint.
        var configSource = v02.Invocation.ConfigSource;
        var (repository, gitRef) = SplitRef(configSource?.Uri);
        return new BuildProvenance(predicateType, v02.BuilderId, v02.BuildType)
        {
            SourceRepositoryUri = repository,
            SourceRef = gitRef,
            SourceCommit = configSource is null ? null : CommitOf(configSource.Digest),
            WorkflowPath = configSource?.EntryPoint,
            ExternalParameters = v02.Invocation.Parameters,
            InternalParameters = v02.Invocation.Environment,
            InvocationId = v02.Metadata.BuildInvocationId,
            StartedOn = v02.Metadata.BuildStartedOn,
            FinishedOn = v02.Metadata.BuildFinishedOn,
            ResolvedDependencies = v02.Materials,
            V02 = v02,
        };
    }

    private static BuildProvenance FromV1(string predicateType, SlsaProvenanceV1 v1, string path)
    {
        var definition = v1.BuildDefinition;
        var (repository, gitRef, configPath) = ConfigSourceOf(definition,
            StrictJson.Child(StrictJson.Child(path, "buildDefinition"), "externalParameters"));
        string? commit = null;
        if (repository is not null)
        {
            // The commit is the digest of the resolved dependency naming exactly this repository and ref.
            var sourceUri = gitRef is null ? repository : repository + "@" + gitRef;
            commit = definition.ResolvedDependencies
                .Where(d => string.Equals(d.Uri, sourceUri, StringComparison.Ordinal))
                .Select(d => CommitOf(d.Digest))
                .FirstOrDefault(c => c is not null);
        }
        else if (definition.ResolvedDependencies is [{ Uri: { } firstUri } first, ..]
            && firstUri.StartsWith("git+", StringComparison.Ordinal))
        {
            // Other builders (slsa-github-generator's delegator and container-based builders) put the source
            // first in resolvedDependencies, as "git+https://github.com/org/repo@refs/…" with its commit.
            (repository, gitRef) = SplitRef(firstUri);
            commit = CommitOf(first.Digest);
        }

        return new BuildProvenance(predicateType, v1.RunDetails.BuilderId, definition.BuildType)
        {
            SourceRepositoryUri = repository,
            SourceRef = gitRef,
            SourceCommit = commit,
            WorkflowPath = configPath,
            ExternalParameters = definition.ExternalParameters,
            InternalParameters = definition.InternalParameters,
            InvocationId = v1.RunDetails.InvocationId,
            StartedOn = v1.RunDetails.StartedOn,
            FinishedOn = v1.RunDetails.FinishedOn,
            ResolvedDependencies = definition.ResolvedDependencies,
            V1 = v1,
        };
    }

    /// <summary>The {repository, ref, path} object that GitHub Actions and Cloud Build types keep in externalParameters.</summary>
    private static (string? Repository, string? Ref, string? Path) ConfigSourceOf(SlsaBuildDefinitionV1 definition, string path)
    {
        var member = GitHubWorkflowBuildTypes.Contains(definition.BuildType) ? "workflow"
            : CloudBuildConfigMembers.TryGetValue(definition.BuildType, out var name) ? name
            : null;
        if (member is null)
        {
            return (null, null, null);
        }

        var config = PredicateJson.OptionalObject(definition.ExternalParameters, member, path);
        if (config.ValueKind == JsonValueKind.Undefined)
        {
            return (null, null, null);
        }

        var configPath = StrictJson.Child(path, member);
        var repository = StrictJson.OptionalString(config, "repository", configPath);
        // GitHub writes "https://github.com/org/repo", Cloud Build "git+https://…"; the view always says "git+".
        if (repository is not null && !repository.StartsWith("git+", StringComparison.Ordinal))
        {
            repository = "git+" + repository;
        }

        return (repository, StrictJson.OptionalString(config, "ref", configPath), StrictJson.OptionalString(config, "path", configPath));
    }

    /// <summary>Splits "git+https://host/org/repo@refs/heads/main" into the repository and the ref.</summary>
    private static (string? Repository, string? Ref) SplitRef(string? uri)
    {
        if (uri is null)
        {
            return (null, null);
        }

        // Only an "@" followed by a full ref separates one: "git+ssh://git@host/…" or an image "…@sha256:…" must not split.
        var at = uri.LastIndexOf('@');
        return at > 0 && uri.AsSpan(at + 1).StartsWith("refs/", StringComparison.Ordinal)
            ? (uri[..at], uri[(at + 1)..])
            : (uri, null);
    }

    private static string? CommitOf(DigestSet digest) => digest["gitCommit"] ?? digest["sha1"];
}
