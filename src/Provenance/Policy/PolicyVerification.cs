using System.Collections.Immutable;
using Provenance.Verification;

namespace Provenance.Policy;

/// <summary>Verification and policy in one call: the engine the command line runs, for programs that gate themselves.</summary>
public static class PolicyVerification
{
    /// <summary>
    /// Verifies each artifact, then applies <paramref name="policy"/> to what verified. An artifact passes only when
    /// both do; the result's checks hold the verification's checks followed by the policy's.
    /// </summary>
    public static async Task<ImmutableArray<VerificationResult>> VerifyAsync(
        this ProvenanceVerifier verifier,
        IReadOnlyList<ArtifactInput> artifacts,
        IReadOnlyList<AttestationInput> attestations,
        PolicyDocument policy,
        TimeProvider? timeProvider = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(verifier);
        ArgumentNullException.ThrowIfNull(policy);
        var results = await verifier.VerifyAsync(artifacts, attestations, cancellationToken).ConfigureAwait(false);
        return [.. results.Select(result => Apply(policy, result, timeProvider))];
    }

    /// <summary>Applies <paramref name="policy"/> to one verification result.</summary>
    public static VerificationResult Apply(PolicyDocument policy, VerificationResult result, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        var outcome = PolicyEvaluator.Evaluate(policy, result, timeProvider);
        return result with { Verified = outcome.Passed, Checks = result.Checks.AddRange(outcome.Checks) };
    }
}
