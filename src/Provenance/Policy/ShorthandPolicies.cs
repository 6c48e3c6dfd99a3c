using System.Collections.Immutable;
using System.Text.RegularExpressions;

namespace Provenance.Policy;

/// <summary>
/// The flag values of slsa-verifier's <c>verify-artifact</c> (github.com/slsa-framework/slsa-verifier, cli/slsa-verifier
/// and verifiers/internal/gha/provenance.go, builder.go). <see cref="SourceUri"/> is required; at most one of
/// <see cref="SourceBranch"/>, <see cref="SourceTag"/> and <see cref="SourceVersionedTag"/>; an empty
/// <see cref="BuilderId"/> is the same as none.
/// </summary>
public sealed record SlsaVerifierFlags(
    string SourceUri,
    string? SourceBranch = null,
    string? SourceTag = null,
    string? SourceVersionedTag = null,
    string? BuilderId = null,
    ImmutableSortedDictionary<string, string>? BuildWorkflowInputs = null);

/// <summary>
/// The flag values of the GitHub CLI's <c>gh attestation verify</c> (github.com/cli/cli, pkg/cmd/attestation/verify).
/// One of <see cref="Owner"/> and <see cref="Repo"/> (owner/name) is required.
/// </summary>
public sealed record GitHubAttestationFlags(
    string? Owner = null,
    string? Repo = null,
    string? SignerWorkflow = null,
    string? SignerRepo = null,
    string? SourceRef = null,
    string? SourceDigest = null,
    string? PredicateType = null,
    bool DenySelfHostedRunners = false);

/// <summary>
/// Builds a <see cref="PolicyDocument"/> from the command-line shorthands of other tools, so that people coming
/// from slsa-verifier or <c>gh attestation verify</c> get the same verdicts. The policies are ordinary policies:
/// everything they require is evaluated by <see cref="PolicyEvaluator"/>.
/// </summary>
public static partial class ShorthandPolicies
{
    /// <summary>GitHub Actions' OIDC issuer: the only issuer either tool accepts for these shorthands.</summary>
    public const string GitHubActionsIssuer = "https://token.actions.githubusercontent.com";

    /// <summary>
    /// The SLSA GitHub generator's reusable workflows slsa-verifier trusts without <c>--builder-id</c>
    /// (verifiers/internal/gha/builder.go, <c>defaultArtifactTrustedReusableWorkflows</c> and friends).
    /// </summary>
    public static readonly ImmutableArray<string> TrustedGeneratorWorkflows =
    [
        "generator_generic_slsa3.yml", "generator_container_slsa3.yml", "builder_go_slsa3.yml",
        "builder_container-based_slsa3.yml", "builder_docker-based_slsa3.yml", "delegator_generic_slsa3.yml",
        "delegator_lowperms-generic_slsa3.yml", "builder_nodejs_slsa3.yml", "builder_maven_slsa3.yml", "builder_gradle_slsa3.yml",
    ];

    /// <summary>Where <see cref="TrustedGeneratorWorkflows"/> live.</summary>
    public const string GeneratorWorkflowsPrefix = "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/";

    private const string SlsaProvenanceV02 = "https://slsa.dev/provenance/v0.2";
    private const string SlsaProvenanceV1 = "https://slsa.dev/provenance/v1";

    /// <summary>A release tag of a builder: slsa-verifier trusts builders only at vMAJOR.MINOR.PATCH tags.</summary>
    private const string ReleaseTagPattern = @"@refs/tags/v[0-9]+\.[0-9]+\.[0-9]+";

    private static readonly string[] VersionComponents = ["major", "minor", "patch"];

    /// <summary>One of <see cref="TrustedGeneratorWorkflows"/> at a release tag, as a builder id or certificate identity.</summary>
    private static readonly string TrustedGeneratorPattern =
        Regex.Escape(GeneratorWorkflowsPrefix) + "(?:" + string.Join("|", TrustedGeneratorWorkflows.Select(Regex.Escape)) + ")" + ReleaseTagPattern;

    [GeneratedRegex(@"\Av(?<major>0|[1-9][0-9]*)(?:\.(?<minor>0|[1-9][0-9]*)(?:\.(?<patch>0|[1-9][0-9]*))?)?\z", RegexOptions.CultureInvariant)]
    private static partial Regex VersionedTag();

