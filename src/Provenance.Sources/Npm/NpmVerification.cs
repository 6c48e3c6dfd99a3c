using System.Collections.Immutable;
using Provenance.Cryptography;
using Provenance.Http;
using Provenance.Policy;
using Provenance.Verification;

namespace Provenance.Sources.Npm;

/// <summary>What verifying a lockfile found: a result per package with attestations, and the packages without.</summary>
/// <param name="Results">One result per locked package that has attestations, in lockfile order.</param>
/// <param name="WithoutAttestations">Locked packages the registry has no attestations for (not published with provenance).</param>
/// <param name="NotFromRegistry">Lockfile entries that install no registry tarball (links, git, local files).</param>
public sealed record NpmLockfileOutcome(ImmutableArray<VerificationResult> Results, ImmutableArray<NpmPackage> WithoutAttestations, ImmutableArray<string> NotFromRegistry);

/// <summary>
/// Verifies npm packages as npm's own <c>audit signatures</c> does, but trusting nothing the registry says about
/// trust: the tarball is named by its SHA-512 (<c>dist.integrity</c>, or the lockfile's), the registry's attestations
/// are verified as a local attestation file, and a package passes only when both of npm's attestations verified and
/// name exactly this package version: the publish attestation (signed with an embedded npm registry key, within
/// its validity) and the SLSA provenance (keyless, the signer accepted by the identities or the policy).
/// </summary>
public sealed class NpmVerification
{
    /// <summary>The predicate type of npm's publish attestation.</summary>
    public const string PublishPredicateType = "https://github.com/npm/attestation/tree/main/specs/publish/v0.1";

    /// <summary>The default registry.</summary>
    public static readonly Uri PublicRegistry = new("https://registry.npmjs.org");

    /// <summary>Packages of a lockfile verified at once: enough to hide latency, few enough to be polite to the registry.</summary>
    public const int LockfileParallelism = 8;

    private const string ProvenancePredicatePrefix = "https://slsa.dev/provenance/";
    private const string RegistryCheck = "npm-registry";
    private const string SubjectCheck = "npm-subject";
    private const string PublishCheck = "npm-publish-attestation";
    private const string ProvenanceCheck = "npm-provenance";

    private readonly NpmRegistryClient _registry;
    private readonly ImmutableArray<NpmRegistryKey> _registryKeys;
    private readonly ProvenanceVerifier _verifier;
    private readonly PolicyDocument? _policy;
    private readonly TimeProvider _time;

    /// <summary>
    /// Verification against <paramref name="registry"/>. <paramref name="options"/> say whom to trust for the
    /// provenance (trusted root, identities); their keys, when given, replace the embedded npm registry keys.
    /// </summary>
    public NpmVerification(HttpFetcher fetcher, Uri registry, VerifierOptions options, PolicyDocument? policy = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(fetcher);
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(options);
        _registry = new NpmRegistryClient(fetcher, registry);
        _registryKeys = options.Keys.IsDefaultOrEmpty ? NpmRegistryKeys.PublicRegistry : [.. options.Keys.Select(k => new NpmRegistryKey(k, null))];
        _time = timeProvider ?? TimeProvider.System;
        _verifier = new ProvenanceVerifier(options with { Keys = [.. _registryKeys.Select(k => k.Key)] }, _time);
        _policy = policy;
    }

    /// <summary>Fetches <paramref name="package"/>'s integrity and attestations from the registry and verifies them.</summary>
    public async Task<VerificationResult> VerifyAsync(NpmPackage package, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(package);
        NpmFetch fetch;
        try
        {
            fetch = await _registry.FetchAsync(package, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpFetchException e)
        {
            return Failed(package, e.Problem);
        }

        return fetch.Attestations is { } attestations
            ? await VerifyAsync(package, fetch.Integrity, attestations, fetch.Location, cancellationToken).ConfigureAwait(false)
            : Failed(package, NoAttestations(package, fetch.Location));
    }

    /// <summary>
    /// Verifies every registry package of <paramref name="lockfile"/> that has attestations, at most
    /// <see cref="LockfileParallelism"/> at a time, against the integrity the lockfile pins.
    /// </summary>
    public async Task<NpmLockfileOutcome> VerifyAsync(NpmLockfile lockfile, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lockfile);
        var results = new VerificationResult?[lockfile.Packages.Length];
        var without = new bool[lockfile.Packages.Length];
        await Parallel.ForEachAsync(Enumerable.Range(0, lockfile.Packages.Length),
            new ParallelOptions { MaxDegreeOfParallelism = LockfileParallelism, CancellationToken = cancellationToken },
            async (index, token) =>
            {
                var locked = lockfile.Packages[index];
                try
                {
                    var attestations = await _registry.FetchAttestationsAsync(locked.Package, token).ConfigureAwait(false);
                    if (attestations is { } found)
                    {
                        results[index] = await VerifyAsync(locked.Package, locked.Integrity, found, _registry.AttestationsUri(locked.Package).ToString(), token)
                            .ConfigureAwait(false);
                    }
                    else
                    {
                        without[index] = true;
                    }
                }
                catch (HttpFetchException e)
                {
                    results[index] = Failed(locked.Package, e.Problem);
                }
            }).ConfigureAwait(false);

        return new NpmLockfileOutcome(
            [.. results.OfType<VerificationResult>()],
            [.. lockfile.Packages.Where((_, i) => without[i]).Select(p => p.Package)],
            lockfile.NotFromRegistry);
    }

