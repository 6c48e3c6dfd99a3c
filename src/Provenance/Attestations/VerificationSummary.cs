using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Provenance.Json;

namespace Provenance.Attestations;

/// <summary>The outcome a SLSA Verification Summary records.</summary>
public enum SummaryVerdict
{
    /// <summary><c>PASSED</c>.</summary>
    Passed,
    /// <summary><c>FAILED</c>.</summary>
    Failed,
}

/// <summary>
/// A SLSA Verification Summary Attestation v1 predicate (https://slsa.dev/verification_summary/v1): a verifier's
/// statement that a resource was checked against a policy, with the result and the SLSA levels verified.
/// Required per the spec: verifier.id, timeVerified, resourceUri, policy, verificationResult, verifiedLevels.
/// </summary>
public sealed record VerificationSummary
{
    /// <summary>The predicate type of SLSA VSA v1.</summary>
    public const string PredicateType = "https://slsa.dev/verification_summary/v1";

    private VerificationSummary(string verifierId, ImmutableSortedDictionary<string, string> verifierVersion,
        DateTimeOffset timeVerified, string resourceUri, ResourceDescriptor policy,
        ImmutableArray<ResourceDescriptor> inputAttestations, SummaryVerdict result, ImmutableArray<string> verifiedLevels,
        ImmutableSortedDictionary<string, int> dependencyLevels, string? slsaVersion)
    {
        VerifierId = verifierId;
        VerifierVersion = verifierVersion;
        TimeVerified = timeVerified;
        ResourceUri = resourceUri;
        Policy = policy;
        InputAttestations = inputAttestations;
        Result = result;
        VerifiedLevels = verifiedLevels;
        DependencyLevels = dependencyLevels;
        SlsaVersion = slsaVersion;
    }

    /// <summary><c>verifier.id</c>: the URI of the verifier.</summary>
    public string VerifierId { get; }

    /// <summary><c>verifier.version</c>: component name to version.</summary>
    public ImmutableSortedDictionary<string, string> VerifierVersion { get; }

    /// <summary><c>timeVerified</c>.</summary>
    public DateTimeOffset TimeVerified { get; }

    /// <summary><c>resourceUri</c>: the resource the subject digests identify.</summary>
    public string ResourceUri { get; }

    /// <summary><c>policy</c>: the policy verified against.</summary>
    public ResourceDescriptor Policy { get; }

    /// <summary><c>inputAttestations</c>: the attestations the verifier read.</summary>
    public ImmutableArray<ResourceDescriptor> InputAttestations { get; }

    /// <summary><c>verificationResult</c>.</summary>
    public SummaryVerdict Result { get; }

    /// <summary><c>verifiedLevels</c>, for example <c>SLSA_BUILD_LEVEL_3</c>.</summary>
    public ImmutableArray<string> VerifiedLevels { get; }

    /// <summary><c>dependencyLevels</c>: level name to the number of dependencies verified at it.</summary>
    public ImmutableSortedDictionary<string, int> DependencyLevels { get; }

    /// <summary><c>slsaVersion</c>, for example <c>1.0</c>.</summary>
    public string? SlsaVersion { get; }

    /// <summary>
    /// Reads the summary in <paramref name="statement"/>. Returns false with no problem when the predicate type is
    /// not VSA v1, and false with the problem when it is but the predicate does not follow the spec.
    /// </summary>
    public static bool TryFrom(Statement statement, [NotNullWhen(true)] out VerificationSummary? summary, out Problem? problem)
    {
        ArgumentNullException.ThrowIfNull(statement);
        summary = null;
        problem = null;
        if (statement.PredicateType != PredicateType)
        {
            return false;
        }

        try
        {
            summary = Parse(statement.Predicate, "$.predicate");
            return true;
        }
        catch (InvalidInputException e)
        {
            problem = e.Problem;
            return false;
        }
    }

    internal static VerificationSummary Parse(JsonElement predicate, string path)
    {
        PredicateJson.RequirePredicateObject(predicate, path, PredicateType);
        var verifier = PredicateJson.RequiredObject(predicate, "verifier", path);
        var verifierPath = StrictJson.Child(path, "verifier");
        var timeVerified = Rfc3339.OptionalTimestamp(predicate, "timeVerified", path)
            ?? throw InvalidInputException.At(DiagnosticCode.MissingField, path, "the required field \"timeVerified\" is missing");
        var policyPath = StrictJson.Child(path, "policy");
        var policy = ResourceDescriptor.Parse(PredicateJson.RequiredObject(predicate, "policy", path), policyPath);
        var resultPath = StrictJson.Child(path, "verificationResult");
        var result = StrictJson.RequiredString(predicate, "verificationResult", path) switch
        {
            "PASSED" => SummaryVerdict.Passed,
            "FAILED" => SummaryVerdict.Failed,
            var other => throw InvalidInputException.At(DiagnosticCode.InvalidField, resultPath,
                $"\"{StrictJson.Printable(other)}\" is not a verification result; expected PASSED or FAILED"),
        };
        StrictJson.Required(predicate, "verifiedLevels", path);

        return new VerificationSummary(
            StrictJson.RequiredString(verifier, "id", verifierPath),
            PredicateJson.OptionalStringMap(verifier, "version", verifierPath),
            timeVerified,
            StrictJson.RequiredString(predicate, "resourceUri", path),
            policy,
            ResourceDescriptor.ParseArray(predicate, "inputAttestations", path, PredicateJson.MaxItems, DiagnosticCode.JsonTooLarge),
            result,
            PredicateJson.OptionalStringArray(predicate, "verifiedLevels", path),
            DependencyLevelsOf(predicate, path),
            StrictJson.OptionalString(predicate, "slsaVersion", path));
    }

    private static ImmutableSortedDictionary<string, int> DependencyLevelsOf(JsonElement predicate, string path)
    {
        var builder = ImmutableSortedDictionary.CreateBuilder<string, int>(StringComparer.Ordinal);
        var levels = PredicateJson.OptionalObject(predicate, "dependencyLevels", path);
        if (levels.ValueKind == JsonValueKind.Undefined)
        {
            return builder.ToImmutable();
        }

        var levelsPath = StrictJson.Child(path, "dependencyLevels");
        foreach (var level in levels.EnumerateObject())
        {
            if (level.Value.ValueKind != JsonValueKind.Number || !level.Value.TryGetInt32(out var count) || count < 0)
            {
                throw InvalidInputException.At(DiagnosticCode.InvalidField, StrictJson.Child(levelsPath, level.Name),
                    $"expected a count of dependencies (a non-negative integer), found {StrictJson.Describe(level.Value)}");
            }

            builder[level.Name] = count;
        }

        return builder.ToImmutable();
    }
}
