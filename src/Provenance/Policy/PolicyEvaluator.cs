using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using Provenance.Attestations;
using Provenance.Sigstore;
using Provenance.Verification;

namespace Provenance.Policy;

/// <summary>The outcome of a policy for one artifact.</summary>
/// <param name="Policy">The policy's name.</param>
/// <param name="Passed">True when the verification passed and every requirement was satisfied.</param>
/// <param name="Checks">One check per requirement and constraint, with what was expected and what was found.</param>
public sealed record PolicyResult(string Policy, bool Passed, ImmutableArray<Check> Checks);

/// <summary>
/// Applies a policy to what verification established. Only verified attestations are looked at; each requirement
/// needs one attestation that meets all its constraints. A constraint on a field the attestation lacks fails.
/// Evaluation runs no code of the policy's author: only bounded, side-effect-free matching.
/// </summary>
public static class PolicyEvaluator
{
    /// <summary>The check name of policy results.</summary>
    public const string CheckName = "policy";

    /// <summary>Evaluates <paramref name="policy"/> against one artifact's verification result.</summary>
    public static PolicyResult Evaluate(PolicyDocument policy, VerificationResult result, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(result);
        var now = (timeProvider ?? TimeProvider.System).GetUtcNow();
        var checks = ImmutableArray.CreateBuilder<Check>();
        foreach (var requirement in policy.Requirements)
        {
            checks.AddRange(EvaluateRequirement(requirement, result, now));
        }

        return new PolicyResult(policy.Name, result.Verified && checks.All(c => c.Passed), checks.ToImmutable());
    }

    private static List<Check> EvaluateRequirement(Requirement requirement, VerificationResult result, DateTimeOffset now)
    {
        var rule = "require " + requirement.PredicateTypeText;
        var candidates = result.Attestations.Where(a => requirement.Accepts(a.Statement?.PredicateType)).ToList();
        if (candidates.Count == 0)
        {
            var found = result.Attestations.Select(a => a.Statement?.PredicateType ?? "(message signature)").Distinct().ToList();
            return [Check.Fail(CheckName, new Problem(DiagnosticCode.RequirementNotSatisfied,
                $"{rule}: no verified attestation of this predicate type names the artifact"), null,
                expected: requirement.PredicateTypeText, actual: found.Count == 0 ? "no verified attestation" : string.Join(", ", found))];
        }

        List<Check>? closest = null;
        foreach (var attestation in candidates)
        {
            var checks = EvaluateAttestation(requirement, attestation, now);
            if (checks.All(c => c.Passed))
            {
                return checks;
            }

            if (closest is null || checks.Count(c => !c.Passed) < closest.Count(c => !c.Passed))
            {
                closest = checks;
            }
        }

        return closest!;
    }

    private static List<Check> EvaluateAttestation(Requirement requirement, VerifiedAttestation attestation, DateTimeOffset now)
    {
        var source = attestation.Source;
        var checks = new List<Check>();
        void Add(bool passed, DiagnosticCode code, string what, object? expected, string? actual)
        {
            checks.Add(passed
                ? new Check(CheckName, true, what, source, Expected: expected?.ToString(), Actual: actual ?? "present")
                : Check.Fail(CheckName, new Problem(code, $"{what} is not as the policy requires"), source,
                    expected?.ToString(), actual ?? "(missing)"));
        }

        if (requirement.Signer is { } signer)
        {
            EvaluateSigner(signer, attestation, Add);
        }

        // The SLSA view is read once per attestation, for the provenance constraints and the certificate check.
        BuildProvenance? view = null;
        Problem? viewProblem = null;
        if (attestation.Statement is { } statement && BuildProvenance.TryFrom(statement, out var read, out viewProblem))
        {
            view = read;
        }

        if (requirement.Provenance is { } provenance)
        {
            if (view is null)
            {
                checks.Add(Check.Fail(CheckName, new Problem(DiagnosticCode.ProvenanceMalformed,
                    viewProblem?.Message ?? "the predicate is not SLSA provenance", viewProblem?.Location), source));
            }
            else
            {
                EvaluateProvenance(provenance, view, now, Add);
            }
        }

        if (view is not null)
        {
            CertificateAgreesWithProvenance(attestation, view, Add);
        }

        foreach (var condition in requirement.Conditions)
        {
            var (holds, actual) = Holds(condition, attestation.Statement!);
            Add(holds == true, DiagnosticCode.ConditionFailed, "condition " + condition, condition, holds is null ? "(a field it tests is missing)" : actual);
        }

        if (checks.Count == 0)
        {
            checks.Add(new Check(CheckName, true, $"a verified {requirement.PredicateTypeText} attestation", source));
        }

        return checks;
    }

