using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Provenance.Testing;

/// <summary>An OCI content descriptor (OCI image spec, descriptor.md).</summary>
public sealed record OciDescriptor(string MediaType, string Digest, long Size, string? ArtifactType = null, IReadOnlyDictionary<string, string>? Annotations = null)
{
    public static OciDescriptor Of(string mediaType, byte[] content, string? artifactType = null, IReadOnlyDictionary<string, string>? annotations = null) =>
        new(mediaType, OciImages.Digest(content), content.Length, artifactType, annotations);

    public JsonObject ToJson()
    {
        var json = new JsonObject { ["mediaType"] = MediaType, ["digest"] = Digest, ["size"] = Size };
        if (ArtifactType is not null)
        {
            json["artifactType"] = ArtifactType;
        }

        if (Annotations is not null)
        {
            json["annotations"] = new JsonObject(Annotations.Select(a => KeyValuePair.Create(a.Key, (JsonNode?)a.Value)));
        }

        return json;
    }
}

/// <summary>Where test images are written: a real registry (<see cref="OciRegistryPusher"/>) or <see cref="InMemoryRegistry"/>.</summary>
public interface IOciTarget
{
    Task PutBlobAsync(byte[] content);

    /// <summary>Stores a manifest under <paramref name="reference"/> (a tag, or its own digest).</summary>
    Task PutManifestAsync(string reference, byte[] manifest, string mediaType);
}

/// <summary>
/// Builds and publishes the OCI documents the registry tests need: images, Sigstore bundles attached as referrers
/// (tag schema: the <c>sha256-HEX</c> index a client maintains where the registry has no referrers API), and cosign
/// attestation tags (<c>sha256-HEX.att</c>), written the way cosign and the OCI 1.1 specification describe.
/// </summary>
public static class OciImages
{
    public const string ManifestMediaType = "application/vnd.oci.image.manifest.v1+json";
    public const string IndexMediaType = "application/vnd.oci.image.index.v1+json";
    public const string BundleMediaType = "application/vnd.dev.sigstore.bundle.v0.3+json";
    public const string DsseMediaType = "application/vnd.dsse.envelope.v1+json";
    public const string EmptyMediaType = "application/vnd.oci.empty.v1+json";
    public static readonly byte[] EmptyConfig = "{}"u8.ToArray();

    public static string Digest(byte[] content) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(content));

    public static byte[] Manifest(OciDescriptor config, IEnumerable<OciDescriptor> layers, OciDescriptor? subject = null, string? artifactType = null)
    {
        var json = new JsonObject { ["schemaVersion"] = 2, ["mediaType"] = ManifestMediaType };
        if (artifactType is not null)
        {
            json["artifactType"] = artifactType;
        }

        json["config"] = config.ToJson();
        json["layers"] = new JsonArray([.. layers.Select(l => (JsonNode)l.ToJson())]);
        if (subject is not null)
        {
            json["subject"] = subject.ToJson();
        }

        return Encoding.UTF8.GetBytes(json.ToJsonString());
    }

    public static byte[] Index(IEnumerable<OciDescriptor> manifests) =>
        Encoding.UTF8.GetBytes(new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = IndexMediaType,
            ["manifests"] = new JsonArray([.. manifests.Select(m => (JsonNode)m.ToJson())]),
        }.ToJsonString());

    /// <summary>Pushes a one-layer image (a unique layer) under <paramref name="tag"/>; returns its manifest descriptor.</summary>
    public static async Task<(OciDescriptor Descriptor, byte[] Manifest)> PushImageAsync(IOciTarget target, string tag)
    {
        var config = Encoding.UTF8.GetBytes("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}");
        var layer = RandomNumberGenerator.GetBytes(64);
        await target.PutBlobAsync(config);
        await target.PutBlobAsync(layer);
        var manifest = Manifest(
            OciDescriptor.Of("application/vnd.oci.image.config.v1+json", config),
            [OciDescriptor.Of("application/vnd.oci.image.layer.v1.tar", layer)]);
        await target.PutManifestAsync(tag, manifest, ManifestMediaType);
        return (OciDescriptor.Of(ManifestMediaType, manifest), manifest);
    }

    /// <summary>The referrer manifest that attaches <paramref name="bundle"/> to <paramref name="subject"/>, with its blobs pushed.</summary>
    public static async Task<OciDescriptor> PushBundleReferrerAsync(IOciTarget target, OciDescriptor subject, byte[] bundle)
    {
        await target.PutBlobAsync(EmptyConfig);
        await target.PutBlobAsync(bundle);
        var manifest = Manifest(OciDescriptor.Of(EmptyMediaType, EmptyConfig), [OciDescriptor.Of(BundleMediaType, bundle)], subject, BundleMediaType);
        var descriptor = OciDescriptor.Of(ManifestMediaType, manifest, BundleMediaType);
        await target.PutManifestAsync(descriptor.Digest, manifest, ManifestMediaType);
        return descriptor;
    }

    /// <summary>The referrers tag schema: the index of referrers under the tag <c>sha256-HEX</c>.</summary>
    public static Task PushReferrersTagAsync(IOciTarget target, OciDescriptor subject, IEnumerable<OciDescriptor> referrers) =>
        target.PutManifestAsync(subject.Digest.Replace(':', '-'), Index(referrers), IndexMediaType);

    /// <summary>A cosign attestation tag <c>sha256-HEX.att</c>: one DSSE layer with its signing material as annotations.</summary>
    public static async Task<byte[]> PushCosignAttestationAsync(IOciTarget target, OciDescriptor subject, CosignLayer layer)
    {
        await target.PutBlobAsync(EmptyConfig);
        await target.PutBlobAsync(layer.Envelope);
        var manifest = Manifest(
            OciDescriptor.Of("application/vnd.oci.image.config.v1+json", EmptyConfig),
            [OciDescriptor.Of(DsseMediaType, layer.Envelope, annotations: layer.Annotations)]);
        await target.PutManifestAsync(subject.Digest.Replace(':', '-') + ".att", manifest, ManifestMediaType);
        return manifest;
    }
}

