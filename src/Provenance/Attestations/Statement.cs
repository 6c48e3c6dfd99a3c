using System.Collections.Immutable;
using System.Text.Json;
using Provenance.Json;

namespace Provenance.Attestations;

/// <summary>The in-toto Statement layer versions the verifier reads.</summary>
public enum StatementVersion
{
    /// <summary><c>https://in-toto.io/Statement/v0.1</c>.</summary>
    V01,
    /// <summary><c>https://in-toto.io/Statement/v1</c>.</summary>
    V1,
}

/// <summary>
/// An in-toto Statement, v0.1 (https://github.com/in-toto/attestation/blob/v0.1.0/spec/README.md#statement) or
/// v1 (https://github.com/in-toto/attestation/blob/main/spec/v1/statement.md): the subjects an attestation is
/// about, and a typed predicate. The predicate is kept as JSON; typed views such as <see cref="BuildProvenance"/>
/// and <see cref="VerificationSummary"/> read it.
/// </summary>
public sealed record Statement
{
    /// <summary>The <c>_type</c> of in-toto Statement v0.1.</summary>
    public const string TypeV01 = "https://in-toto.io/Statement/v0.1";

    /// <summary>The <c>_type</c> of in-toto Statement v1.</summary>
    public const string TypeV1 = "https://in-toto.io/Statement/v1";

    private Statement(StatementVersion version, ImmutableArray<ResourceDescriptor> subjects, string predicateType, JsonElement predicate)
    {
        Version = version;
        Subjects = subjects;
        PredicateType = predicateType;
        Predicate = predicate;
    }

    /// <summary>The statement layer version, from <c>_type</c>.</summary>
    public StatementVersion Version { get; }

    /// <summary>The artifacts the statement is about; never empty, each with at least one digest.</summary>
    public ImmutableArray<ResourceDescriptor> Subjects { get; }

    /// <summary>The URI naming the predicate's schema, for example <c>https://slsa.dev/provenance/v1</c>.</summary>
    public string PredicateType { get; }

    /// <summary>The predicate, independent of the document it was read from; <see cref="JsonValueKind.Undefined"/> when absent.</summary>
    public JsonElement Predicate { get; }

    /// <summary>Parses a statement from UTF-8 JSON, strictly (see <see cref="StrictJson"/>).</summary>
    internal static Statement Parse(ReadOnlyMemory<byte> utf8)
    {
        using var document = StrictJson.Parse(utf8);
        return Parse(document.RootElement, "$");
    }

    /// <summary>Reads the statement at <paramref name="root"/>, whose JSON path is <paramref name="path"/>.</summary>
    internal static Statement Parse(JsonElement root, string path)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw NotAStatement(path, $"the payload is {StrictJson.Describe(root)}, not an in-toto Statement object");
        }

        var version = ReadVersion(root, path);
        var subjects = ReadSubjects(root, path, version);

        if (!root.TryGetProperty("predicateType", out var predicateTypeElement) || predicateTypeElement.ValueKind == JsonValueKind.Null)
        {
            throw NotAStatement(path, "the required field \"predicateType\" of an in-toto Statement is missing");
        }

        var predicateType = StrictJson.AsString(predicateTypeElement, StrictJson.Child(path, "predicateType"));
        if (predicateType.Length == 0)
        {
            throw InvalidInputException.At(DiagnosticCode.InvalidField, StrictJson.Child(path, "predicateType"),
                "\"predicateType\" is empty; it must name the predicate's type");
        }

        // Cloned so the statement outlives the document (which callers dispose) and never shares its buffers.
        var predicate = StrictJson.Optional(root, "predicate") is { } value ? value.Clone() : default;
        return new Statement(version, subjects, predicateType, predicate);
    }

    private static StatementVersion ReadVersion(JsonElement root, string path)
    {
        if (!root.TryGetProperty("_type", out var type) || type.ValueKind == JsonValueKind.Null)
        {
            throw NotAStatement(path, "the required field \"_type\" of an in-toto Statement is missing");
        }

        var typePath = StrictJson.Child(path, "_type");
        return StrictJson.AsString(type, typePath) switch
        {
            TypeV01 => StatementVersion.V01,
            TypeV1 => StatementVersion.V1,
            var other when !other.StartsWith("https://in-toto.io/Statement/", StringComparison.Ordinal) =>
                throw NotAStatement(typePath, $"\"_type\" is \"{StrictJson.Printable(other)}\", so the payload is not an in-toto Statement (a layout or link is not an attestation)"),
            var other => throw InvalidInputException.At(DiagnosticCode.UnsupportedStatementType, typePath,
                $"\"{StrictJson.Printable(other)}\" is not a supported in-toto Statement type; expected {TypeV01} or {TypeV1}"),
        };
    }

    private static ImmutableArray<ResourceDescriptor> ReadSubjects(JsonElement root, string path, StatementVersion version)
    {
        if (!root.TryGetProperty("subject", out var subject) || subject.ValueKind == JsonValueKind.Null)
        {
            throw NotAStatement(path, "the required field \"subject\" of an in-toto Statement is missing");
        }

        var subjectPath = StrictJson.Child(path, "subject");
        StrictJson.AsArray(subject, subjectPath, Limits.MaxSubjects, DiagnosticCode.TooManySubjects);
        if (subject.GetArrayLength() == 0)
        {
            throw InvalidInputException.At(DiagnosticCode.EmptySubjects, subjectPath,
                "the statement has no subjects, so it is about no artifact");
        }

        var builder = ImmutableArray.CreateBuilder<ResourceDescriptor>(subject.GetArrayLength());
        var index = 0;
        foreach (var item in subject.EnumerateArray())
        {
            builder.Add(ResourceDescriptor.Parse(item, StrictJson.Index(subjectPath, index++), version));
        }

        return builder.MoveToImmutable();
    }

    private static InvalidInputException NotAStatement(string path, string message) =>
        InvalidInputException.At(DiagnosticCode.NotAnInTotoStatement, path, message);
}
