using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Provenance.Json;

namespace Provenance.Sources.Oci;

/// <summary>
/// Turns one layer of a cosign attestation manifest (<c>sha256-HEX.att</c>: a DSSE envelope as the layer, the
/// signing material in the layer's annotations) into something the library reads like a local file: a Sigstore
/// bundle v0.1 when cosign recorded a log entry (<c>dev.sigstore.cosign/bundle</c>: the Rekor entry's body,
/// integrated time, index, log ID and signed entry timestamp) with the certificate and its chain, else the bare
/// envelope (for key-signed attestations). Nothing in the annotations is checked here or trusted: the bundle is
/// verified exactly as any other bundle, and its log entry against the envelope.
/// </summary>
internal static class CosignAttestation
{
    public const string DsseLayerMediaType = "application/vnd.dsse.envelope.v1+json";
    private const string BundleAnnotation = "dev.sigstore.cosign/bundle";
    private const string CertificateAnnotation = "dev.sigstore.cosign/certificate";
    private const string ChainAnnotation = "dev.sigstore.cosign/chain";

    /// <summary>The attestation for <paramref name="envelope"/> (the verified layer bytes) and its annotations.</summary>
    public static ReadOnlyMemory<byte> ToAttestation(ReadOnlyMemory<byte> envelope, JsonElement? annotations, string path)
    {
        var bundle = Annotation(annotations, BundleAnnotation, path);
        var certificate = Annotation(annotations, CertificateAnnotation, path);
        if (bundle is null || certificate is null)
        {
            // No log entry or no certificate: the envelope alone, which verifies with --key or fails saying what is missing.
            return envelope;
        }

        using var envelopeDocument = StrictJson.Parse(envelope);
        using var logDocument = StrictJson.Parse(System.Text.Encoding.UTF8.GetBytes(bundle));
        var certificates = Certificates(certificate, path + "." + CertificateAnnotation)
            .Concat(Annotation(annotations, ChainAnnotation, path) is { } chain ? Certificates(chain, path + "." + ChainAnnotation) : []);

        var output = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(output))
        {
            writer.WriteStartObject();
            writer.WriteString("mediaType", "application/vnd.dev.sigstore.bundle+json;version=0.1");
            writer.WriteStartObject("verificationMaterial");
            writer.WriteStartObject("x509CertificateChain");
            writer.WriteStartArray("certificates");
            foreach (var der in certificates)
            {
                writer.WriteStartObject();
                writer.WriteBase64String("rawBytes", der);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
            writer.WriteStartArray("tlogEntries");
            WriteLogEntry(writer, logDocument.RootElement, path + "." + BundleAnnotation);
            writer.WriteEndArray();
            writer.WriteEndObject();
            writer.WritePropertyName("dsseEnvelope");
            envelopeDocument.RootElement.WriteTo(writer);
            writer.WriteEndObject();
        }

        return output.WrittenMemory;
    }

    /// <summary>
    /// cosign's RekorBundle (<c>{"SignedEntryTimestamp", "Payload": {"body", "integratedTime", "logIndex", "logID"}}</c>)
    /// as a protobuf-specs TransparencyLogEntry with an inclusion promise.
    /// </summary>
    private static void WriteLogEntry(Utf8JsonWriter writer, JsonElement rekorBundle, string path)
    {
        var set = StrictJson.RequiredString(rekorBundle, "SignedEntryTimestamp", path);
        var payloadPath = StrictJson.Child(path, "Payload");
        var payload = StrictJson.Required(rekorBundle, "Payload", path);
        var body = StrictJson.RequiredString(payload, "body", payloadPath);
        var logId = StrictJson.RequiredString(payload, "logID", payloadPath);
        var integratedTime = Integer(StrictJson.Required(payload, "integratedTime", payloadPath), StrictJson.Child(payloadPath, "integratedTime"));
        var logIndex = Integer(StrictJson.Required(payload, "logIndex", payloadPath), StrictJson.Child(payloadPath, "logIndex"));

        // The entry's kind and version are those its (signed) body names; the verifier checks the body itself.
        using var bodyDocument = StrictJson.Parse(StrictJson.DecodeBase64(body, StrictJson.Child(payloadPath, "body"), Limits.MaxLogEntryBodyBytes));
        var kind = StrictJson.RequiredString(bodyDocument.RootElement, "kind", StrictJson.Child(payloadPath, "body"));
        var version = StrictJson.RequiredString(bodyDocument.RootElement, "apiVersion", StrictJson.Child(payloadPath, "body"));
        byte[] logKeyId;
        try
        {
            logKeyId = Convert.FromHexString(logId);
        }
        catch (FormatException)
        {
            throw InvalidInputException.At(DiagnosticCode.InvalidField, StrictJson.Child(payloadPath, "logID"), "the log ID is not hex");
        }

        writer.WriteStartObject();
        writer.WriteString("logIndex", logIndex.ToString(CultureInfo.InvariantCulture));
        writer.WriteStartObject("logId");
        writer.WriteBase64String("keyId", logKeyId);
        writer.WriteEndObject();
        writer.WriteStartObject("kindVersion");
        writer.WriteString("kind", kind);
        writer.WriteString("version", version);
        writer.WriteEndObject();
        writer.WriteString("integratedTime", integratedTime.ToString(CultureInfo.InvariantCulture));
        writer.WriteStartObject("inclusionPromise");
        writer.WriteString("signedEntryTimestamp", set);
        writer.WriteEndObject();
        writer.WriteString("canonicalizedBody", body);
        writer.WriteEndObject();
    }

    private static long Integer(JsonElement value, string path) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) && number >= 0
            ? number
            : throw InvalidInputException.At(DiagnosticCode.InvalidField, path, "expected a non-negative integer");

    /// <summary>The DER of each PEM certificate, in order; their content is judged by the verifier, not here.</summary>
    private static List<byte[]> Certificates(string pem, string path)
    {
        var ders = new List<byte[]>();
        var rest = pem.AsSpan();
        while (PemEncoding.TryFind(rest, out var fields))
        {
            if (!rest[fields.Label].SequenceEqual("CERTIFICATE") || fields.DecodedDataLength > Limits.MaxCertificateBytes)
            {
                throw InvalidInputException.At(DiagnosticCode.InvalidField, path,
                    $"a PEM block that is not a certificate of at most {Limits.MaxCertificateBytes} bytes");
            }

            if (ders.Count == Limits.MaxCertificateChainLength)
            {
                throw InvalidInputException.At(DiagnosticCode.InvalidField, path,
                    $"more than {Limits.MaxCertificateChainLength} certificates");
            }

            ders.Add(Convert.FromBase64String(rest[fields.Base64Data].ToString()));
            rest = rest[fields.Location.End..];
        }

        return ders.Count > 0 ? ders : throw InvalidInputException.At(DiagnosticCode.InvalidField, path, "no PEM certificate");
    }

    private static string? Annotation(JsonElement? annotations, string name, string path) =>
        annotations is { } map ? StrictJson.OptionalString(map, name, path) is { Length: > 0 } value ? value : null : null;
}
