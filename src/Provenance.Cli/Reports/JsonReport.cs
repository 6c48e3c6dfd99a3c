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

    public static Task WriteAsync(IReadOnlyList<VerificationResult> results, TextWriter writer) =>
        WriteAsync(results.Select(r => (r.Verified, Render(r))).ToAsyncEnumerable(), writer);

    /// <summary>
    /// Writes each artifact's part (from <see cref="Render"/>) as it comes, so a batch of any size is written in the
    /// memory of one part. The overall verdict is known only after the last one, so it is the document's last field.
    /// </summary>
    public static async Task WriteAsync(IAsyncEnumerable<(bool Verified, string Rendered)> artifacts, TextWriter writer)
    {
        var verified = true;
        var first = true;
        await writer.WriteAsync($"{{{NewLine}  \"mediaType\": {Quoted(MediaType)},{NewLine}  \"artifacts\": [").ConfigureAwait(false);
        await foreach (var (artifactVerified, rendered) in artifacts.ConfigureAwait(false))
        {
            await writer.WriteAsync(first ? NewLine : "," + NewLine).ConfigureAwait(false);
            await writer.WriteAsync(rendered).ConfigureAwait(false);
            verified &= artifactVerified;
            first = false;
        }

        await writer.WriteAsync($"{(first ? "" : NewLine + "  ")}],{NewLine}  \"verified\": {(verified ? "true" : "false")}{NewLine}}}{NewLine}").ConfigureAwait(false);
    }

    /// <summary>
    /// One artifact's entry in the report's <c>artifacts</c> array, indented to sit there, made apart from the
    /// others so that many can be made at once.
    /// </summary>
    public static string Render(VerificationResult result)
    {
        var json = JsonSerializer.Serialize(ToJson(result), JsonReportContext.Default.JsonArtifactResult);
        // JSON strings hold no raw line breaks (they are escaped), so every line break is layout.
        return Indent + json.Replace(NewLine, NewLine + Indent, StringComparison.Ordinal);
    }

    private const string Indent = "    ";

    private static readonly string NewLine = JsonReportContext.Default.Options.NewLine;

    private static string Quoted(string value) => JsonSerializer.Serialize(value, JsonReportContext.Default.String);

    private static JsonArtifactResult ToJson(VerificationResult result) => new(
        result.Artifact,
        result.Verified,
        [.. result.Digests.Select(d => d.ToString())],
        [.. result.Attestations.Select(a => new JsonVerifiedAttestation(
            a.Source,
            a.Format.ToString(),
            a.Statement?.PredicateType,
            a.Statement is null ? [] : [.. a.Statement.Subjects.Select(s => new JsonSubject(s.Name, s.Digest.StrongDigests.ToDictionary(d => d.Algorithm, d => d.Hex)))],
            [.. a.Signers.Select(ToJson)],
            [.. a.Times.Select(t => new JsonTime(t.Time, t.Source))]))],
        [.. result.Checks.Select(c => new JsonCheck(c.Name, c.Passed, c.Code?.Format(), c.Message, c.Source, c.Location, c.Expected, c.Actual))]);

    private static JsonSigner ToJson(Signer signer)
    {
        var certificate = signer.Certificate is not { } c ? null : new JsonCertificate(
            [.. c.SubjectAlternativeNames.Select(n => n.Value)],
            c.Issuer,
            c.SerialNumber,
            c.NotBefore,
            c.NotAfter,
            new JsonFulcioExtensions(
                c.Extensions.BuildSignerUri, c.Extensions.BuildSignerDigest, c.Extensions.RunnerEnvironment,
                c.Extensions.SourceRepositoryUri, c.Extensions.SourceRepositoryDigest, c.Extensions.SourceRepositoryRef,
                c.Extensions.SourceRepositoryIdentifier, c.Extensions.SourceRepositoryOwnerUri, c.Extensions.SourceRepositoryOwnerIdentifier,
                c.Extensions.BuildConfigUri, c.Extensions.BuildConfigDigest, c.Extensions.BuildTrigger, c.Extensions.RunInvocationUri,
                c.Extensions.SourceRepositoryVisibilityAtSigning, c.Extensions.DeploymentEnvironment));
        return new JsonSigner(signer.Kind, signer.KeyId, signer.Algorithm, certificate);
    }
}

internal sealed record JsonArtifactResult(
    string Artifact,
    bool Verified,
    IReadOnlyList<string> Digests,
    IReadOnlyList<JsonVerifiedAttestation> Attestations,
    IReadOnlyList<JsonCheck> Checks);

internal sealed record JsonVerifiedAttestation(
    string Source,
    string Format,
    string? PredicateType,
    IReadOnlyList<JsonSubject> Subjects,
    IReadOnlyList<JsonSigner> Signers,
    IReadOnlyList<JsonTime> VerifiedTimes);

internal sealed record JsonTime(DateTimeOffset Time, string Source);

internal sealed record JsonCertificate(
    IReadOnlyList<string> SubjectAlternativeNames,
    string? Issuer,
    string SerialNumber,
    DateTimeOffset NotBefore,
    DateTimeOffset NotAfter,
    JsonFulcioExtensions Extensions);

internal sealed record JsonFulcioExtensions(
    string? BuildSignerUri,
    string? BuildSignerDigest,
    string? RunnerEnvironment,
    string? SourceRepositoryUri,
    string? SourceRepositoryDigest,
    string? SourceRepositoryRef,
    string? SourceRepositoryIdentifier,
    string? SourceRepositoryOwnerUri,
    string? SourceRepositoryOwnerIdentifier,
    string? BuildConfigUri,
    string? BuildConfigDigest,
    string? BuildTrigger,
    string? RunInvocationUri,
    string? SourceRepositoryVisibilityAtSigning,
    string? DeploymentEnvironment);

internal sealed record JsonSubject(string? Name, IReadOnlyDictionary<string, string> Digest);

internal sealed record JsonSigner(string Kind, string KeyId, string Algorithm, JsonCertificate? Certificate);

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
[JsonSerializable(typeof(JsonArtifactResult))]
[JsonSerializable(typeof(string))]
internal sealed partial class JsonReportContext : JsonSerializerContext;
