using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Provenance.Envelopes;
using Provenance.Json;

namespace Provenance.Sources.Rekor;

/// <summary>
/// Writes a Rekor v1 API entry and the envelope it was found for as a Sigstore bundle (protobuf-specs
/// <c>Bundle</c> JSON), so the library verifies it exactly as a local bundle: the signed entry timestamp, the
/// inclusion proof and its checkpoint against the trusted root's logs, the body against this envelope and
/// certificate, the certificate at the integrated time. The conversion only moves fields between encodings
/// (hex to base64, numbers to strings); it decides nothing.
/// </summary>
/// <remarks>
/// The entry's <c>logIndex</c> is the log's global index, the one the SET signs; the inclusion proof's
/// <c>logIndex</c> is the index within the tree shard that the proof's hashes are for. An entry without an
/// inclusion proof becomes a version 0.1 bundle, which the verifier accepts on its SET alone, as cosign's were.
/// </remarks>
internal static class RekorEntryBundle
{
    private const string MediaTypeV01 = "application/vnd.dev.sigstore.bundle+json;version=0.1";
    private const string MediaTypeV02 = "application/vnd.dev.sigstore.bundle+json;version=0.2";

    /// <summary>The bundle, or throws <see cref="InvalidInputException"/> (code SourceResponseInvalid) for an entry not in the API's shape.</summary>
    public static byte[] Create(ReadOnlyMemory<byte> entryJson, DsseEnvelope envelope, ReadOnlyMemory<byte> certificateDer)
    {
        using var document = StrictJson.Parse(entryJson);
        var entry = document.RootElement;
        StrictJson.RequireObject(entry, "$");
        var body = StrictJson.RequiredString(entry, "body", "$");
        var (kind, version) = KindAndVersion(body);
        var verification = StrictJson.Required(entry, "verification", "$");
        var proof = StrictJson.Optional(verification, "inclusionProof");

        var output = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(output))
        {
            writer.WriteStartObject();
            writer.WriteString("mediaType", proof is null ? MediaTypeV01 : MediaTypeV02);
            writer.WriteStartObject("verificationMaterial");
            writer.WriteStartObject("x509CertificateChain");
            writer.WriteStartArray("certificates");
            writer.WriteStartObject();
            writer.WriteBase64String("rawBytes", certificateDer.Span);
            writer.WriteEndObject();
            writer.WriteEndArray();
            writer.WriteEndObject();

            writer.WriteStartArray("tlogEntries");
            writer.WriteStartObject();
            writer.WriteString("logIndex", Integer(entry, "logIndex", "$"));
            writer.WriteStartObject("logId");
            writer.WriteBase64String("keyId", Hex(StrictJson.RequiredString(entry, "logID", "$"), "$.logID"));
            writer.WriteEndObject();
            writer.WriteStartObject("kindVersion");
            writer.WriteString("kind", kind);
            writer.WriteString("version", version);
            writer.WriteEndObject();
            writer.WriteString("integratedTime", Integer(entry, "integratedTime", "$"));
            writer.WriteStartObject("inclusionPromise");
            writer.WriteString("signedEntryTimestamp", StrictJson.RequiredString(verification, "signedEntryTimestamp", "$.verification"));
            writer.WriteEndObject();
            if (proof is { } inclusion)
            {
                WriteInclusionProof(writer, inclusion);
            }

            writer.WriteString("canonicalizedBody", body);
            writer.WriteEndObject();
            writer.WriteEndArray();
            writer.WriteEndObject();

            writer.WriteStartObject("dsseEnvelope");
            writer.WriteBase64String("payload", envelope.Payload.Span);
            writer.WriteString("payloadType", envelope.PayloadType);
            writer.WriteStartArray("signatures");
            foreach (var signature in envelope.Signatures)
            {
                writer.WriteStartObject();
                writer.WriteBase64String("sig", signature.Signature.Span);
                writer.WriteString("keyid", signature.KeyId ?? "");
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return output.WrittenSpan.ToArray();
    }

    private static void WriteInclusionProof(Utf8JsonWriter writer, JsonElement proof)
    {
        const string Path = "$.verification.inclusionProof";
        writer.WriteStartObject("inclusionProof");
        writer.WriteString("logIndex", Integer(proof, "logIndex", Path));
        writer.WriteBase64String("rootHash", Hex(StrictJson.RequiredString(proof, "rootHash", Path), Path + ".rootHash"));
        writer.WriteString("treeSize", Integer(proof, "treeSize", Path));
        writer.WriteStartArray("hashes");
        var hashes = StrictJson.RequiredArray(proof, "hashes", Path, Limits.MaxInclusionProofHashes, DiagnosticCode.SourceResponseInvalid);
        foreach (var hash in hashes.EnumerateArray())
        {
            writer.WriteBase64StringValue(Hex(StrictJson.AsString(hash, Path + ".hashes[]"), Path + ".hashes[]"));
        }

        writer.WriteEndArray();
        writer.WriteStartObject("checkpoint");
        writer.WriteString("envelope", StrictJson.RequiredString(proof, "checkpoint", Path));
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <summary>The kind and apiVersion the body names; the verifier checks the body against them and the envelope.</summary>
    private static (string Kind, string Version) KindAndVersion(string body)
    {
        var decoded = StrictJson.DecodeBase64(body, "$.body", Limits.MaxLogEntryBodyBytes);
        using var document = StrictJson.Parse(decoded);
        return (StrictJson.RequiredString(document.RootElement, "kind", "$.body"), StrictJson.RequiredString(document.RootElement, "apiVersion", "$.body"));
    }

    private static string Integer(JsonElement obj, string name, string path)
    {
        var value = StrictJson.Required(obj, name, path);
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var number) || number < 0)
        {
            throw InvalidInputException.At(DiagnosticCode.SourceResponseInvalid, path + "." + name, "expected a non-negative integer, found " + StrictJson.Describe(value));
        }

        return number.ToString(CultureInfo.InvariantCulture);
    }

    private static byte[] Hex(string value, string path)
    {
        if (value.Length is 0 or > 128 || value.Length % 2 != 0 || !value.All(char.IsAsciiHexDigit))
        {
            throw InvalidInputException.At(DiagnosticCode.SourceResponseInvalid, path, $"\"{StrictJson.Printable(value, 40)}\" is not a hex hash");
        }

        return Convert.FromHexString(value);
    }
}
