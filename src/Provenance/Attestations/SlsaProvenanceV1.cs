using System.Collections.Immutable;
using System.Text.Json;
using Provenance.Json;

namespace Provenance.Attestations;

/// <summary>
/// A SLSA Provenance v1 predicate (https://slsa.dev/provenance/v1): <c>buildDefinition</c> (what the build was
/// asked to do) and <c>runDetails</c> (who ran it and when). Required fields per the spec: buildDefinition,
/// buildType, externalParameters, runDetails, builder and builder.id.
/// </summary>
public sealed record SlsaProvenanceV1
{
    /// <summary>The predicate type of SLSA Provenance v1.</summary>
    public const string PredicateType = "https://slsa.dev/provenance/v1";

    private SlsaProvenanceV1(SlsaBuildDefinitionV1 buildDefinition, SlsaRunDetailsV1 runDetails)
    {
        BuildDefinition = buildDefinition;
        RunDetails = runDetails;
    }

    /// <summary><c>buildDefinition</c>.</summary>
    public SlsaBuildDefinitionV1 BuildDefinition { get; }

    /// <summary><c>runDetails</c>.</summary>
    public SlsaRunDetailsV1 RunDetails { get; }

    /// <summary>Reads the predicate object at <paramref name="path"/>.</summary>
    internal static SlsaProvenanceV1 Parse(JsonElement predicate, string path) => new(
        SlsaBuildDefinitionV1.Parse(PredicateJson.RequiredObject(predicate, "buildDefinition", path), StrictJson.Child(path, "buildDefinition")),
        SlsaRunDetailsV1.Parse(PredicateJson.RequiredObject(predicate, "runDetails", path), StrictJson.Child(path, "runDetails")));
}

/// <summary>SLSA Provenance v1 <c>buildDefinition</c> (https://slsa.dev/provenance/v1#builddefinition).</summary>
public sealed record SlsaBuildDefinitionV1
{
    private SlsaBuildDefinitionV1(string buildType, JsonElement externalParameters, JsonElement internalParameters,
        ImmutableArray<ResourceDescriptor> resolvedDependencies)
    {
        BuildType = buildType;
        ExternalParameters = externalParameters;
        InternalParameters = internalParameters;
        ResolvedDependencies = resolvedDependencies;
    }

    /// <summary><c>buildType</c>: the URI defining how the parameters are read.</summary>
    public string BuildType { get; }

    /// <summary><c>externalParameters</c>: the inputs under the control of whoever started the build (an object).</summary>
    public JsonElement ExternalParameters { get; }

    /// <summary><c>internalParameters</c>: what the build platform set (an object); <see cref="JsonValueKind.Undefined"/> when absent.</summary>
    public JsonElement InternalParameters { get; }

    /// <summary><c>resolvedDependencies</c>: the artifacts the build fetched, the source usually first.</summary>
    public ImmutableArray<ResourceDescriptor> ResolvedDependencies { get; }

    internal static SlsaBuildDefinitionV1 Parse(JsonElement buildDefinition, string path) => new(
        StrictJson.RequiredString(buildDefinition, "buildType", path),
        PredicateJson.RequiredObject(buildDefinition, "externalParameters", path),
        PredicateJson.OptionalObject(buildDefinition, "internalParameters", path),
        ResourceDescriptor.ParseArray(buildDefinition, "resolvedDependencies", path, PredicateJson.MaxItems, DiagnosticCode.JsonTooLarge));
}

/// <summary>SLSA Provenance v1 <c>runDetails</c> (https://slsa.dev/provenance/v1#rundetails).</summary>
public sealed record SlsaRunDetailsV1
{
    private SlsaRunDetailsV1(string builderId, ImmutableSortedDictionary<string, string> builderVersion,
        ImmutableArray<ResourceDescriptor> builderDependencies, string? invocationId, DateTimeOffset? startedOn,
        DateTimeOffset? finishedOn, ImmutableArray<ResourceDescriptor> byproducts)
    {
        BuilderId = builderId;
        BuilderVersion = builderVersion;
        BuilderDependencies = builderDependencies;
        InvocationId = invocationId;
        StartedOn = startedOn;
        FinishedOn = finishedOn;
        Byproducts = byproducts;
    }

    /// <summary><c>builder.id</c>: the URI of the build platform that vouches for this provenance.</summary>
    public string BuilderId { get; }

    /// <summary><c>builder.version</c>: component name to version.</summary>
    public ImmutableSortedDictionary<string, string> BuilderVersion { get; }

    /// <summary><c>builder.builderDependencies</c>.</summary>
    public ImmutableArray<ResourceDescriptor> BuilderDependencies { get; }

    /// <summary><c>metadata.invocationId</c>.</summary>
    public string? InvocationId { get; }

    /// <summary><c>metadata.startedOn</c>.</summary>
    public DateTimeOffset? StartedOn { get; }

    /// <summary><c>metadata.finishedOn</c>.</summary>
    public DateTimeOffset? FinishedOn { get; }

    /// <summary><c>byproducts</c>.</summary>
    public ImmutableArray<ResourceDescriptor> Byproducts { get; }

    internal static SlsaRunDetailsV1 Parse(JsonElement runDetails, string path)
    {
        var builder = PredicateJson.RequiredObject(runDetails, "builder", path);
        var builderPath = StrictJson.Child(path, "builder");
        var metadata = PredicateJson.OptionalObject(runDetails, "metadata", path);
        var metadataPath = StrictJson.Child(path, "metadata");
        return new SlsaRunDetailsV1(
            StrictJson.RequiredString(builder, "id", builderPath),
            PredicateJson.OptionalStringMap(builder, "version", builderPath),
            ResourceDescriptor.ParseArray(builder, "builderDependencies", builderPath, PredicateJson.MaxItems, DiagnosticCode.JsonTooLarge),
            StrictJson.OptionalString(metadata, "invocationId", metadataPath),
            Rfc3339.OptionalTimestamp(metadata, "startedOn", metadataPath),
            Rfc3339.OptionalTimestamp(metadata, "finishedOn", metadataPath),
            ResourceDescriptor.ParseArray(runDetails, "byproducts", path, PredicateJson.MaxItems, DiagnosticCode.JsonTooLarge));
    }
}
