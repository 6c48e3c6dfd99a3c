using Microsoft.Extensions.Configuration;
using Provenance.Cryptography;
using Provenance.Http;
using Provenance.Sources.Oci;
using Provenance.Verification;

namespace Provenance.Cli;

/// <summary>
/// The <c>oci://</c> artifacts of <c>provenance verify</c>: each image is resolved to its manifest digest, which
/// becomes the artifact, and its attestations are fetched from the registry to be verified like local files.
/// Credentials: <c>PROVENANCE_REGISTRY_USERNAME</c> and <c>PROVENANCE_REGISTRY_PASSWORD</c> (for every registry
/// named) or else the registry's entry in the Docker config file (<c>$DOCKER_CONFIG/config.json</c>, else
/// <c>~/.docker/config.json</c>); anonymous otherwise.
/// </summary>
internal sealed class OciArtifacts(IConfiguration configuration, CliOutput output)
{
    /// <summary>The images, attestations and problems of fetching; any problem stops the verification.</summary>
    public sealed record Fetched(IReadOnlyList<ArtifactInput> Artifacts, IReadOnlyList<AttestationInput> Attestations, IReadOnlyList<Problem> Problems);

    public async Task<Fetched> FetchAsync(
        IReadOnlyList<OciReference> images, HttpFetcher fetcher, CancellationToken cancellationToken)
    {
        var artifacts = new List<ArtifactInput>();
        var attestations = new List<AttestationInput>();
        var problems = new List<Problem>();
        if (images.Count == 0)
        {
            return new Fetched(artifacts, attestations, problems);
        }

        var cache = new RegistryContentCache();
        foreach (var image in images)
        {
            var (credential, credentialProblem) = await CredentialAsync(image.Registry, cancellationToken).ConfigureAwait(false);
            if (credentialProblem is not null)
            {
                problems.Add(credentialProblem);
                continue;
            }

            var (fetched, problem) = await OciAttestationSource.FetchAsync(fetcher, image, credential, cache, cancellationToken).ConfigureAwait(false);
            if (fetched is null)
            {
                problems.Add(problem!);
                continue;
            }

            if (image.Digest is null)
            {
                await output.Error.WriteLineAsync($"resolved {image} to {fetched.Digest}").ConfigureAwait(false);
            }

            artifacts.Add(ArtifactInput.FromDigest(ArtifactDigest.Parse(fetched.Digest)));
            attestations.AddRange(fetched.Attestations);
        }

        return new Fetched(artifacts, attestations, problems);
    }

    private Task<(RegistryCredential? Credential, Problem? Problem)> CredentialAsync(string registry, CancellationToken cancellationToken)
    {
        var given = configuration["REGISTRY_USERNAME"] is { Length: > 0 } user
            ? new RegistryCredential(user, configuration["REGISTRY_PASSWORD"] ?? "")
            : null;
        var directory = Environment.GetEnvironmentVariable("DOCKER_CONFIG") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".docker");
        return RegistryCredentials.FindAsync(registry, given, Path.Combine(directory, "config.json"), cancellationToken);
    }
}
