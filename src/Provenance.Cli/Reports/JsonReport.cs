using System.Text.Json;
using System.Text.Json.Serialization;
using Provenance.Verification;

namespace Provenance.Cli.Reports;

/// <summary>
/// The report for machines. Its media type carries a version: fields are only ever added within a version,
/// so scripts written against it keep working.
/// </summary>
internal static class JsonReport
{
    public const string MediaType = "application/vnd.provenance.verification-report+json;version=1";

    public static async Task WriteAsync(IReadOnlyList<VerificationResult> results, TextWriter writer)
    {
        var report = new JsonReportDocument(
            MediaType,
            results.All(r => r.Verified),
            [.. results.Select(ToJson)]);
        await writer.WriteLineAsync(JsonSerializer.Serialize(report, JsonReportContext.Default.JsonReportDocument)).ConfigureAwait(false);
    }

    private static JsonArtifactResult ToJson(VerificationResult result) => new(
        result.Artifact,
        result.Verified,
        [.. result.Digests.Select(d => d.ToString())],
        [.. result.Attestations.Select(a => new JsonVerifiedAttestation(
            a.Source,
            a.Format.ToString(),
            a.Statement.PredicateType,
            [.. a.Statement.Subjects.Select(s => new JsonSubject(s.Name, s.Digest.StrongDigests.ToDictionary(d => d.Algorithm, d => d.Hex)))],
            [.. a.Signers.Select(s => new JsonSigner(s.Kind, s.KeyId, s.Algorithm))]))],
        [.. result.Checks.Select(c => new JsonCheck(c.Name, c.Passed, c.Code?.Format(), c.Message, c.Source, c.Location, c.Expected, c.Actual))]);
}

internal sealed record JsonReportDocument(string MediaType, bool Verified, IReadOnlyList<JsonArtifactResult> Artifacts);

internal sealed record JsonArtifactResult(
    string Artifact,
    bool Verified,
    IReadOnlyList<string> Digests,
    IReadOnlyList<JsonVerifiedAttestation> Attestations,
    IReadOnlyList<JsonCheck> Checks);

internal sealed record JsonVerifiedAttestation(
    string Source,
    string Format,
    string PredicateType,
    IReadOnlyList<JsonSubject> Subjects,
    IReadOnlyList<JsonSigner> Signers);

internal sealed record JsonSubject(string? Name, IReadOnlyDictionary<string, string> Digest);

internal sealed record JsonSigner(string Kind, string KeyId, string Algorithm);

internal sealed record JsonCheck(
    string Name,
    bool Passed,
    string? Code,
    string Message,
    string? Source,
    string? Location,
    string? Expected,
    string? Actual);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = true)]
[JsonSerializable(typeof(JsonReportDocument))]
internal sealed partial class JsonReportContext : JsonSerializerContext;
