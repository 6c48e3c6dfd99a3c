using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Provenance.Http;
using Provenance.Json;
using Provenance.Verification;

namespace Provenance.Sources.Oci;

/// <summary>What a registry holds for one image: the manifest digest to verify, and the attestations found for it.</summary>
/// <param name="Image">The image pinned to <paramref name="Digest"/> (its tag kept when it was named by tag).</param>
/// <param name="Digest">The manifest digest <c>sha256:HEX</c>: the artifact the attestations must name.</param>
/// <param name="Attestations">Sigstore bundles and cosign attestations, each read and hashed, none yet verified.</param>
public sealed record OciAttestations(OciReference Image, string Digest, ImmutableArray<AttestationInput> Attestations);

/// <summary>
/// Finds the attestations of an image in its registry: Sigstore bundles attached as referrers (OCI distribution 1.1
/// referrers API, or its tag schema fallback, the <c>sha256-HEX</c> tag holding an index), and cosign's attestation
/// tag <c>sha256-HEX.att</c>. A tag is resolved once, to the digest of the manifest bytes, and from then on only that
/// digest is used, so a tag that moves meanwhile cannot mix two images. Every manifest and blob is checked against
/// its digest before it is read; nothing is trusted for having come from the registry.
/// </summary>
public static partial class OciAttestationSource
{
    /// <summary>The artifact types (and layer media types) of Sigstore bundles, every version cosign and sigstore-go write.</summary>
    private static readonly ImmutableHashSet<string> BundleMediaTypes = ImmutableHashSet.Create(StringComparer.Ordinal,
        "application/vnd.dev.sigstore.bundle.v0.3+json",
        "application/vnd.dev.sigstore.bundle+json;version=0.3",
        "application/vnd.dev.sigstore.bundle+json;version=0.2",
        "application/vnd.dev.sigstore.bundle+json;version=0.1");

    /// <summary>Resolves <paramref name="image"/> and fetches its attestations; a problem when the registry fails or lies.</summary>
    public static Task<(OciAttestations? Result, Problem? Problem)> FetchAsync(
        HttpFetcher fetcher, OciReference image, RegistryCredential? credential, CancellationToken cancellationToken = default) =>
        FetchAsync(fetcher, image, credential, new RegistryContentCache(), cancellationToken);

