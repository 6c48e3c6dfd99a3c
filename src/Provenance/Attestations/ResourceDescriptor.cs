using System.Collections.Immutable;
using System.Text.Json;
using Provenance.Json;

namespace Provenance.Attestations;

/// <summary>
/// An in-toto ResourceDescriptor (https://github.com/in-toto/attestation/blob/main/spec/v1/resource_descriptor.md):
/// a subject of a statement, a SLSA material or resolved dependency, a VSA policy or input attestation. The
/// spec requires at least one of <c>uri</c>, <c>digest</c> and <c>content</c> (checked only for subjects, which need
/// a digest); the v0.1 subject and SLSA v0.2 material shapes (<c>name</c>/<c>uri</c> + <c>digest</c>) are subsets of it.
/// </summary>
public sealed record ResourceDescriptor
{
    private ResourceDescriptor(string? name, string? uri, DigestSet digest, ImmutableArray<byte> content,
        string? downloadLocation, string? mediaType, JsonElement annotations)
    {
        Name = name;
        Uri = uri;
        Digest = digest;
        Content = content;
        DownloadLocation = downloadLocation;
        MediaType = mediaType;
        Annotations = annotations;
    }

    /// <summary>A name identifying the resource within its context, such as a file name or package URL.</summary>
    public string? Name { get; }

    /// <summary>A URI identifying the resource, for example <c>git+https://github.com/org/repo@refs/heads/main</c>.</summary>
    public string? Uri { get; }

    /// <summary>Digests of the resource; <see cref="DigestSet.Empty"/> when the descriptor has none.</summary>
    public DigestSet Digest { get; }

    /// <summary>The resource's bytes when given inline (decoded from base64); empty when absent.</summary>
    public ImmutableArray<byte> Content { get; }

    /// <summary>Where the resource can be downloaded from.</summary>
    public string? DownloadLocation { get; }

    /// <summary>The media type of the resource.</summary>
    public string? MediaType { get; }

    /// <summary>Free-form annotations (a JSON object); <see cref="JsonValueKind.Undefined"/> when absent.</summary>
    public JsonElement Annotations { get; }

    /// <summary>Reads a descriptor at <paramref name="path"/>; a <paramref name="subjectOf"/> version adds that statement version's subject rules.</summary>
    internal static ResourceDescriptor Parse(JsonElement element, string path, StatementVersion? subjectOf = null)
    {
        StrictJson.RequireObject(element, path);
        var name = StrictJson.OptionalString(element, "name", path);
        var uri = StrictJson.OptionalString(element, "uri", path);
        var digest = StrictJson.Optional(element, "digest") is { } digestElement
            ? DigestSet.Parse(digestElement, StrictJson.Child(path, "digest"))
            : DigestSet.Empty;
        var content = StrictJson.OptionalString(element, "content", path) is { } base64
            ? ImmutableArray.Create(StrictJson.DecodeBase64(base64, StrictJson.Child(path, "content"), Limits.MaxPayloadBytes))
            : ImmutableArray<byte>.Empty;
        var annotations = default(JsonElement);
        if (StrictJson.Optional(element, "annotations") is { } annotationsElement)
        {
            StrictJson.RequireObject(annotationsElement, StrictJson.Child(path, "annotations"));
            annotations = annotationsElement.Clone();
        }

        if (subjectOf is { } version)
        {
            // Statement v1: "Each element MUST have digest set"; v0.1 also made subject[*].name required.
            if (version == StatementVersion.V01 && name is null)
            {
                throw InvalidInputException.At(DiagnosticCode.MissingField, path, "the required field \"name\" is missing");
            }

            if (digest.IsEmpty)
            {
                throw InvalidInputException.At(StrictJson.Optional(element, "digest") is null ? DiagnosticCode.MissingField : DiagnosticCode.InvalidField,
                    path, "a subject needs a \"digest\" with at least one entry");
            }
        }

        // The spec asks every descriptor for at least one of uri, digest and content, but Google Cloud Build's v1
        // provenance writes "byproducts": [{}]. Outside subjects an empty descriptor names nothing and matches
        // nothing, so it is accepted rather than failing real provenance.
        return new ResourceDescriptor(name, uri, digest, content,
            StrictJson.OptionalString(element, "downloadLocation", path),
            StrictJson.OptionalString(element, "mediaType", path),
            annotations);
    }

    /// <summary>Reads an optional array of descriptors; absent means empty.</summary>
    internal static ImmutableArray<ResourceDescriptor> ParseArray(JsonElement obj, string name, string path, int maxItems, DiagnosticCode tooMany)
    {
        if (StrictJson.Optional(obj, name) is not { } array)
        {
            return [];
        }

        var arrayPath = StrictJson.Child(path, name);
        StrictJson.AsArray(array, arrayPath, maxItems, tooMany);
        var builder = ImmutableArray.CreateBuilder<ResourceDescriptor>(array.GetArrayLength());
        var index = 0;
        foreach (var item in array.EnumerateArray())
        {
            builder.Add(Parse(item, StrictJson.Index(arrayPath, index++)));
        }

        return builder.MoveToImmutable();
    }
}
