using System.Collections.Immutable;
using System.Text.Json;
using Provenance.Json;

namespace Provenance.Attestations;

/// <summary>
/// A SLSA Provenance v0.2 predicate (https://slsa.dev/provenance/v0.2): who built (<c>builder.id</c>), how
/// (<c>buildType</c>, <c>invocation</c>, <c>buildConfig</c>), when (<c>metadata</c>) and from what
/// (<c>materials</c>). Free-form parts stay JSON; <see cref="BuildProvenance"/> is the view policies use.
/// </summary>
public sealed record SlsaProvenanceV02
{
    /// <summary>The predicate type of SLSA Provenance v0.2.</summary>
    public const string PredicateType = "https://slsa.dev/provenance/v0.2";

    private SlsaProvenanceV02(string builderId, string buildType, SlsaInvocationV02 invocation, JsonElement buildConfig,
        SlsaMetadataV02 metadata, ImmutableArray<ResourceDescriptor> materials)
    {
        BuilderId = builderId;
        BuildType = buildType;
        Invocation = invocation;
        BuildConfig = buildConfig;
        Metadata = metadata;
        Materials = materials;
    }

    /// <summary><c>builder.id</c>: the URI of the build platform that vouches for this provenance.</summary>
    public string BuilderId { get; }

    /// <summary><c>buildType</c>: the URI defining how the rest of the predicate is read.</summary>
    public string BuildType { get; }

    /// <summary><c>invocation</c>: what started the build; every member empty when absent.</summary>
    public SlsaInvocationV02 Invocation { get; }

    /// <summary><c>buildConfig</c>, free-form; <see cref="JsonValueKind.Undefined"/> when absent.</summary>
    public JsonElement BuildConfig { get; }

    /// <summary><c>metadata</c>; every member null when absent.</summary>
    public SlsaMetadataV02 Metadata { get; }

    /// <summary><c>materials</c>: the inputs the builder says it used.</summary>
    public ImmutableArray<ResourceDescriptor> Materials { get; }

    /// <summary>Reads the predicate object at <paramref name="path"/>.</summary>
    internal static SlsaProvenanceV02 Parse(JsonElement predicate, string path)
    {
        var builder = PredicateJson.RequiredObject(predicate, "builder", path);
        var builderId = StrictJson.RequiredString(builder, "id", StrictJson.Child(path, "builder"));
        var buildType = StrictJson.RequiredString(predicate, "buildType", path);
        var invocation = SlsaInvocationV02.Parse(PredicateJson.OptionalObject(predicate, "invocation", path), StrictJson.Child(path, "invocation"));
        var metadata = SlsaMetadataV02.Parse(PredicateJson.OptionalObject(predicate, "metadata", path), StrictJson.Child(path, "metadata"));
        var materials = ResourceDescriptor.ParseArray(predicate, "materials", path, PredicateJson.MaxItems, DiagnosticCode.JsonTooLarge);
        return new SlsaProvenanceV02(builderId, buildType, invocation, PredicateJson.OptionalAny(predicate, "buildConfig"), metadata, materials);
    }
}

/// <summary>SLSA Provenance v0.2 <c>invocation</c> (https://slsa.dev/provenance/v0.2#invocation).</summary>
public sealed record SlsaInvocationV02
{
    private SlsaInvocationV02(SlsaConfigSourceV02? configSource, JsonElement parameters, JsonElement environment)
    {
        ConfigSource = configSource;
        Parameters = parameters;
        Environment = environment;
    }

    /// <summary><c>configSource</c>: where the top-level build configuration came from; null when absent.</summary>
    public SlsaConfigSourceV02? ConfigSource { get; }

    /// <summary><c>parameters</c>: inputs the user controlled, free-form; <see cref="JsonValueKind.Undefined"/> when absent.</summary>
    public JsonElement Parameters { get; }

    /// <summary><c>environment</c>: what the builder added, free-form; <see cref="JsonValueKind.Undefined"/> when absent.</summary>
    public JsonElement Environment { get; }

    internal static SlsaInvocationV02 Parse(JsonElement invocation, string path)
    {
        if (invocation.ValueKind == JsonValueKind.Undefined)
        {
            return new SlsaInvocationV02(null, default, default);
        }

        var configSource = PredicateJson.OptionalObject(invocation, "configSource", path);
        return new SlsaInvocationV02(
            configSource.ValueKind == JsonValueKind.Undefined ? null : SlsaConfigSourceV02.Parse(configSource, StrictJson.Child(path, "configSource")),
            PredicateJson.OptionalAny(invocation, "parameters"),
            PredicateJson.OptionalAny(invocation, "environment"));
    }
}