    /// <summary>As <see cref="FetchAsync(HttpFetcher, OciReference, RegistryCredential?, CancellationToken)"/>, keeping content by digest in <paramref name="cache"/>, shared by the images of one invocation.</summary>
    public static async Task<(OciAttestations? Result, Problem? Problem)> FetchAsync(
        HttpFetcher fetcher, OciReference image, RegistryCredential? credential, RegistryContentCache cache, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fetcher);
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(cache);
        var client = new RegistryClient(fetcher, image, credential, cache);
        try
        {
            var digest = await ResolveAsync(client, image, cancellationToken).ConfigureAwait(false);
            var pinned = image.WithDigest(digest);
            var attestations = new List<AttestationInput>();
            await AddReferrersAsync(client, pinned, digest, attestations, cancellationToken).ConfigureAwait(false);
            await AddCosignAttestationsAsync(client, pinned, digest, attestations, cancellationToken).ConfigureAwait(false);
            if (attestations.Count == 0)
            {
                return (null, new Problem(DiagnosticCode.RegistryNoAttestations,
                    "the registry holds no Sigstore bundle (referrers) and no cosign attestation (sha256-HEX.att) for this image; "
                    + "attach one (cosign attest), or give the attestation file with --attestation", pinned.ToString()));
            }

            return (new OciAttestations(pinned, digest, [.. attestations]), null);
        }
        catch (OciException e)
        {
            return (null, e.Problem);
        }
        catch (HttpFetchException e)
        {
            return (null, e.Problem);
        }
    }

    /// <summary>The digest of the manifest named; by tag, the digest of the bytes the registry sent (and agreed to).</summary>
    private static async Task<string> ResolveAsync(RegistryClient client, OciReference image, CancellationToken cancellationToken)
    {
        var reference = image.Digest ?? image.Tag!;
        var manifest = await client.GetManifestAsync(reference, cancellationToken).ConfigureAwait(false)
            ?? throw new OciException(new Problem(DiagnosticCode.RegistryRequestFailed,
                image.Digest is null ? "the registry has no such tag" : "the registry has no manifest with this digest", image.ToString()));
        return manifest.Digest;
    }

    private static async Task AddReferrersAsync(
        RegistryClient client, OciReference image, string digest, List<AttestationInput> attestations, CancellationToken cancellationToken)
    {
        var descriptors = new List<Descriptor>();
        if (await client.GetReferrersAsync(digest, cancellationToken).ConfigureAwait(false) is { } pages)
        {
            foreach (var page in pages)
            {
                descriptors.AddRange(ReadIndex(page, "referrers of " + digest));
            }
        }
        else if (await client.GetManifestAsync(FallbackTag(digest), cancellationToken).ConfigureAwait(false) is { } index)
        {
            // OCI distribution 1.1, "Referrers Tag Schema": registries without the API keep an index under sha256-HEX.
            descriptors.AddRange(ReadIndex(index.Bytes, "referrers tag " + FallbackTag(digest)));
        }

        if (descriptors.Count > Limits.MaxOciDescriptors)
        {
            throw new OciException(new Problem(DiagnosticCode.RegistryTooManyEntries, string.Create(CultureInfo.InvariantCulture,
                $"{descriptors.Count} referrers where at most {Limits.MaxOciDescriptors} are read"), image.ToString()));
        }

        // The registry may ignore an artifactType filter (OCI-Filters-Applied says whether it did), so filter here,
        // in one request for every bundle version.
        foreach (var descriptor in descriptors.Where(d => d.ArtifactType is { } type && BundleMediaTypes.Contains(type)))
        {
            var manifest = await client.GetManifestAsync(descriptor.Digest, cancellationToken).ConfigureAwait(false)
                ?? throw new OciException(new Problem(DiagnosticCode.RegistryRequestFailed,
                    "the registry lists this referrer but does not serve it", image.Repository + "@" + descriptor.Digest));
            RequireSize(manifest, descriptor, image);
            var layers = ReadManifest(manifest, image, expectedSubject: digest);
            var index = 0;
            foreach (var layer in layers.Where(l => BundleMediaTypes.Contains(l.MediaType)))
            {
                var blob = await client.GetBlobAsync(layer.Digest, layer.Size, Limits.MaxAttestationFileBytes, cancellationToken).ConfigureAwait(false);
                Add(attestations, image, $"{image.Registry}/{image.Repository}@{manifest.Digest}#layer{index++}", blob.Bytes);
            }
        }
    }

    private static async Task AddCosignAttestationsAsync(
        RegistryClient client, OciReference image, string digest, List<AttestationInput> attestations, CancellationToken cancellationToken)
    {
        var tag = FallbackTag(digest) + ".att";
        if (await client.GetManifestAsync(tag, cancellationToken).ConfigureAwait(false) is not { } manifest)
        {
            return;
        }

        var index = 0;
        foreach (var layer in ReadManifest(manifest, image, expectedSubject: null))
        {
            var name = $"{image.Registry}/{image.Repository}:{tag}@{manifest.Digest}#layer{index++}";
            if (layer.MediaType != CosignAttestation.DsseLayerMediaType)
            {
                continue;
            }

            var blob = await client.GetBlobAsync(layer.Digest, layer.Size, Limits.MaxAttestationFileBytes, cancellationToken).ConfigureAwait(false);
            ReadOnlyMemory<byte> attestation;
            try
            {
                attestation = CosignAttestation.ToAttestation(blob.Bytes, layer.Annotations, "annotations");
            }
            catch (InvalidInputException e)
            {
                throw new OciException(new Problem(DiagnosticCode.RegistryMalformedContent,
                    "the cosign attestation layer cannot be read: " + e.Problem.Message, name + ": " + e.Problem.Location));
            }

            Add(attestations, image, name, attestation);
        }
    }

    private static void Add(List<AttestationInput> attestations, OciReference image, string location, ReadOnlyMemory<byte> content)
    {
        if (attestations.Count >= Limits.MaxOciAttestations)
        {
            throw new OciException(new Problem(DiagnosticCode.RegistryTooManyEntries,
                $"more than {Limits.MaxOciAttestations} attestations for one image", image.ToString()));
        }

        attestations.Add(AttestationInput.FromContent(new SourceOrigin("oci", location).ToString(), content));
    }

    /// <summary>The tag of the referrers tag schema: the digest with its colon turned into a dash.</summary>
    private static string FallbackTag(string digest) => digest.Replace(':', '-');

    private sealed record Descriptor(string MediaType, string Digest, long Size, string? ArtifactType, JsonElement? Annotations);

    private static void RequireSize(VerifiedContent manifest, Descriptor descriptor, OciReference image)
    {
        if (manifest.Bytes.Length != descriptor.Size)
        {
            throw new OciException(new Problem(DiagnosticCode.RegistryDigestMismatch, string.Create(CultureInfo.InvariantCulture,
                $"the referrer is listed with {descriptor.Size} bytes but has {manifest.Bytes.Length}"), image.Repository + "@" + descriptor.Digest));
        }
    }

    /// <summary>The descriptors of an image index (a referrers list is one), bounded.</summary>
    private static List<Descriptor> ReadIndex(ReadOnlyMemory<byte> bytes, string what) =>
        Read(bytes, what, root => Descriptors(root, "manifests", "$"));

    /// <summary>
    /// The layers of an image manifest; with <paramref name="expectedSubject"/>, the manifest must be a referrer of
    /// that digest (its <c>subject</c>), so a list that names another image's attestation is caught.
    /// </summary>
    private static List<Descriptor> ReadManifest(VerifiedContent manifest, OciReference image, string? expectedSubject) =>
        Read(manifest.Bytes, image.Repository + "@" + manifest.Digest, root =>
        {
            if (expectedSubject is not null)
            {
                var subject = Describe(StrictJson.Required(root, "subject", "$"), "$.subject");
                if (!RegistryClient.DigestEquals(subject.Digest, expectedSubject))
                {
                    throw InvalidInputException.At(DiagnosticCode.RegistryMalformedContent, "$.subject.digest",
                        $"the referrer is attached to {subject.Digest}, not to {expectedSubject}");
                }
            }

            return Descriptors(root, "layers", "$");
        });

    private static List<Descriptor> Read(ReadOnlyMemory<byte> bytes, string what, Func<JsonElement, List<Descriptor>> read)
    {
        try
        {
            using var document = StrictJson.Parse(bytes);
            StrictJson.RequireObject(document.RootElement, "$");
            return read(document.RootElement).Select(d => d with { Annotations = d.Annotations?.Clone() }).ToList();
        }
        catch (InvalidInputException e)
        {
            var code = e.Problem.Code is DiagnosticCode.RegistryTooManyEntries ? e.Problem.Code : DiagnosticCode.RegistryMalformedContent;
            throw new OciException(new Problem(code, $"the {what} is not a valid OCI document: {e.Problem.Message}", $"{what}: {e.Problem.Location}"));
        }
    }

    private static List<Descriptor> Descriptors(JsonElement root, string name, string path)
    {
        if (StrictJson.Optional(root, name) is not { } array)
        {
            return [];
        }

        var arrayPath = StrictJson.Child(path, name);
        StrictJson.AsArray(array, arrayPath, Limits.MaxOciDescriptors, DiagnosticCode.RegistryTooManyEntries);
        return array.EnumerateArray().Select((item, i) => Describe(item, StrictJson.Index(arrayPath, i))).ToList();
    }

    /// <summary>An OCI content descriptor: media type, a sha256 digest, a non-negative size.</summary>
    private static Descriptor Describe(JsonElement element, string path)
    {
        StrictJson.RequireObject(element, path);
        var digest = StrictJson.RequiredString(element, "digest", path);
        if (!Sha256Digest().IsMatch(digest))
        {
            throw InvalidInputException.At(DiagnosticCode.RegistryMalformedContent, StrictJson.Child(path, "digest"),
                "not a sha256 digest (sha256: and 64 lowercase hex digits)");
        }

        var sizeElement = StrictJson.Required(element, "size", path);
        if (sizeElement.ValueKind != JsonValueKind.Number || !sizeElement.TryGetInt64(out var size) || size < 0)
        {
            throw InvalidInputException.At(DiagnosticCode.RegistryMalformedContent, StrictJson.Child(path, "size"), "not a non-negative integer");
        }

        var annotations = StrictJson.Optional(element, "annotations");
        if (annotations is { } map)
        {
            StrictJson.RequireObject(map, StrictJson.Child(path, "annotations"));
        }

        return new Descriptor(
            StrictJson.OptionalString(element, "mediaType", path) ?? "",
            digest,
            size,
            StrictJson.OptionalString(element, "artifactType", path),
            annotations);
    }

    [GeneratedRegex(@"\Asha256:[0-9a-f]{64}\z", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex Sha256Digest();
}
