using System.Collections.Concurrent;

namespace Provenance.Testing;

/// <summary>
/// The read side of an OCI distribution registry (manifests by tag or digest, blobs, the referrers API) held in
/// memory and served on <see cref="LoopbackHttpServer"/>, so a test can make it lie in exactly one way through
/// <see cref="Lie"/>: a handler that answers a request itself (return null to let the honest registry answer).
/// </summary>
public sealed class InMemoryRegistry : IOciTarget
{
    private readonly ConcurrentDictionary<string, (byte[] Bytes, string MediaType)> _manifests = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte[]> _blobs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, List<OciDescriptor>> _referrers = new(StringComparer.Ordinal);

    public InMemoryRegistry(string repository = "test/image") => Repository = repository;

    public string Repository { get; }

    /// <summary>Serve the referrers API (OCI 1.1); when false it answers 404, as registries without it do.</summary>
    public bool ReferrersApi { get; set; } = true;

    /// <summary>Answers a request in place of the honest registry; null lets the registry answer.</summary>
    public Func<LoopbackRequest, LoopbackResponse?>? Lie { get; set; }

    public Task PutBlobAsync(byte[] content)
    {
        _blobs[OciImages.Digest(content)] = content;
        return Task.CompletedTask;
    }

    public Task PutManifestAsync(string reference, byte[] manifest, string mediaType)
    {
        _manifests[reference] = (manifest, mediaType);
        _manifests[OciImages.Digest(manifest)] = (manifest, mediaType);
        return Task.CompletedTask;
    }

    /// <summary>Lists <paramref name="referrer"/> in the referrers API response for <paramref name="subject"/>.</summary>
    public void AddReferrer(string subject, OciDescriptor referrer) =>
        _referrers.GetOrAdd(subject, _ => []).Add(referrer);

    public LoopbackResponse Handle(LoopbackRequest request)
    {
        if (Lie?.Invoke(request) is { } lie)
        {
            return lie;
        }

        var prefix = "/v2/" + Repository + "/";
        if (request.Path == "/v2/")
        {
            return LoopbackResponse.Json("{}");
        }

        if (!request.Path.StartsWith(prefix, StringComparison.Ordinal))
        {
            return NotFound("NAME_UNKNOWN");
        }

        var rest = request.Path[prefix.Length..];
        if (rest.StartsWith("manifests/", StringComparison.Ordinal))
        {
            return _manifests.TryGetValue(rest["manifests/".Length..], out var manifest)
                ? Manifest(manifest.Bytes, manifest.MediaType)
                : NotFound("MANIFEST_UNKNOWN");
        }

        if (rest.StartsWith("blobs/", StringComparison.Ordinal))
        {
            return _blobs.TryGetValue(rest["blobs/".Length..], out var blob) ? LoopbackResponse.Bytes(blob) : NotFound("BLOB_UNKNOWN");
        }

        if (rest.StartsWith("referrers/", StringComparison.Ordinal) && ReferrersApi)
        {
            var referrers = _referrers.TryGetValue(rest["referrers/".Length..], out var list) ? list : [];
            return Manifest(OciImages.Index(referrers), OciImages.IndexMediaType);
        }

        return NotFound("UNSUPPORTED");
    }

    /// <summary>A manifest response as a registry sends it, with the Docker-Content-Digest of its bytes.</summary>
    public static LoopbackResponse Manifest(byte[] bytes, string mediaType, string? announcedDigest = null) =>
        new(200, bytes, new Dictionary<string, string>
        {
            ["Content-Type"] = mediaType,
            ["Docker-Content-Digest"] = announcedDigest ?? OciImages.Digest(bytes),
        });

    private static LoopbackResponse NotFound(string code) =>
        LoopbackResponse.Json($"{{\"errors\":[{{\"code\":\"{code}\"}}]}}", 404);
}