/// <summary>SLSA Provenance v0.2 <c>invocation.configSource</c>.</summary>
public sealed record SlsaConfigSourceV02
{
    private SlsaConfigSourceV02(string? uri, DigestSet digest, string? entryPoint)
    {
        Uri = uri;
        Digest = digest;
        EntryPoint = entryPoint;
    }

    /// <summary><c>uri</c>, for example <c>git+https://github.com/org/repo@refs/heads/main</c>.</summary>
    public string? Uri { get; }

    /// <summary><c>digest</c> of the source (a git commit is given as <c>sha1</c>).</summary>
    public DigestSet Digest { get; }

    /// <summary><c>entryPoint</c>: the configuration within the source, for GitHub Actions the workflow path.</summary>
    public string? EntryPoint { get; }

    internal static SlsaConfigSourceV02 Parse(JsonElement configSource, string path) => new(
        StrictJson.OptionalString(configSource, "uri", path),
        StrictJson.Optional(configSource, "digest") is { } digest ? DigestSet.Parse(digest, StrictJson.Child(path, "digest")) : DigestSet.Empty,
        StrictJson.OptionalString(configSource, "entryPoint", path));
}

/// <summary>SLSA Provenance v0.2 <c>metadata</c> (https://slsa.dev/provenance/v0.2#metadata).</summary>
public sealed record SlsaMetadataV02
{
    private SlsaMetadataV02(string? buildInvocationId, DateTimeOffset? buildStartedOn, DateTimeOffset? buildFinishedOn,
        bool? parametersComplete, bool? environmentComplete, bool? materialsComplete, bool? reproducible)
    {
        BuildInvocationId = buildInvocationId;
        BuildStartedOn = buildStartedOn;
        BuildFinishedOn = buildFinishedOn;
        ParametersComplete = parametersComplete;
        EnvironmentComplete = environmentComplete;
        MaterialsComplete = materialsComplete;
        Reproducible = reproducible;
    }

    /// <summary><c>buildInvocationId</c> (also read from the <c>buildInvocationID</c> spelling that slsa-github-generator writes).</summary>
    public string? BuildInvocationId { get; }

    /// <summary><c>buildStartedOn</c>.</summary>
    public DateTimeOffset? BuildStartedOn { get; }

    /// <summary><c>buildFinishedOn</c>.</summary>
    public DateTimeOffset? BuildFinishedOn { get; }

    /// <summary><c>completeness.parameters</c>.</summary>
    public bool? ParametersComplete { get; }

    /// <summary><c>completeness.environment</c>.</summary>
    public bool? EnvironmentComplete { get; }

    /// <summary><c>completeness.materials</c>.</summary>
    public bool? MaterialsComplete { get; }

    /// <summary><c>reproducible</c>.</summary>
    public bool? Reproducible { get; }

    internal static SlsaMetadataV02 Parse(JsonElement metadata, string path)
    {
        if (metadata.ValueKind == JsonValueKind.Undefined)
        {
            return new SlsaMetadataV02(null, null, null, null, null, null, null);
        }

        // slsa-github-generator writes "buildInvocationID" where the spec says "buildInvocationId"; Go's
        // case-insensitive decoding hid the difference. StrictJson refuses keys that differ only in case,
        // so at most one spelling is present and reading either is unambiguous.
        var invocationId = StrictJson.OptionalString(metadata, "buildInvocationId", path)
            ?? StrictJson.OptionalString(metadata, "buildInvocationID", path);
        var completeness = PredicateJson.OptionalObject(metadata, "completeness", path);
        var completenessPath = StrictJson.Child(path, "completeness");
        return new SlsaMetadataV02(
            invocationId,
            Rfc3339.OptionalTimestamp(metadata, "buildStartedOn", path),
            Rfc3339.OptionalTimestamp(metadata, "buildFinishedOn", path),
            PredicateJson.OptionalBoolean(completeness, "parameters", completenessPath),
            PredicateJson.OptionalBoolean(completeness, "environment", completenessPath),
            PredicateJson.OptionalBoolean(completeness, "materials", completenessPath),
            PredicateJson.OptionalBoolean(metadata, "reproducible", path));
    }
}
