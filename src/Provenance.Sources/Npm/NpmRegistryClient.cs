using System.Globalization;
using System.Net;
using System.Text.Json;
using Provenance.Cryptography;
using Provenance.Http;
using Provenance.Json;

namespace Provenance.Sources.Npm;

/// <summary>What the registry gave for one package: the tarball's integrity and the attestations, or why not.</summary>
/// <param name="Integrity">The tarball's SHA-512 (<c>dist.integrity</c>), the artifact the attestations must name.</param>
/// <param name="Attestations">The attestations response (<c>{"attestations":[...]}</c>), null when the version has none.</param>
/// <param name="Location">Where the attestations were fetched from.</param>
public sealed record NpmFetch(ArtifactDigest Integrity, ReadOnlyMemory<byte>? Attestations, string Location);

/// <summary>
/// The npm registry's two documents a verification needs: a version's document (<c>GET /NAME/VERSION</c>, for
/// <c>dist.integrity</c>) and its attestations (<c>GET /-/npm/v1/attestations/NAME@VERSION</c>). The attestations
/// URL is built here, never taken from the registry's answer, so a document cannot send the verifier elsewhere.
/// </summary>
internal sealed class NpmRegistryClient(HttpFetcher fetcher, Uri registry)
{
    /// <summary>The registry's base URL.</summary>
    public Uri Registry { get; } = registry;

    // Keyed by the exact request (registry, NAME@VERSION): a published npm version cannot be changed, so a lockfile
    // naming one package twice costs one fetch.
    private readonly FetchCache<Uri, NpmFetch> _documents = new();
    private readonly FetchCache<Uri, ReadOnlyMemory<byte>?> _attestations = new();

    /// <summary>The version's integrity from its document, then its attestations when the document says it has some.</summary>
    public Task<NpmFetch> FetchAsync(NpmPackage package, CancellationToken cancellationToken) =>
        _documents.GetOrFetchAsync(Endpoint(package.EscapedName + "/" + Uri.EscapeDataString(package.Version)),
            (uri, token) => FetchDocumentAsync(package, uri, token), cancellationToken);

    /// <summary>The version's attestations, or null when the registry has none (404).</summary>
    public Task<ReadOnlyMemory<byte>?> FetchAttestationsAsync(NpmPackage package, CancellationToken cancellationToken) =>
        _attestations.GetOrFetchAsync(AttestationsUri(package), FetchAttestationsAsync, cancellationToken);

    private async Task<NpmFetch> FetchDocumentAsync(NpmPackage package, Uri uri, CancellationToken cancellationToken)
    {
        var response = await fetcher.GetAsync(uri, [KeyValuePair.Create("Accept", "application/json")], cancellationToken: cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            throw new HttpFetchException(new Problem(DiagnosticCode.NpmPackageNotFound,
                $"the registry has no {package}; check the name, the version and --npm-registry", uri.ToString()));
        }

        var body = RequireSuccess(response, uri);
        var (integrity, hasAttestations) = Read(body, uri, root =>
        {
            // A document for another package or version would attest to something else.
            var name = StrictJson.RequiredString(root, "name", "$");
            var version = StrictJson.RequiredString(root, "version", "$");
            if (name != package.Name || version != package.Version)
            {
                throw InvalidInputException.At(DiagnosticCode.SourceResponseInvalid, "$",
                    $"the registry answered with the document of {StrictJson.Printable(name, 220)}@{StrictJson.Printable(version, 60)}, not of {package.Name}@{package.Version}");
            }

            var dist = StrictJson.Required(root, "dist", "$");
            return (ParseIntegrity(StrictJson.RequiredString(dist, "integrity", "$.dist"), "$.dist.integrity"),
                StrictJson.Optional(dist, "attestations") is { ValueKind: JsonValueKind.Object });
        });

        var attestationsUri = AttestationsUri(package);
        return hasAttestations
            ? new NpmFetch(integrity, await FetchAttestationsAsync(package, cancellationToken).ConfigureAwait(false), attestationsUri.ToString())
            : new NpmFetch(integrity, null, attestationsUri.ToString());
    }

    private async Task<ReadOnlyMemory<byte>?> FetchAttestationsAsync(Uri uri, CancellationToken cancellationToken)
    {
        var response = await fetcher.GetAsync(uri, [KeyValuePair.Create("Accept", "application/json")], Limits.MaxAttestationFileBytes, cancellationToken)
            .ConfigureAwait(false);
        // Typed: a bare null would convert to an empty ReadOnlyMemory (through byte[]) and read as "no content".
        return response.StatusCode == HttpStatusCode.NotFound ? (ReadOnlyMemory<byte>?)null : RequireSuccess(response, uri);
    }

    public Uri AttestationsUri(NpmPackage package) => Endpoint("-/npm/v1/attestations/" + package.EscapedName + "@" + Uri.EscapeDataString(package.Version));

    /// <summary>
    /// The SHA-512 of a Subresource Integrity value (W3C SRI: space-separated <c>ALG-BASE64</c>); npm's sha512 is
    /// what its attestations name the tarball by.
    /// </summary>
    internal static ArtifactDigest ParseIntegrity(string integrity, string location)
    {
        foreach (var part in integrity.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part.StartsWith("sha512-", StringComparison.Ordinal))
            {
                var hash = new byte[64];
                if (Convert.TryFromBase64String(part["sha512-".Length..].Split('?')[0], hash, out var written) && written == 64)
                {
                    return new ArtifactDigest(DigestAlgorithm.Sha512, Convert.ToHexStringLower(hash));
                }
            }
        }

        throw InvalidInputException.At(DiagnosticCode.SourceResponseInvalid, location,
            $"\"{StrictJson.Printable(integrity, 120)}\" holds no sha512 integrity; only sha512 is what npm attests");
    }

    private Uri Endpoint(string path) => new(new Uri(Registry.ToString().TrimEnd('/') + "/"), path);

    private static ReadOnlyMemory<byte> RequireSuccess(HttpFetchResponse response, Uri uri) =>
        response.IsSuccess
            ? response.Body
            : throw new HttpFetchException(new Problem(DiagnosticCode.FetchFailed,
                string.Create(CultureInfo.InvariantCulture, $"the registry answered HTTP {(int)response.StatusCode}; check --npm-registry and try again later"), uri.ToString()));

    private static T Read<T>(ReadOnlyMemory<byte> body, Uri uri, Func<JsonElement, T> read)
    {
        try
        {
            using var document = StrictJson.Parse(body);
            StrictJson.RequireObject(document.RootElement, "$");
            return read(document.RootElement);
        }
        catch (InvalidInputException e)
        {
            throw new HttpFetchException(new Problem(DiagnosticCode.SourceResponseInvalid,
                "the registry's answer is not an npm version document: " + e.Problem.Message, uri + (e.Problem.Location is { } at ? ": " + at : "")));
        }
    }
}
