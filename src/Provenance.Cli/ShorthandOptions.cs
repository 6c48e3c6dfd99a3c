using System.CommandLine;

namespace Provenance.Cli;

/// <summary>
/// The policy shorthands of <c>provenance verify</c>, for people coming from slsa-verifier and
/// <c>gh attestation verify</c>: their flags, under their names, build a policy (<see cref="Provenance.Policy.ShorthandPolicies"/>).
/// </summary>
internal sealed class ShorthandOptions
{
    private readonly Option<string?> _sourceUri = new("--source-uri") { Description = "slsa-verifier: the source repository, e.g. github.com/org/repo." };
    private readonly Option<string?> _sourceBranch = new("--source-branch") { Description = "slsa-verifier: the branch built." };
    private readonly Option<string?> _sourceTag = new("--source-tag") { Description = "slsa-verifier: the tag built, exactly." };
    private readonly Option<string?> _sourceVersionedTag = new("--source-versioned-tag") { Description = "slsa-verifier: vX[.Y[.Z]]: a tag with this version." };
    private readonly Option<string?> _builderId = new("--builder-id") { Description = "slsa-verifier: the builder, as …/workflow.yml@refs/tags/vX.Y.Z, …@vX.Y.Z or the bare workflow path." };
    private readonly Option<string[]> _workflowInputs = new("--build-workflow-input") { Description = "slsa-verifier: a workflow input as KEY=VALUE. Repeatable.", Arity = ArgumentArity.OneOrMore };
    private readonly Option<string?> _owner = new("--owner") { Description = "gh attestation: the owner of the repository built." };
    private readonly Option<string?> _repo = new("--repo") { Description = "gh attestation: the repository built, owner/name." };
    private readonly Option<string?> _signerWorkflow = new("--signer-workflow") { Description = "gh attestation: the workflow that signed, owner/name/.github/workflows/file.yml." };
    private readonly Option<string?> _signerRepo = new("--signer-repo") { Description = "gh attestation: the repository whose workflow signed, owner/name." };
    private readonly Option<string?> _sourceRef = new("--source-ref") { Description = "gh attestation: the ref built, e.g. refs/heads/main." };
    private readonly Option<string?> _sourceDigest = new("--source-digest") { Description = "gh attestation: the commit built." };
    private readonly Option<string?> _predicateType = new("--predicate-type") { Description = "gh attestation: the predicate type required (default SLSA provenance v1)." };
    private readonly Option<bool> _denySelfHosted = new("--deny-self-hosted-runners") { Description = "gh attestation: refuse builds on self-hosted runners." };

    private ShorthandOptions()
    {
    }

    public IEnumerable<Option> All =>
    [
        _sourceUri, _sourceBranch, _sourceTag, _sourceVersionedTag, _builderId, _workflowInputs,
        _owner, _repo, _signerWorkflow, _signerRepo, _sourceRef, _sourceDigest, _predicateType, _denySelfHosted,
    ];

    public static ShorthandOptions Create() => new();

    public ShorthandRequest Read(ParseResult parse) => new(
        new SlsaVerifierShorthand(
            parse.GetValue(_sourceUri), parse.GetValue(_sourceBranch), parse.GetValue(_sourceTag), parse.GetValue(_sourceVersionedTag),
            parse.GetValue(_builderId), parse.GetValue(_workflowInputs) ?? []),
        new GitHubShorthand(
            parse.GetValue(_owner), parse.GetValue(_repo), parse.GetValue(_signerWorkflow), parse.GetValue(_signerRepo),
            parse.GetValue(_sourceRef), parse.GetValue(_sourceDigest), parse.GetValue(_predicateType), parse.GetValue(_denySelfHosted)));
}

/// <summary>The shorthand flags as given.</summary>
internal sealed record ShorthandRequest(SlsaVerifierShorthand SlsaVerifier, GitHubShorthand GitHub)
{
    /// <summary>No shorthand given.</summary>
    public static readonly ShorthandRequest None = new(
        new SlsaVerifierShorthand(null, null, null, null, null, []),
        new GitHubShorthand(null, null, null, null, null, null, null, false));

    public bool IsEmpty => SlsaVerifier.IsEmpty && GitHub.IsEmpty;
}

/// <summary>slsa-verifier's flags as given.</summary>
internal sealed record SlsaVerifierShorthand(
    string? SourceUri, string? SourceBranch, string? SourceTag, string? SourceVersionedTag, string? BuilderId, IReadOnlyList<string> WorkflowInputs)
{
    public bool IsEmpty => SourceUri is null && SourceBranch is null && SourceTag is null && SourceVersionedTag is null && BuilderId is null && WorkflowInputs.Count == 0;
}

/// <summary><c>gh attestation verify</c>'s flags as given.</summary>
internal sealed record GitHubShorthand(
    string? Owner, string? Repo, string? SignerWorkflow, string? SignerRepo, string? SourceRef, string? SourceDigest, string? PredicateType, bool DenySelfHostedRunners)
{
    public bool IsEmpty => Owner is null && Repo is null && SignerWorkflow is null && SignerRepo is null && SourceRef is null
        && SourceDigest is null && PredicateType is null && !DenySelfHostedRunners;
}
