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
[JsonSerializable(typeof(JsonReportDocument))]
internal sealed partial class JsonReportContext : JsonSerializerContext;
