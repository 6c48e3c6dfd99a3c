using System.Collections.Immutable;
using System.Text.Json;
using Provenance.Envelopes;
using Provenance.Json;

namespace Provenance.Sigstore;

/// <summary>Bundle format versions (Sigstore protobuf-specs, sigstore_bundle.proto).</summary>
public enum BundleVersion
{
    /// <summary><c>application/vnd.dev.sigstore.bundle+json;version=0.1</c>: inclusion promise (SET) required.</summary>
    V01,
    /// <summary><c>application/vnd.dev.sigstore.bundle+json;version=0.2</c>: inclusion proof required.</summary>
    V02,
    /// <summary><c>application/vnd.dev.sigstore.bundle.v0.3+json</c> (and the older 0.3 spelling): a single leaf certificate.</summary>
    V03,
}

/// <summary>What the bundle offers to verify its signature with. None of it is trusted by itself.</summary>
public enum VerificationMaterialKind
{
    /// <summary>A hint naming a public key the verifier must already have.</summary>
    PublicKey,
    /// <summary>A chain of certificates, leaf first (v0.1, v0.2).</summary>
    CertificateChain,
    /// <summary>A single leaf certificate (v0.3).</summary>
    Certificate,
}

/// <summary>
/// A Sigstore bundle read per the protobuf-specs JSON mapping: field names in lowerCamelCase or as in the .proto,
/// bytes in standard base64. The parts the verifier checks are kept as given; nothing here is trusted yet.
/// </summary>
/// <param name="MediaType">The media type as written.</param>
/// <param name="Version">The bundle version the media type names.</param>
/// <param name="MaterialKind">What kind of verification material the bundle carries.</param>
/// <param name="PublicKeyHint">The public key hint, when <see cref="MaterialKind"/> is <see cref="VerificationMaterialKind.PublicKey"/>.</param>
/// <param name="Certificates">DER certificates, leaf first (one for v0.3).</param>
/// <param name="Envelope">The DSSE envelope content, or null for a message signature.</param>
/// <param name="MessageSignature">The message signature content, or null for a DSSE envelope.</param>
/// <param name="TransparencyLogEntries">The log entries, kept as JSON for the transparency-log checks.</param>
/// <param name="TimestampVerificationData">The RFC 3161 timestamps data, kept as JSON, when present.</param>
public sealed record SigstoreBundle(
    string MediaType,
    BundleVersion Version,
    VerificationMaterialKind MaterialKind,
    string? PublicKeyHint,
    ImmutableArray<ReadOnlyMemory<byte>> Certificates,
    DsseEnvelope? Envelope,
    MessageSignature? MessageSignature,
    ImmutableArray<JsonElement> TransparencyLogEntries,
    JsonElement? TimestampVerificationData)
{
    /// <summary>True when the document has a Sigstore bundle media type, known version or not.</summary>
    internal static bool LooksLikeBundle(JsonElement root) =>
        root.ValueKind == JsonValueKind.Object
        && root.TryGetProperty("mediaType", out var mediaType)
        && mediaType.ValueKind == JsonValueKind.String
        && mediaType.GetString()!.StartsWith("application/vnd.dev.sigstore.bundle", StringComparison.Ordinal);

    internal static BundleVersion ParseMediaType(string mediaType, string path) => mediaType switch
    {
        "application/vnd.dev.sigstore.bundle+json;version=0.1" => BundleVersion.V01,
        "application/vnd.dev.sigstore.bundle+json;version=0.2" => BundleVersion.V02,
        "application/vnd.dev.sigstore.bundle+json;version=0.3" => BundleVersion.V03,
        "application/vnd.dev.sigstore.bundle.v0.3+json" => BundleVersion.V03,
        _ => throw InvalidInputException.At(DiagnosticCode.UnsupportedBundleMediaType, StrictJson.Child(path, "mediaType"),
            $"unknown Sigstore bundle media type \"{StrictJson.Printable(mediaType)}\" (known: versions 0.1, 0.2 and 0.3)"),
    };

    internal static SigstoreBundle Parse(JsonElement root, string path)
    {
        StrictJson.RequireObject(root, path);
        var mediaType = StrictJson.RequiredString(root, "mediaType", path);
        var version = ParseMediaType(mediaType, path);

        var materialPath = StrictJson.Child(path, "verificationMaterial");
        var material = ProtoJson.Required(root, "verificationMaterial", "verification_material", path);
        StrictJson.RequireObject(material, materialPath);

        VerificationMaterialKind kind;
        string? hint = null;
        var certificates = ImmutableArray<ReadOnlyMemory<byte>>.Empty;
        var publicKey = ProtoJson.Optional(material, "publicKey", "public_key", materialPath);
        var chain = ProtoJson.Optional(material, "x509CertificateChain", "x509_certificate_chain", materialPath);
        var certificate = ProtoJson.Optional(material, "certificate", "certificate", materialPath);
        var present = (publicKey is null ? 0 : 1) + (chain is null ? 0 : 1) + (certificate is null ? 0 : 1);
        if (present != 1)
        {
            throw InvalidInputException.At(present == 0 ? DiagnosticCode.MissingField : DiagnosticCode.InvalidField, materialPath,
                "exactly one of publicKey, x509CertificateChain or certificate is required");
        }

        if (publicKey is { } key)
        {
            kind = VerificationMaterialKind.PublicKey;
            hint = StrictJson.OptionalString(key, "hint", StrictJson.Child(materialPath, "publicKey"));
        }
        else if (chain is { } chainElement)
        {
            kind = VerificationMaterialKind.CertificateChain;
            certificates = ProtoJson.ReadCertificateChain(chainElement, StrictJson.Child(materialPath, "x509CertificateChain"));
        }
        else
        {
            kind = VerificationMaterialKind.Certificate;
            certificates = [ProtoJson.RequiredBytes(certificate!.Value, "rawBytes", "raw_bytes", StrictJson.Child(materialPath, "certificate"), Limits.MaxCertificateBytes)];
        }

        if (version == BundleVersion.V03 && kind == VerificationMaterialKind.CertificateChain)
        {
            // protobuf-specs: from v0.3 the bundle carries only the leaf; a chain there is a malformed bundle.
            throw InvalidInputException.At(DiagnosticCode.InvalidField, materialPath,
                "a version 0.3 bundle must carry a single certificate, not a certificate chain");
        }

        var entries = ImmutableArray<JsonElement>.Empty;
        if (ProtoJson.Optional(material, "tlogEntries", "tlog_entries", materialPath) is { } tlog)
        {
            var list = StrictJson.AsArray(tlog, StrictJson.Child(materialPath, "tlogEntries"), Limits.MaxTransparencyLogEntries, DiagnosticCode.InvalidField);
            entries = [.. list.EnumerateArray().Select(e => e.Clone())];
        }

        var timestamps = ProtoJson.Optional(material, "timestampVerificationData", "timestamp_verification_data", materialPath)?.Clone();

        // Counted and decoded now, while reading, so that too many timestamps are refused before any cryptography.
        Sigstore.TimestampVerificationData.ReadTokens(timestamps, StrictJson.Child(materialPath, "timestampVerificationData"));

        var envelope = ProtoJson.Optional(root, "dsseEnvelope", "dsse_envelope", path);
        var message = ProtoJson.Optional(root, "messageSignature", "message_signature", path);
        if ((envelope is null) == (message is null))
        {
            throw InvalidInputException.At(envelope is null ? DiagnosticCode.MissingField : DiagnosticCode.InvalidField, path,
                "exactly one of dsseEnvelope or messageSignature is required");
        }

        return new SigstoreBundle(
            mediaType,
            version,
            kind,
            hint,
            certificates,
            envelope is { } e ? DsseEnvelope.Parse(e, StrictJson.Child(path, "dsseEnvelope")) : null,
            message is { } m ? MessageSignature.Parse(m, StrictJson.Child(path, "messageSignature")) : null,
            entries,
            timestamps);
    }
}