/// <summary>A cosign attestation layer: the DSSE envelope and the annotations cosign writes beside it.</summary>
public sealed record CosignLayer(byte[] Envelope, IReadOnlyDictionary<string, string> Annotations)
{
    /// <summary>
    /// The layer cosign would have written for the signing a version 0.1 bundle records: the envelope as the layer,
    /// the leaf and chain as PEM, the log entry as cosign's RekorBundle (<c>SignedEntryTimestamp</c>, <c>Payload</c>).
    /// </summary>
    public static CosignLayer FromBundle(string bundleJson)
    {
        var bundle = JsonNode.Parse(bundleJson)!.AsObject();
        var certificates = bundle["verificationMaterial"]!["x509CertificateChain"]!["certificates"]!.AsArray()
            .Select(c => Convert.FromBase64String(c!["rawBytes"]!.GetValue<string>())).ToArray();
        var entry = bundle["verificationMaterial"]!["tlogEntries"]![0]!;
        var rekorBundle = new JsonObject
        {
            ["SignedEntryTimestamp"] = entry["inclusionPromise"]!["signedEntryTimestamp"]!.GetValue<string>(),
            ["Payload"] = new JsonObject
            {
                ["body"] = entry["canonicalizedBody"]!.GetValue<string>(),
                ["integratedTime"] = long.Parse(entry["integratedTime"]!.ToString(), System.Globalization.CultureInfo.InvariantCulture),
                ["logIndex"] = long.Parse(entry["logIndex"]!.ToString(), System.Globalization.CultureInfo.InvariantCulture),
                ["logID"] = Convert.ToHexStringLower(Convert.FromBase64String(entry["logId"]!["keyId"]!.GetValue<string>())),
            },
        };
        var annotations = new Dictionary<string, string>
        {
            ["dev.cosignproject.cosign/signature"] = "",
            ["dev.sigstore.cosign/bundle"] = rekorBundle.ToJsonString(),
            ["dev.sigstore.cosign/certificate"] = Pem(certificates[..1]),
            ["dev.sigstore.cosign/chain"] = Pem(certificates[1..]),
            ["predicateType"] = "https://slsa.dev/provenance/v1",
        };
        return new CosignLayer(Encoding.UTF8.GetBytes(bundle["dsseEnvelope"]!.ToJsonString()), annotations);
    }

    private static string Pem(IEnumerable<byte[]> certificates) =>
        string.Concat(certificates.Select(der => new string(System.Security.Cryptography.PemEncoding.Write("CERTIFICATE", der)) + "\n"));
}