    /// <summary>A failed result for a package that has no attestations, for callers that require them.</summary>
    public VerificationResult MissingAttestations(NpmPackage package)
    {
        ArgumentNullException.ThrowIfNull(package);
        return Failed(package, NoAttestations(package, _registry.AttestationsUri(package).ToString()));
    }

    private async Task<VerificationResult> VerifyAsync(
        NpmPackage package, ArtifactDigest integrity, ReadOnlyMemory<byte> attestations, string location, CancellationToken cancellationToken)
    {
        var result = await _verifier.VerifyAsync(ArtifactInput.FromDigest(integrity), [AttestationInput.FromContent(location, attestations)], cancellationToken)
            .ConfigureAwait(false);
        if (_policy is not null)
        {
            result = PolicyVerification.Apply(_policy, result, _time);
        }

        var checks = PackageChecks(package, integrity, result.Attestations);
        return result with
        {
            Artifact = package.ToString(),
            Checks = result.Checks.AddRange(checks),
            Verified = result.Verified && checks.All(c => c.Passed),
        };
    }

    /// <summary>
    /// npm's two attestations, each verified and naming this package version by its package URL and the tarball's
    /// digest: an attestation for another version of the same tarball, or another package, never counts.
    /// </summary>
    private ImmutableArray<Check> PackageChecks(NpmPackage package, ArtifactDigest integrity, ImmutableArray<VerifiedAttestation> verified)
    {
        var checks = ImmutableArray.CreateBuilder<Check>();
        var named = new List<VerifiedAttestation>();
        foreach (var attestation in verified)
        {
            if (NamesPackage(attestation, package, integrity))
            {
                named.Add(attestation);
                continue;
            }

            var names = string.Join(", ", attestation.Statement?.Subjects.Select(s => s.Name ?? "(no name)") ?? []);
            checks.Add(new Check(SubjectCheck, false, $"the attestation is for {names}, not {package.Purl}", attestation.Source,
                DiagnosticCode.ArtifactNotInSubjects, package.Purl, names));
        }

        var publish = named.FirstOrDefault(a => a.Statement!.PredicateType == PublishPredicateType
            && a.Signers.Any(s => s.Kind == "key" && RegistryKeyValid(s.KeyId, a.Times)));
        checks.Add(publish is not null
            ? new Check(PublishCheck, true, "the npm registry's publish attestation verified, signed by " + publish.Signers[0].KeyId, publish.Source)
            : new Check(PublishCheck, false,
                $"no publish attestation for {package.Purl} verified with the npm registry's keys ({string.Join(", ", _registryKeys.Select(k => k.Key.KeyId))}) within their validity",
                null, DiagnosticCode.RequirementNotSatisfied, PublishPredicateType));

        var provenance = named.FirstOrDefault(a => a.Statement!.PredicateType.StartsWith(ProvenancePredicatePrefix, StringComparison.Ordinal)
            && a.Signers.Any(s => s.Kind == "keyless"));
        checks.Add(provenance is not null
            ? new Check(ProvenanceCheck, true, "the SLSA provenance verified, signed by " + provenance.Signers.First(s => s.Kind == "keyless"), provenance.Source)
            : new Check(ProvenanceCheck, false,
                $"no SLSA provenance for {package.Purl} verified with a signer the identities or the policy accept",
                null, DiagnosticCode.RequirementNotSatisfied, ProvenancePredicatePrefix + "*"));
        return checks.ToImmutable();
    }

    private static bool NamesPackage(VerifiedAttestation attestation, NpmPackage package, ArtifactDigest integrity) =>
        attestation.Statement?.Subjects.Any(s => s.Name == package.Purl && integrity.Matches(DigestAlgorithm.Sha512, s.Digest["sha512"])) == true;

    /// <summary>A registry key that has since been retired vouches only for what verified evidence dates before its end.</summary>
    private bool RegistryKeyValid(string keyId, ImmutableArray<VerifiedTime> times) =>
        _registryKeys.FirstOrDefault(k => k.Key.KeyId == keyId) is { } key
        && (key.Expires is not { } expires || (!times.IsDefaultOrEmpty && times.All(t => t.Time < expires)));

    private static Problem NoAttestations(NpmPackage package, string location) =>
        new(DiagnosticCode.NpmAttestationsMissing, $"{package} has no attestations: it was not published with provenance (npm publish --provenance)", location);

    private static VerificationResult Failed(NpmPackage package, Problem problem) =>
        new(package.ToString(), [], false, [], [new Check(RegistryCheck, false, problem.Message, null, problem.Code, Location: problem.Location)]);
}
