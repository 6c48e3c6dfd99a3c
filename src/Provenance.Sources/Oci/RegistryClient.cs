using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Provenance.Http;
using Provenance.Json;

namespace Provenance.Sources.Oci;

/// <summary>A manifest or blob whose bytes hashed to <see cref="Digest"/>: the only kind of content used.</summary>
internal sealed record VerifiedContent(string Digest, ReadOnlyMemory<byte> Bytes, string? MediaType);

/// <summary>
/// Reads one repository of a registry over the OCI distribution API (v2): manifests by tag or digest, blobs by
/// digest, referrers, with the registry token protocol (Docker's token authentication: a 401 names a realm, the
/// realm gives a bearer token) or Basic authentication. Every byte it returns has been hashed and compared with the
/// digest asked for; a registry's headers are never taken for the content's digest.
/// </summary>
internal sealed partial class RegistryClient(HttpFetcher fetcher, OciReference image, RegistryCredential? credential, RegistryContentCache? cache = null)
{
    /// <summary>The manifest media types asked for: OCI and Docker, single image and index.</summary>
    private const string ManifestAccept =
        "application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, "
        + "application/vnd.docker.distribution.manifest.v2+json, application/vnd.docker.distribution.manifest.list.v2+json";

    private readonly RegistryContentCache _cache = cache ?? new RegistryContentCache();

    private string? _authorization;

    /// <summary>The repository's API root: plain http only where the shared pipeline allows it (loopback, --insecure-registry).</summary>
    private Uri RepositoryUri { get; } = new(
        (IsPlainHttp(image, fetcher.Options) ? "http://" : "https://") + image.ApiHost + "/v2/" + image.Repository + "/");

    /// <summary>
    /// The manifest <paramref name="reference"/> (a tag or a digest) names, or null when the registry has none (404).
    /// By digest, the bytes must hash to it; by tag, the digest is the bytes' own and a Docker-Content-Digest header
    /// must agree with it.
    /// </summary>
    public Task<VerifiedContent?> GetManifestAsync(string reference, CancellationToken cancellationToken)
    {
        var uri = new Uri(RepositoryUri, "manifests/" + reference);

        // A tag can move, so it is asked every time; a digest names the same bytes for good.
        return IsDigest(reference)
            ? _cache.Manifests.GetOrFetchAsync(uri, (manifestUri, token) => FetchManifestAsync(reference, manifestUri, token), cancellationToken)
            : FetchManifestAsync(reference, uri, cancellationToken);
    }

    /// <summary>The blob a descriptor names: exactly <paramref name="size"/> bytes that hash to <paramref name="digest"/>.</summary>
    public async Task<VerifiedContent> GetBlobAsync(string digest, long size, long maxBytes, CancellationToken cancellationToken)
    {
        var uri = new Uri(RepositoryUri, "blobs/" + digest);
        if (size < 0 || size > maxBytes)
        {
            throw OciException.Of(DiagnosticCode.ResponseTooLarge, uri,
                string.Create(CultureInfo.InvariantCulture, $"the descriptor gives the blob a size of {size} bytes where at most {maxBytes} are read"));
        }

        var blob = await _cache.Blobs.GetOrFetchAsync(uri, (blobUri, token) => FetchBlobAsync(digest, size, blobUri, token), cancellationToken).ConfigureAwait(false);

        // Checked on every ask: another descriptor may name the same digest with another size.
        return blob.Bytes.Length == size ? blob : throw BlobLie(uri, digest, size, blob);
    }

    /// <summary>
    /// The pages of the referrers list of <paramref name="digest"/> (OCI distribution 1.1), or null when the registry
    /// does not offer the referrers API (404), so the tag schema applies.
    /// </summary>
    public async Task<IReadOnlyList<ReadOnlyMemory<byte>>?> GetReferrersAsync(string digest, CancellationToken cancellationToken)
    {
        var pages = new List<ReadOnlyMemory<byte>>();
        var uri = new Uri(RepositoryUri, "referrers/" + digest);
        while (true)
        {
            var response = await GetAsync(uri, "application/vnd.oci.image.index.v1+json", Limits.MaxOciManifestBytes, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.NotFound && pages.Count == 0)
            {
                return null;
            }

            RequireSuccess(response, "referrers of " + digest);
            pages.Add(response.Body);
            if (NextPage(response, uri) is not { } next)
            {
                return pages;
            }

            if (pages.Count >= Limits.MaxOciReferrerPages)
            {
                throw OciException.Of(DiagnosticCode.RegistryTooManyEntries, uri, string.Create(CultureInfo.InvariantCulture,
                    $"the referrers list goes on past {Limits.MaxOciReferrerPages} pages; the registry is sending an endless listing"));
            }

            uri = next;
        }
    }