/// <summary>A signature over an artifact's bytes (a "blob"), with the digest the signer claims for it.</summary>
/// <param name="DigestAlgorithm">The protobuf-specs HashAlgorithm name, for example <c>SHA2_256</c>, when given.</param>
/// <param name="Digest">The claimed digest, when given. Unauthenticated until checked against the artifact.</param>
/// <param name="Signature">The signature bytes.</param>
public sealed record MessageSignature(string? DigestAlgorithm, ReadOnlyMemory<byte>? Digest, ReadOnlyMemory<byte> Signature)
{
    internal static MessageSignature Parse(JsonElement element, string path)
    {
        StrictJson.RequireObject(element, path);
        string? algorithm = null;
        ReadOnlyMemory<byte>? digest = null;
        if (ProtoJson.Optional(element, "messageDigest", "message_digest", path) is { } digestElement)
        {
            var digestPath = StrictJson.Child(path, "messageDigest");
            algorithm = StrictJson.RequiredString(digestElement, "algorithm", digestPath);
            digest = StrictJson.RequiredBase64(digestElement, "digest", digestPath, 64);
        }

        var signature = StrictJson.RequiredBase64(element, "signature", path, Limits.MaxSignatureBytes);
        return new MessageSignature(algorithm, digest, signature);
    }
}
