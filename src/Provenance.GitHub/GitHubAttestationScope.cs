using System.Text.RegularExpressions;

namespace Provenance.GitHub;

/// <summary>
/// Where the GitHub attestations API is asked: one repository's attestations
/// (<c>GET /repos/{owner}/{repo}/attestations/{subject_digest}</c>) or every repository's of an organization or user
/// (<c>GET /orgs/{org}/attestations/{subject_digest}</c>). The scope only chooses what is fetched; who may have
/// signed is decided by the verifier and the policy, never by where an attestation was found.
/// </summary>
public sealed partial record GitHubAttestationScope
{
    private GitHubAttestationScope(string path, string name)
    {
        Path = path;
        Name = name;
    }

    /// <summary><c>owner/name</c> or the organization, as the user gave it.</summary>
    public string Name { get; }

    /// <summary>The API path below the base, e.g. <c>repos/owner/name</c>, with no trailing slash.</summary>
    internal string Path { get; }

    /// <summary>
    /// The repository (<c>--repo owner/name</c>) when given, else the organization (<c>--owner org</c>); a problem when
    /// a name is not one GitHub allows, so nothing unexpected is ever put into a request path.
    /// </summary>
    public static (GitHubAttestationScope? Scope, Problem? Problem) From(string? repository, string? owner)
    {
        if (repository is not null)
        {
            var parts = repository.Split('/');
            return parts.Length == 2 && IsOwner(parts[0]) && IsRepositoryName(parts[1])
                ? (new GitHubAttestationScope($"repos/{parts[0]}/{parts[1]}", repository), null)
                : (null, new Problem(DiagnosticCode.InvalidOptions,
                    $"--repo takes owner/name as GitHub spells them (letters, digits, '-', and '.' or '_' in the name); \"{repository}\" is not that"));
        }

        if (owner is not null)
        {
            return IsOwner(owner)
                ? (new GitHubAttestationScope($"orgs/{owner}", owner), null)
                : (null, new Problem(DiagnosticCode.InvalidOptions,
                    $"--owner takes a GitHub user or organization name (letters, digits and '-'); \"{owner}\" is not that"));
        }

        return (null, null);
    }

    /// <inheritdoc />
    public override string ToString() => Name;

    private static bool IsOwner(string name) => OwnerPattern().IsMatch(name);

    private static bool IsRepositoryName(string name) => name is not ("." or "..") && RepositoryPattern().IsMatch(name);

    // GitHub's own rules: logins are up to 39 letters, digits and single hyphens, not starting with one;
    // repository names are up to 100 letters, digits, '-', '_' and '.'.
    [GeneratedRegex(@"\A[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\z", RegexOptions.CultureInvariant)]
    private static partial Regex OwnerPattern();

    [GeneratedRegex(@"\A[A-Za-z0-9._-]{1,100}\z", RegexOptions.CultureInvariant)]
    private static partial Regex RepositoryPattern();
}