    private async Task<VerifiedContent?> FetchManifestAsync(string reference, Uri uri, CancellationToken cancellationToken)
    {
        var response = await GetAsync(uri, ManifestAccept, Limits.MaxOciManifestBytes, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        RequireSuccess(response, "manifest " + reference);
        var actual = Sha256Digest(response.Body.Span);
        if (IsDigest(reference) && !DigestEquals(actual, reference))
        {
            throw Lie(uri, $"the manifest asked for by digest {reference} hashes to {actual}");
        }

        if (response.Header("Docker-Content-Digest") is { } announced && IsDigest(announced) && !DigestEquals(actual, announced))
        {
            throw Lie(uri, $"the registry announces the manifest as {StrictJson.Printable(announced, 80)} but its bytes hash to {actual}");
        }

        return new VerifiedContent(actual, response.Body, response.Header("Content-Type"));
    }

    /// <summary>The blob's bytes, read up to <paramref name="size"/> and kept only when they hash to <paramref name="digest"/>.</summary>
    private async Task<VerifiedContent> FetchBlobAsync(string digest, long size, Uri uri, CancellationToken cancellationToken)
    {
        var response = await GetAsync(uri, null, size, cancellationToken).ConfigureAwait(false);
        RequireSuccess(response, "blob " + digest);
        var blob = new VerifiedContent(Sha256Digest(response.Body.Span), response.Body, null);
        return DigestEquals(blob.Digest, digest) ? blob : throw BlobLie(uri, digest, size, blob);
    }

    private static bool IsDigest(string reference) => reference.StartsWith("sha256:", StringComparison.Ordinal);

    private static OciException BlobLie(Uri uri, string digest, long size, VerifiedContent arrived) => Lie(uri, string.Create(CultureInfo.InvariantCulture,
        $"the blob {digest} of {size} bytes arrived as {arrived.Bytes.Length} bytes hashing to {arrived.Digest}"));

    /// <summary>The SHA-256 digest of <paramref name="bytes"/> as <c>sha256:HEX</c>.</summary>
    public static string Sha256Digest(ReadOnlySpan<byte> bytes) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>Digests compared in fixed time, as every digest comparison is.</summary>
    public static bool DigestEquals(string actual, string expected) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(actual), Encoding.ASCII.GetBytes(expected));

    private static bool IsPlainHttp(OciReference image, HttpFetchOptions options) =>
        options.InsecureHosts.Contains(image.Host)
        || (Uri.TryCreate("http://" + image.Registry + "/", UriKind.Absolute, out var uri) && uri.IsLoopback);

    /// <summary>A GET that answers the registry's authentication challenge once, then remembers the credentials.</summary>
    private async Task<HttpFetchResponse> GetAsync(Uri uri, string? accept, long maxBytes, CancellationToken cancellationToken)
    {
        var response = await fetcher.GetAsync(uri, Headers(accept), maxBytes, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Unauthorized)
        {
            return response;
        }

        _authorization = await AuthenticateAsync(uri, response.Header("WWW-Authenticate"), cancellationToken).ConfigureAwait(false);
        response = await fetcher.GetAsync(uri, Headers(accept), maxBytes, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.Unauthorized)
        {
            throw OciException.Of(DiagnosticCode.RegistryAuthenticationFailed, uri, credential is null
                ? "the registry refuses anonymous pulls; log in (docker login) or set PROVENANCE_REGISTRY_USERNAME and PROVENANCE_REGISTRY_PASSWORD"
                : "the registry refuses the credentials given; check them, and that they may pull this repository");
        }

        return response;
    }

    private List<KeyValuePair<string, string>> Headers(string? accept)
    {
        var headers = new List<KeyValuePair<string, string>>();
        if (accept is not null)
        {
            headers.Add(new("Accept", accept));
        }

        if (_authorization is not null)
        {
            headers.Add(new("Authorization", _authorization));
        }

        return headers;
    }

    /// <summary>The Authorization header that answers the challenge (RFC 7235): a bearer token from the realm, or Basic.</summary>
    private async Task<string> AuthenticateAsync(Uri uri, string? challenge, CancellationToken cancellationToken)
    {
        if (challenge is not null && challenge.StartsWith("Basic", StringComparison.OrdinalIgnoreCase))
        {
            return credential is null
                ? throw OciException.Of(DiagnosticCode.RegistryAuthenticationFailed, uri,
                    "the registry asks for a user name and password; log in (docker login) or set PROVENANCE_REGISTRY_USERNAME and PROVENANCE_REGISTRY_PASSWORD")
                : "Basic " + credential.BasicAuthorization;
        }

        if (challenge is null || !challenge.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            throw OciException.Of(DiagnosticCode.RegistryAuthenticationFailed, uri,
                "the registry answers 401 without a Basic or Bearer challenge (WWW-Authenticate), so there is no way to authenticate");
        }

        var parameters = ChallengeParameters(challenge["Bearer ".Length..]);
        if (!parameters.TryGetValue("realm", out var realmText) || !Uri.TryCreate(realmText, UriKind.Absolute, out var realm))
        {
            throw OciException.Of(DiagnosticCode.RegistryAuthenticationFailed, uri, "the registry's Bearer challenge names no usable realm (token endpoint)");
        }

        var query = new StringBuilder();
        if (parameters.TryGetValue("service", out var service))
        {
            query.Append("service=").Append(Uri.EscapeDataString(service)).Append('&');
        }

        // Only pull is ever asked for, whatever scope the challenge names: a verifier writes nothing.
        query.Append("scope=").Append(Uri.EscapeDataString("repository:" + image.Repository + ":pull"));
        var tokenUri = new UriBuilder(realm) { Query = (realm.Query.Length > 1 ? realm.Query[1..] + "&" : "") + query }.Uri;
        var headers = credential is null ? [] : new[] { KeyValuePair.Create("Authorization", "Basic " + credential.BasicAuthorization) };
        var response = await fetcher.GetAsync(tokenUri, headers, Limits.MaxRegistryTokenResponseBytes, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccess)
        {
            throw OciException.Of(DiagnosticCode.RegistryAuthenticationFailed, tokenUri, string.Create(CultureInfo.InvariantCulture,
                $"the token endpoint answers {(int)response.StatusCode}; check the credentials (docker login, PROVENANCE_REGISTRY_USERNAME)"));
        }

        return "Bearer " + ReadToken(response.Body, tokenUri);
    }