    /// <summary>
    /// For GitHub Actions builds, the certificate (vouched for by the OIDC token of the run that signed) and the
    /// provenance (written by that run) must name the same source repository, ref and commit; a run that signs
    /// provenance claiming another repository's source is lying (cli/cli#10864 asks for exactly this check).
    /// Fields either side lacks are not compared; the policy's own constraints decide about missing data.
    /// </summary>
    private static void CertificateAgreesWithProvenance(VerifiedAttestation attestation, BuildProvenance view, Recorder add)
    {
        foreach (var certificate in attestation.Signers.Select(s => s.Certificate).OfType<FulcioCertificate>())
        {
            if (certificate.Issuer != "https://token.actions.githubusercontent.com")
            {
                continue;
            }

            var e = certificate.Extensions;
            Compare("source repository", e.SourceRepositoryUri, view.SourceRepositoryUri is { } uri && uri.StartsWith("git+", StringComparison.Ordinal) ? uri[4..] : view.SourceRepositoryUri);
            Compare("source ref", e.SourceRepositoryRef, view.SourceRef);
            Compare("source commit", e.SourceRepositoryDigest, view.SourceCommit);
        }

        void Compare(string what, string? inCertificate, string? inProvenance)
        {
            if (inCertificate is not null && inProvenance is not null)
            {
                add(string.Equals(inCertificate, inProvenance, StringComparison.Ordinal), DiagnosticCode.CertificateProvenanceMismatch,
                    $"the certificate's {what} against the provenance's", inCertificate, inProvenance);
            }
        }
    }

    private delegate void Recorder(bool passed, DiagnosticCode code, string what, object? expected, string? actual);

    private static void EvaluateSigner(SignerConstraint constraint, VerifiedAttestation attestation, Recorder add)
    {
        // One signer must meet every constraint: two signers meeting half each is not the required signer.
        var best = attestation.Signers
            .Select(s => (Signer: s, Failures: SignerFailures(constraint, s)))
            .OrderBy(s => s.Failures.Count)
            .FirstOrDefault();
        if (best.Signer is null)
        {
            add(false, DiagnosticCode.SignerMismatch, "signer", "a verified signer", "no signer");
            return;
        }

        if (best.Failures.Count == 0)
        {
            add(true, DiagnosticCode.SignerMismatch, "signer", Describe(constraint), best.Signer.ToString());
            return;
        }

        foreach (var (what, expected, actual) in best.Failures)
        {
            add(false, DiagnosticCode.SignerMismatch, what, expected, actual);
        }
    }

    private static string Describe(SignerConstraint constraint)
    {
        var parts = new List<string>();
        if (!constraint.KeyIds.IsEmpty)
        {
            parts.Add("key " + string.Join(" or ", constraint.KeyIds));
        }

        if (constraint.Identity is { } identity)
        {
            parts.Add("identity " + identity);
        }

        if (constraint.Issuer is { } issuer)
        {
            parts.Add("issuer " + issuer);
        }

        parts.AddRange(constraint.Extensions.Select(e => $"{e.Key} {e.Value}"));
        return string.Join("; ", parts);
    }

    private static List<(string What, object Expected, string? Actual)> SignerFailures(SignerConstraint constraint, Signer signer)
    {
        var failures = new List<(string, object, string?)>();
        if (!constraint.KeyIds.IsEmpty && !constraint.KeyIds.Contains(signer.KeyId, StringComparer.Ordinal))
        {
            failures.Add(("signer key", "one of " + string.Join(", ", constraint.KeyIds), signer.KeyId));
        }

        var certificate = signer.Certificate;
        if (constraint.Identity is { } identity)
        {
            var names = certificate?.SubjectAlternativeNames.Select(n => n.Value).ToList() ?? [];
            if (!(certificate?.SignerNames ?? []).Any(identity.Matches))
            {
                failures.Add(("signer identity", identity, names.Count == 0 ? null : string.Join(", ", names)));
            }
        }

        if (constraint.Issuer is { } issuer && !issuer.Matches(certificate?.Issuer))
        {
            failures.Add(("signer issuer", issuer, certificate?.Issuer));
        }

        foreach (var (name, matcher) in constraint.Extensions)
        {
            var value = certificate is null ? null : ExtensionValue(certificate.Extensions, name);
            if (!matcher.Matches(value))
            {
                failures.Add(("signer certificate " + name, matcher, value));
            }
        }

        return failures;
    }