    /// <summary>
    /// slsa-verifier's <c>verify-artifact</c> semantics as a policy: SLSA provenance (v0.2 or v1) whose source is
    /// <see cref="SlsaVerifierFlags.SourceUri"/> (and branch, tag or versioned tag, when given), signed through GitHub
    /// Actions by a trusted builder: one of the SLSA generator's workflows at a release tag, or the workflow
    /// <see cref="SlsaVerifierFlags.BuilderId"/> names (at a tag); the provenance's builder id must match
    /// <see cref="SlsaVerifierFlags.BuilderId"/> in any of its forms (<c>…@refs/tags/vX.Y.Z</c>, <c>…@vX.Y.Z</c> or
    /// the bare workflow path).
    /// </summary>
    /// <exception cref="ArgumentException">The flags contradict each other or are not in the form slsa-verifier takes.</exception>
    public static PolicyDocument FromSlsaVerifier(SlsaVerifierFlags flags)
    {
        ArgumentNullException.ThrowIfNull(flags);
        ArgumentException.ThrowIfNullOrEmpty(flags.SourceUri, nameof(flags));
        var refFlags = new[] { flags.SourceBranch, flags.SourceTag, flags.SourceVersionedTag }.Count(f => f is not null);
        if (refFlags > 1)
        {
            throw new ArgumentException("Give at most one of the source branch, the source tag and the source versioned tag.", nameof(flags));
        }

        StringMatcher? sourceRef = flags.SourceBranch is { } branch ? StringMatcher.EqualTo("refs/heads/" + branch)
            : flags.SourceTag is { } tag ? StringMatcher.EqualTo("refs/tags/" + tag)
            : flags.SourceVersionedTag is { } versioned ? StringMatcher.Matching(VersionedTagRefPattern(versioned))
            : null;

        // provenance.go VerifySourceURI: the expected "github.com/org/repo" is compared with the provenance's
        // source with "git+https://" in front and no ref.
        var sourceUri = flags.SourceUri.Contains("://", StringComparison.Ordinal)
            ? (flags.SourceUri.StartsWith("git+", StringComparison.Ordinal) ? flags.SourceUri : "git+" + flags.SourceUri)
            : "git+https://" + flags.SourceUri;

        var trustedSigners = new List<string> { TrustedGeneratorPattern };

        // builder.go verifyTrustedBuilderID: without --builder-id the builder must be one of the generator's; a
        // delegator signs for a builder it names in the provenance, which must then be the generator's too (Maven,
        // Gradle); for a non-delegator the provenance's builder is the signer itself.
        StringMatcher builderId = StringMatcher.Matching(TrustedGeneratorPattern);
        if (!string.IsNullOrEmpty(flags.BuilderId))
        {
            var (path, version) = SplitBuilderId(flags.BuilderId);
            builderId = version is null
                ? StringMatcher.Matching(Regex.Escape(path) + "(?:@.+)?")
                : StringMatcher.OneOf([path + "@refs/tags/" + version, path + "@" + version]);

            // A builder the caller names may sign for itself (a project's own release workflow, e.g. publish-to-bcr),
            // at a release tag vX.Y.Z (verifyTrustedBuilderRef) or at the version named.
            trustedSigners.Add(Regex.Escape(path) + (version is null ? ReleaseTagPattern : "@refs/tags/" + Regex.Escape(version)));
        }

        var inputs = (flags.BuildWorkflowInputs ?? ImmutableSortedDictionary<string, string>.Empty)
            .ToImmutableSortedDictionary(p => p.Key, p => StringMatcher.EqualTo(p.Value), StringComparer.Ordinal);
        var requirement = new Requirement(
            SlsaProvenanceV1,
            new SignerConstraint(
                StringMatcher.Matching(string.Join("|", trustedSigners.Select(s => "(?:" + s + ")"))),
                StringMatcher.EqualTo(GitHubActionsIssuer),
                [],
                // builder.go VerifyCertficateSourceRepository: the run's repository in the certificate is the source.
                ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal,
                    [KeyValuePair.Create("gitHubWorkflowRepository", StringMatcher.EqualTo(CallerRepository(sourceUri)))])),
            new ProvenanceConstraint(builderId, null, StringMatcher.EqualTo(sourceUri), sourceRef, null, null, inputs, null),
            [],
            [SlsaProvenanceV02]);
        return new PolicyDocument(
            "slsa-verifier shorthand",
            "Built from the slsa-verifier flags given on the command line.",
            [requirement]);
    }

    /// <summary>
    /// <c>gh attestation verify</c> semantics as a policy: an attestation (SLSA provenance v1 unless
    /// <see cref="GitHubAttestationFlags.PredicateType"/> says otherwise) signed through GitHub Actions by a workflow
    /// of the signer repository or workflow given (else of the owner or repository), for a build of the repository
    /// (or any repository of the owner).
    /// </summary>
    /// <exception cref="ArgumentException">Neither owner nor repository given, or both signer flags.</exception>
    public static PolicyDocument FromGitHubAttestation(GitHubAttestationFlags flags)
    {
        ArgumentNullException.ThrowIfNull(flags);
        if (string.IsNullOrEmpty(flags.Owner) && string.IsNullOrEmpty(flags.Repo))
        {
            throw new ArgumentException("Give the owner or the repository (owner/name).", nameof(flags));
        }

        if (flags.SignerWorkflow is not null && flags.SignerRepo is not null)
        {
            throw new ArgumentException("Give at most one of the signer workflow and the signer repository.", nameof(flags));
        }

        if (flags.Repo is { } r && r.Split('/') is not [{ Length: > 0 }, { Length: > 0 }])
        {
            throw new ArgumentException($"The repository \"{r}\" is not owner/name.", nameof(flags));
        }

        var owner = flags.Owner ?? flags.Repo!.Split('/')[0];
        const string Host = "https://github.com/";

        // cli/cli verify/options.go: the signer is the given workflow (at any ref), or any workflow of the given
        // signer repository, or by default of the repository's owner.
        var identity = flags.SignerWorkflow is { } workflow
            ? Regex.Escape(Host + StripHost(workflow)) + "@.+"
            : Regex.Escape(Host + (flags.SignerRepo is { } signerRepo ? StripHost(signerRepo) : owner) + "/") + ".+";
        var extensions = ImmutableSortedDictionary.CreateBuilder<string, StringMatcher>(StringComparer.Ordinal);
        extensions["sourceRepositoryOwnerUri"] = StringMatcher.EqualTo(Host + owner);
        if (flags.Repo is { } repo)
        {
            extensions["sourceRepositoryUri"] = StringMatcher.EqualTo(Host + repo);
        }

        if (flags.SourceRef is { } sourceRef)
        {
            extensions["sourceRepositoryRef"] = StringMatcher.EqualTo(sourceRef);
        }

        if (flags.SourceDigest is { } digest)
        {
            extensions["sourceRepositoryDigest"] = StringMatcher.EqualTo(digest);
        }

        if (flags.DenySelfHostedRunners)
        {
            extensions["runnerEnvironment"] = StringMatcher.EqualTo("github-hosted");
        }

        var requirement = new Requirement(
            flags.PredicateType ?? SlsaProvenanceV1,
            new SignerConstraint(StringMatcher.Matching(identity), StringMatcher.EqualTo(GitHubActionsIssuer), [], extensions.ToImmutable()),
            null,
            []);
        return new PolicyDocument(
            "gh attestation shorthand",
            "Built from the gh attestation verify flags given on the command line.",
            [requirement]);
    }

    /// <summary>
    /// The pattern a source ref must match for slsa-verifier's <c>--source-versioned-tag vX[.Y[.Z]]</c>
    /// (provenance.go VerifyVersionedTag): a tag whose version has the given components, a component the tag leaves
    /// out counting as 0 (tag v14 satisfies v14.0; tag v14.2 satisfies v14 but not v14.2.1).
    /// </summary>
    /// <exception cref="ArgumentException">Not vMAJOR, vMAJOR.MINOR or vMAJOR.MINOR.PATCH.</exception>
    public static string VersionedTagRefPattern(string versionedTag)
    {
        ArgumentNullException.ThrowIfNull(versionedTag);
        var match = VersionedTag().Match(versionedTag);
        if (!match.Success)
        {
            throw new ArgumentException($"The versioned tag \"{versionedTag}\" is not vMAJOR, vMAJOR.MINOR or vMAJOR.MINOR.PATCH.", nameof(versionedTag));
        }

        string[] given = [.. VersionComponents.Select(g => match.Groups[g]).TakeWhile(g => g.Success).Select(g => g.Value)];
        var alternatives = new List<string>();
        for (var components = 1; components <= 3; components++)
        {
            // A tag with fewer components than given matches only when the components it leaves out are all 0.
            if (components < given.Length && given.Skip(components).Any(c => c != "0"))
            {
                continue;
            }

            var parts = Enumerable.Range(0, components).Select(i => i < given.Length ? given[i] : "[0-9]+");
            alternatives.Add(@"refs/tags/v" + string.Join(@"\.", parts));
        }

        return string.Join("|", alternatives);
    }

    /// <summary>Splits a builder id into the workflow and the version it names, if any ("@refs/tags/v1" or "@v1").</summary>
    private static (string Path, string? Version) SplitBuilderId(string builderId)
    {
        var at = builderId.LastIndexOf('@');
        if (at < 0)
        {
            return (builderId, null);
        }

        var version = builderId[(at + 1)..];
        const string Tags = "refs/tags/";
        return (builderId[..at], version.StartsWith(Tags, StringComparison.Ordinal) ? version[Tags.Length..] : version);
    }

    /// <summary>"org/repo" of "git+https://github.com/org/repo", as the certificate's workflow repository extension holds it.</summary>
    private static string CallerRepository(string sourceUri) =>
        StripHost(sourceUri.StartsWith("git+", StringComparison.Ordinal) ? sourceUri["git+".Length..] : sourceUri);

    private static string StripHost(string value) =>
        value.StartsWith("https://github.com/", StringComparison.Ordinal) ? value["https://github.com/".Length..]
        : value.StartsWith("github.com/", StringComparison.Ordinal) ? value["github.com/".Length..]
        : value;
}