    /// <summary>The token of a token response (<c>token</c>, or the OAuth2 <c>access_token</c>), which must be a token68 (RFC 7235).</summary>
    private static string ReadToken(ReadOnlyMemory<byte> body, Uri tokenUri)
    {
        string? token;
        try
        {
            using var document = StrictJson.Parse(body);
            token = StrictJson.OptionalString(document.RootElement, "token", "$")
                ?? StrictJson.OptionalString(document.RootElement, "access_token", "$");
        }
        catch (InvalidInputException e)
        {
            throw OciException.Of(DiagnosticCode.RegistryAuthenticationFailed, tokenUri,
                "the token endpoint's answer is not a token response: " + e.Problem.Message);
        }

        if (token is null || !Token68().IsMatch(token))
        {
            throw OciException.Of(DiagnosticCode.RegistryAuthenticationFailed, tokenUri,
                "the token endpoint's answer holds no usable token (a \"token\" or \"access_token\" of token68 characters)");
        }

        return token;
    }

    /// <summary>The auth-params of a challenge: <c>realm="…",service="…",scope="…"</c> (RFC 7235 section 2.1).</summary>
    private static Dictionary<string, string> ChallengeParameters(string text)
    {
        var parameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (Match match in ChallengeParameter().Matches(text))
        {
            var value = match.Groups["quoted"].Success ? match.Groups["quoted"].Value.Replace("\\\"", "\"", StringComparison.Ordinal) : match.Groups["token"].Value;
            parameters.TryAdd(match.Groups["name"].Value, value);
        }

        return parameters;
    }

    /// <summary>The next page of a listing (OCI distribution: <c>Link: &lt;URL&gt;; rel="next"</c>), only on the registry asked.</summary>
    private static Uri? NextPage(HttpFetchResponse response, Uri current) =>
        response.NextLink() is { } next && next.Authority == current.Authority ? next : null;

    private static void RequireSuccess(HttpFetchResponse response, string what)
    {
        if (!response.IsSuccess)
        {
            throw OciException.Of(DiagnosticCode.RegistryRequestFailed, response.Uri, string.Create(CultureInfo.InvariantCulture,
                $"the registry answers {(int)response.StatusCode} for the {what}; check the image name and that the registry serves it"));
        }
    }

    private static OciException Lie(Uri uri, string message) =>
        OciException.Of(DiagnosticCode.RegistryDigestMismatch, uri, message + "; the content was not used");

    [GeneratedRegex(@"\G\s*,?\s*(?<name>[A-Za-z0-9_-]+)=(?:""(?<quoted>(?:[^""\\]|\\.)*)""|(?<token>[^\s,""]+))",
        RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture, matchTimeoutMilliseconds: 1000)]
    private static partial Regex ChallengeParameter();

    [GeneratedRegex(@"\A[A-Za-z0-9\-._~+/]+=*\z", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex Token68();

}

/// <summary>
/// Manifests and blobs fetched by digest, for every image of one invocation: keyed by the exact request (registry,
/// repository, digest), so two images or envelopes naming one blob cost one fetch, and content read from one
/// repository is never handed out for another. Content by digest cannot change; tags are never kept. Create one per
/// invocation and pass it to every <see cref="OciAttestationSource"/> fetch of it.
/// </summary>
public sealed class RegistryContentCache
{
    internal FetchCache<Uri, VerifiedContent?> Manifests { get; } = new();

    internal FetchCache<Uri, VerifiedContent> Blobs { get; } = new();
}

/// <summary>A registry answer that stops the fetch; turned into the <see cref="Problem"/> the user sees.</summary>
internal sealed class OciException(Problem problem) : Exception(problem.ToString())
{
    public Problem Problem { get; } = problem;

    public static OciException Of(DiagnosticCode code, Uri uri, string message) =>
        new(new Problem(code, message, uri.GetLeftPart(UriPartial.Path)));
}
