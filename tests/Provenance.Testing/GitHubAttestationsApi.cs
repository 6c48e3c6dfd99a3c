using System.Text;

namespace Provenance.Testing;

/// <summary>
/// Responses in the shape of the GitHub attestations API (https://docs.github.com/en/rest/repos/attestations),
/// around real bundles: cli/cli's reusable-workflow attestation (testdata/realworld/cli, see NOTICE), made by GitHub
/// for <see cref="Artifact"/>, and sigstore-js's bundle for another artifact.
/// </summary>
public static class GitHubAttestationsApi
{
    /// <summary>The artifact the reusable-workflow bundle attests.</summary>
    public static readonly string Artifact = TestData.RealWorld("cli/pkg/cmd/attestation/test/data/reusable-workflow-artifact");

    /// <summary>GitHub's bundle for <see cref="Artifact"/>: signed by github/artifact-attestations-workflows for malancas/attest-demo.</summary>
    public static readonly string Bundle = TestData.RealWorld("cli/pkg/cmd/attestation/test/data/reusable-workflow-attestation.sigstore.json");

    /// <summary>A valid GitHub Actions bundle whose only subject is another artifact (pkg:npm/sigstore@2.1.0).</summary>
    public static readonly string OtherArtifactBundle = TestData.RealWorld("cli/pkg/cmd/attestation/test/data/sigstore-js-2.1.0-bundle.json");

    /// <summary>The repository <see cref="Bundle"/> was made for.</summary>
    public const string Repository = "malancas/attest-demo";

    /// <summary>The workflow repository that signed <see cref="Bundle"/>.</summary>
    public const string SignerRepository = "github/artifact-attestations-workflows";

    /// <summary><c>sha256:HEX</c> of <see cref="Artifact"/>, computed from the file.</summary>
    public static string ArtifactSha256 =>
        "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(Artifact)));

    /// <summary>
    /// Verifies <paramref name="artifact"/> against <paramref name="attestations"/> as the CLI does with the embedded
    /// public-good root, accepting the workflows of <see cref="SignerRepository"/> as signers.
    /// </summary>
    public static Task<Provenance.Verification.VerificationResult> VerifyAsync(
        string artifact, IReadOnlyList<Provenance.Verification.AttestationInput> attestations, CancellationToken cancellationToken) =>
        new Provenance.Verification.ProvenanceVerifier(new Provenance.Verification.VerifierOptions
        {
            TrustedRoot = Provenance.Sigstore.TrustedRoot.PublicGood,
            Identities = [Provenance.Verification.CertificateIdentity.Create(null, "^https://github\\.com/github/artifact\\-attestations\\-workflows/.*$",
                "https://token.actions.githubusercontent.com", null)],
        }).VerifyAsync(Provenance.Verification.ArtifactInput.FromFile(artifact), attestations, cancellationToken);

    /// <summary>The API path of a repository's attestations for a digest.</summary>
    public static string RepositoryPath(string repository, string digest) => $"/repos/{repository}/attestations/{digest}";

    /// <summary>A listing of the given bundle files, as the API returns it.</summary>
    public static LoopbackResponse Listing(IEnumerable<string> bundleFiles, string? nextLink = null, IReadOnlyDictionary<string, string>? headers = null)
    {
        var json = new StringBuilder("{\"attestations\":[");
        var first = true;
        foreach (var file in bundleFiles)
        {
            json.Append(first ? "" : ",").Append("{\"bundle\":").Append(File.ReadAllText(file).Trim()).Append(",\"repository_id\":804070735}");
            first = false;
        }

        json.Append("]}");
        var all = new Dictionary<string, string>(headers ?? new Dictionary<string, string>());
        if (nextLink is not null)
        {
            all["Link"] = $"<{nextLink}>; rel=\"next\"";
        }

        return LoopbackResponse.Json(json.ToString(), headers: all);
    }

    /// <summary>
    /// A release as <c>GET /repos/{owner}/{repo}/releases/tags/{tag}</c> returns it, with the fields a download needs:
    /// each asset's name, size and API URL (here on <paramref name="server"/>, <c>/assets/INDEX</c>).
    /// </summary>
    public static LoopbackResponse Release(Uri server, string repository, IEnumerable<(string Name, long Size)> assets)
    {
        var items = assets.Select((asset, index) => new System.Text.Json.Nodes.JsonObject
        {
            ["name"] = asset.Name,
            ["size"] = asset.Size,
            ["url"] = new Uri(server, $"repos/{repository}/releases/assets/{index}").ToString(),
            ["browser_download_url"] = $"https://github.com/{repository}/releases/download/v1/{asset.Name}",
        });
        var release = new System.Text.Json.Nodes.JsonObject { ["tag_name"] = "v1", ["assets"] = new System.Text.Json.Nodes.JsonArray([.. items]) };
        return LoopbackResponse.Json(release.ToJsonString());
    }

    /// <summary>An error as the API sends it: <c>{"message": …, "documentation_url": …}</c>.</summary>
    public static LoopbackResponse Error(int status, string message, IReadOnlyDictionary<string, string>? headers = null) =>
        LoopbackResponse.Json($"{{\"message\":\"{message}\",\"documentation_url\":\"https://docs.github.com/rest\"}}", status, headers);
}