    internal static string? ExtensionValue(FulcioExtensions e, string name) => name switch
    {
        "issuerV1" => e.IssuerV1,
        "gitHubWorkflowTrigger" => e.GitHubWorkflowTrigger,
        "gitHubWorkflowSha" => e.GitHubWorkflowSha,
        "gitHubWorkflowName" => e.GitHubWorkflowName,
        "gitHubWorkflowRepository" => e.GitHubWorkflowRepository,
        "gitHubWorkflowRef" => e.GitHubWorkflowRef,
        "buildSignerUri" => e.BuildSignerUri,
        "buildSignerDigest" => e.BuildSignerDigest,
        "runnerEnvironment" => e.RunnerEnvironment,
        "sourceRepositoryUri" => e.SourceRepositoryUri,
        "sourceRepositoryDigest" => e.SourceRepositoryDigest,
        "sourceRepositoryRef" => e.SourceRepositoryRef,
        "sourceRepositoryIdentifier" => e.SourceRepositoryIdentifier,
        "sourceRepositoryOwnerUri" => e.SourceRepositoryOwnerUri,
        "sourceRepositoryOwnerIdentifier" => e.SourceRepositoryOwnerIdentifier,
        "buildConfigUri" => e.BuildConfigUri,
        "buildConfigDigest" => e.BuildConfigDigest,
        "buildTrigger" => e.BuildTrigger,
        "runInvocationUri" => e.RunInvocationUri,
        "sourceRepositoryVisibilityAtSigning" => e.SourceRepositoryVisibilityAtSigning,
        "deploymentEnvironment" => e.DeploymentEnvironment,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "Not a Fulcio extension a policy can name."),
    };

    private static void EvaluateProvenance(ProvenanceConstraint constraint, BuildProvenance view, DateTimeOffset now, Recorder add)
    {
        void Match(string what, StringMatcher? matcher, string? value)
        {
            if (matcher is not null)
            {
                add(matcher.Matches(value), DiagnosticCode.ProvenanceMismatch, what, matcher, value);
            }
        }

        Match("builder id", constraint.BuilderId, view.BuilderId);
        Match("build type", constraint.BuildType, view.BuildType);
        Match("source repository", constraint.SourceUri, view.SourceRepositoryUri);
        Match("source ref", constraint.SourceRef, view.SourceRef);
        Match("source commit", constraint.SourceCommit, view.SourceCommit);
        Match("workflow path", constraint.WorkflowPath, view.WorkflowPath);
        foreach (var (name, matcher) in constraint.WorkflowInputs)
        {
            Match("workflow input " + name, matcher, WorkflowInput(view.ExternalParameters, name));
        }

        if (constraint.MaxAge is { } maxAge)
        {
            var when = view.FinishedOn ?? view.StartedOn;
            var age = when is { } t ? now - t : (TimeSpan?)null;
            add(age is { } a && a <= maxAge && a >= -TimeSpan.FromMinutes(5), DiagnosticCode.BuildTooOld, "build age",
                $"at most {maxAge.TotalHours.ToString("0.#", CultureInfo.InvariantCulture)} hours",
                age is { } x ? $"{x.TotalHours.ToString("0.#", CultureInfo.InvariantCulture)} hours (built {when:u})" : null);
        }
    }

    /// <summary>Workflow inputs: v1 <c>externalParameters.inputs</c> (GitHub workflows), v0.2 <c>parameters.event_inputs</c>.</summary>
    private static string? WorkflowInput(JsonElement external, string name)
    {
        foreach (var container in (string[])["inputs", "event_inputs"])
        {
            if (external.ValueKind == JsonValueKind.Object && external.TryGetProperty(container, out var inputs)
                && inputs.ValueKind == JsonValueKind.Object && inputs.TryGetProperty(name, out var value))
            {
                return Scalar(value);
            }
        }

        return null;
    }

    /// <summary>
    /// Three-valued: true, false, or null when a field the condition tests is missing. Null never passes and stays
    /// null under "not", so a negative test cannot pass on missing data ("not (x equals 1)" with no x fails).
    /// exists and absent are always decided.
    /// </summary>
    private static (bool? Holds, string? Actual) Holds(Condition condition, Statement statement)
    {
        switch (condition.Kind)
        {
            case "all":
                var all = condition.Children.Select(c => Holds(c, statement).Holds).ToList();
                return (all.Contains(false) ? false : all.Contains(null) ? null : true, null);
            case "any":
                var any = condition.Children.Select(c => Holds(c, statement).Holds).ToList();
                return (any.Contains(true) ? true : any.Contains(null) ? null : false, null);
            case "not":
                return (!Holds(condition.Children[0], statement).Holds, null);
        }

        var value = Field(statement, condition.Field!);
        var present = value is { ValueKind: not JsonValueKind.Null };
        return condition.Kind switch
        {
            "exists" => (present, present ? "present" : "absent"),
            "absent" => (!present, present ? "present" : "absent"),
            _ when !present => (null, null),
            _ => Scalar(value!.Value) is { } text ? (condition.Matcher!.Matches(text), text) : (false, "(not a single value)"),
        };
    }

    private static JsonElement? Field(Statement statement, string path)
    {
        var parts = path.Split('.');
        JsonElement current;
        switch (parts[0])
        {
            case "predicateType":
                return parts.Length == 1 ? JsonSerializer.SerializeToElement(statement.PredicateType, PolicyJsonContext.Default.String) : null;
            case "predicate":
                current = statement.Predicate;
                break;
            default:
                return null;
        }

        foreach (var part in parts.Skip(1))
        {
            if (current.ValueKind == JsonValueKind.Object && current.TryGetProperty(part, out var next))
            {
                current = next;
            }
            else if (current.ValueKind == JsonValueKind.Array && int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var index)
                && index < current.GetArrayLength())
            {
                current = current[index];
            }
            else
            {
                return null;
            }
        }

        return current.ValueKind == JsonValueKind.Undefined ? null : current;
    }

    private static string? Scalar(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number => value.GetRawText(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => null,
    };
}

[System.Text.Json.Serialization.JsonSerializable(typeof(string))]
internal sealed partial class PolicyJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
