using System.Collections.Immutable;
using System.Globalization;

namespace Provenance.Policy;

/// <summary>A weak spot in a policy: not an error, but something a reviewer should look at.</summary>
/// <param name="Rule">A stable rule id, e.g. PL003.</param>
/// <param name="Location">Which requirement (or the policy).</param>
/// <param name="Message">What is weak and what to do.</param>
public sealed record LintWarning(string Rule, string Location, string Message)
{
    /// <inheritdoc />
    public override string ToString() => $"{Rule} {Location}: {Message}";
}

/// <summary>
/// Finds the usual ways a provenance policy ends up trusting more than its author meant: identities that admit a
/// whole organisation, prefixes instead of exact identities, no pin on the source repository or the ref, self-hosted
/// runners allowed, unsafe switches.
/// </summary>
public static class PolicyLint
{
    private const string GitHubActions = "https://token.actions.githubusercontent.com";

    /// <summary>The warnings for <paramref name="policy"/>, in requirement order.</summary>
    public static ImmutableArray<LintWarning> Lint(PolicyDocument policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var warnings = ImmutableArray.CreateBuilder<LintWarning>();
        if (policy.AllowAnySignerUnsafe)
        {
            warnings.Add(new LintWarning("PL001", "policy", "unsafe.allowAnySigner is on: a requirement without a signer accepts anyone who can sign"));
        }

        for (var i = 0; i < policy.Requirements.Length; i++)
        {
            var requirement = policy.Requirements[i];
            var where = string.Create(CultureInfo.InvariantCulture, $"require[{i}] ({requirement.PredicateType})");
            void Warn(string rule, string message) => warnings.Add(new LintWarning(rule, where, message));

            if (requirement.Signer is not { } signer)
            {
                Warn("PL002", "no signer constraint: anyone who can sign satisfies this requirement");
                continue;
            }

            if (signer.Identity is { } identity && signer.KeyIds.IsEmpty)
            {
                if (identity.Kind == "startsWith")
                {
                    Warn("PL003", $"the identity is a prefix ({identity.Values[0]}): other workflows and refs that share it pass; give the exact identity or a regular expression");
                }

                if (identity.Kind == "matches" && IsOwnerWide(identity.Values[0]))
                {
                    Warn("PL004", $"the identity pattern admits any repository of the owner ({identity.Values[0]}): name the repository");
                }
            }

            if (signer.Issuer is { Kind: "matches" or "startsWith" } issuer)
            {
                Warn("PL005", $"the issuer is a pattern ({issuer}): OIDC issuers are exact URLs; give it exactly");
            }

            var gitHub = signer.Issuer?.Matches(GitHubActions) == true;
            if (gitHub && !signer.Extensions.ContainsKey("runnerEnvironment"))
            {
                Warn("PL006", "self-hosted runners are allowed: add runnerEnvironment: github-hosted unless you mean to trust them");
            }

            var refPinned = requirement.Provenance?.SourceRef is not null
                || signer.Extensions.ContainsKey("sourceRepositoryRef")
                || (signer.Identity is { Kind: "equals" } exact && exact.Values[0].Contains("@refs/tags/", StringComparison.Ordinal));
            if (signer.KeyIds.IsEmpty && !refPinned)
            {
                Warn("PL007", "no ref is pinned: a build of any branch passes; constrain provenance.sourceRef (e.g. startsWith: refs/tags/)");
            }

            var sourcePinned = requirement.Provenance?.SourceUri is not null || signer.Extensions.ContainsKey("sourceRepositoryUri");
            if (signer.KeyIds.IsEmpty && !sourcePinned)
            {
                Warn("PL008", "the source repository is not pinned: constrain provenance.sourceUri or signer.sourceRepositoryUri");
            }
        }

        return warnings.ToImmutable();
    }

    /// <summary>A pattern whose repository segment (after github.com/OWNER/) is a wildcard.</summary>
    private static bool IsOwnerWide(string pattern)
    {
        var host = pattern.IndexOf("github\\.com/", StringComparison.Ordinal);
        var start = host < 0 ? pattern.IndexOf("github.com/", StringComparison.Ordinal) : host;
        if (start < 0)
        {
            return pattern.StartsWith(".*", StringComparison.Ordinal) || pattern.StartsWith(".+", StringComparison.Ordinal);
        }

        var rest = pattern[(pattern.IndexOf('/', start) + 1)..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var repository = slash < 0 ? "" : rest[(slash + 1)..];
        return repository.StartsWith(".*", StringComparison.Ordinal) || repository.StartsWith(".+", StringComparison.Ordinal)
            || repository.StartsWith("[^/]", StringComparison.Ordinal) || slash < 0;
    }
}
