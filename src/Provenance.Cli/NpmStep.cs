using System.Collections.Immutable;
using System.CommandLine;
using Provenance.Http;
using Provenance.Policy;
using Provenance.Sources.Npm;
using Provenance.Verification;

namespace Provenance.Cli;

/// <summary>The npm options of <c>provenance verify</c> as given.</summary>
internal sealed record NpmRequest(string Registry, string? LockfilePath, bool RequireAttestations);

/// <summary>The npm targets of one invocation: packages named as npm:NAME@VERSION and the lockfile's packages.</summary>
internal sealed record NpmTargets(Uri? Registry, ImmutableArray<NpmPackage> Packages, NpmLockfile? Lockfile)
{
    public bool IsEmpty => Packages.IsEmpty && Lockfile is null;
}

/// <summary>
/// The npm part of <c>provenance verify</c>: <c>npm:NAME@VERSION</c> artifacts and <c>--npm-lockfile</c>, verified
/// against the registry by <see cref="NpmVerification"/>. A locked package without attestations is listed, not
/// failed, unless <c>--npm-require-attestations</c>: most of a dependency tree is not yet published with provenance,
/// and a lockfile check that always failed would be turned off.
/// </summary>
internal static class NpmStep
{
    public const string DefaultRegistry = "https://registry.npmjs.org";

    public sealed record Options(Option<string> Registry, Option<string?> Lockfile, Option<bool> RequireAttestations)
    {
        public NpmRequest Read(ParseResult parse) =>
            new(parse.GetValue(Registry) ?? DefaultRegistry, parse.GetValue(Lockfile), parse.GetValue(RequireAttestations));
    }

    public static Options CreateOptions() => new(
        new Option<string>("--npm-registry")
        {
            Description = "The npm registry npm: packages and --npm-lockfile packages are fetched from.",
            DefaultValueFactory = _ => DefaultRegistry,
        },
        new Option<string?>("--npm-lockfile")
        {
            Description = "A package-lock.json (lockfileVersion 2 or 3): verify every locked package that has attestations; those without are listed.",
        },
        new Option<bool>("--npm-require-attestations")
        {
            Description = "With --npm-lockfile: a locked package without attestations fails (PV4004) instead of being listed.",
        });

    /// <summary>The npm targets, adding to <paramref name="usage"/> what is wrong with them or with the artifact and attestation mix.</summary>
    public static async Task<NpmTargets> ParseAsync(VerifyRequest request, List<Problem> usage, CancellationToken cancellationToken)
    {
        var packages = ImmutableArray.CreateBuilder<NpmPackage>();
        foreach (var reference in request.Artifacts.Where(NpmPackage.IsReference))
        {
            if (NpmPackage.TryParse(reference, out var package, out var problem))
            {
                packages.Add(package);
            }
            else
            {
                usage.Add(problem);
            }
        }

        NpmLockfile? lockfile = null;
        if (request.Npm.LockfilePath is { } path)
        {
            var (parsed, problem) = await NpmLockfile.ReadAsync(path, cancellationToken).ConfigureAwait(false);
            if (problem is not null)
            {
                usage.Add(problem);
            }

            lockfile = parsed;
        }

        // oci:// images bring their own attestations from the registry (OciArtifacts), as npm packages do.
        var images = request.Artifacts.Count(Sources.Oci.OciReference.IsOciReference);
        var files = request.Artifacts.Count - request.Artifacts.Count(NpmPackage.IsReference) - images;
        if (files == 0 && images == 0 && packages.Count == 0 && request.Npm.LockfilePath is null && request.Release is null)
        {
            usage.Add(new Problem(DiagnosticCode.InvalidOptions,
                "give what to verify: an artifact file, sha256:HEX, npm:NAME@VERSION, oci://IMAGE, --npm-lockfile PATH or --release OWNER/REPO@TAG"));
        }
        else if (files > 0 && request.Attestations.Count == 0 && !GitHubAttestationFetching.Applies(request) && request.Release is null)
        {
            usage.Add(new Problem(DiagnosticCode.InvalidOptions,
                "an artifact file or digest is verified against attestations: give them with --attestation, or fetch them from GitHub with --repo owner/name or --owner org"));
        }

        var (registry, registryProblem) = LogEntryLookupStep.ParseUrl("--npm-registry", request.Npm.Registry, DefaultRegistry);
        if (registryProblem is not null)
        {
            usage.Add(registryProblem);
        }

        return new NpmTargets(registry, packages.ToImmutable(), lockfile);
    }

    /// <summary>A result per npm package verified; packages without attestations and non-registry entries are noted on <paramref name="error"/>.</summary>
    public static async Task<ImmutableArray<VerificationResult>> VerifyAsync(
        VerifyRequest request, NpmTargets targets, HttpFetcher fetcher, VerifierOptions options, PolicyDocument? policy, TextWriter error, CancellationToken cancellationToken)
    {
        if (targets.IsEmpty)
        {
            return [];
        }

        var npm = new NpmVerification(fetcher, targets.Registry!, options, policy);
        var results = ImmutableArray.CreateBuilder<VerificationResult>();
        foreach (var package in targets.Packages)
        {
            results.Add(await npm.VerifyAsync(package, cancellationToken).ConfigureAwait(false));
        }

        if (targets.Lockfile is { } lockfile)
        {
            var outcome = await npm.VerifyAsync(lockfile, cancellationToken).ConfigureAwait(false);
            results.AddRange(outcome.Results);
            if (request.Npm.RequireAttestations)
            {
                results.AddRange(outcome.WithoutAttestations.Select(npm.MissingAttestations));
            }
            else if (!outcome.WithoutAttestations.IsEmpty)
            {
                await error.WriteLineAsync($"note: {outcome.WithoutAttestations.Length} locked package(s) have no attestations (not published with provenance), "
                    + "so nothing about their build was verified: " + string.Join(", ", outcome.WithoutAttestations)).ConfigureAwait(false);
            }

            if (!outcome.NotFromRegistry.IsEmpty)
            {
                await error.WriteLineAsync($"note: {outcome.NotFromRegistry.Length} locked entr(ies) install no registry tarball (links, git, files) and were not verified: "
                    + string.Join(", ", outcome.NotFromRegistry)).ConfigureAwait(false);
            }
        }

        return results.ToImmutable();
    }
}
