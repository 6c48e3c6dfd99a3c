using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Provenance.Cryptography;
using Provenance.Json;

namespace Provenance.Envelopes;

/// <summary>
/// A DSSE envelope (github.com/secure-systems-lab/dsse, protocol v1.0 and envelope.md): a payload, its type,
/// and signatures over the pre-authentication encoding (PAE) of the two, never over the payload alone.
/// </summary>
/// <param name="PayloadType">The media type of the payload; in-toto attestations use <see cref="InTotoPayloadType"/>.</param>
/// <param name="Payload">The decoded payload bytes, exactly as signed.</param>
/// <param name="Signatures">The signatures, in envelope order.</param>
public sealed record DsseEnvelope(string PayloadType, ReadOnlyMemory<byte> Payload, ImmutableArray<DsseSignature> Signatures)
{
    /// <summary>The payload type of in-toto statements (in-toto attestation spec, envelope.md).</summary>
    public const string InTotoPayloadType = "application/vnd.in-toto+json";

    /// <summary>
    /// PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body, where LEN is the byte length in
    /// ASCII decimal without leading zeros (DSSE protocol.md).
    /// </summary>
    public static byte[] PreAuthenticationEncoding(string payloadType, ReadOnlySpan<byte> payload)
    {
        ArgumentNullException.ThrowIfNull(payloadType);
        var type = Encoding.UTF8.GetBytes(payloadType);
        var header = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture,
            $"DSSEv1 {type.Length} "));
        var middle = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $" {payload.Length} "));
        var result = new byte[header.Length + type.Length + middle.Length + payload.Length];
        var span = result.AsSpan();
        header.CopyTo(span);
        type.CopyTo(span[header.Length..]);
        middle.CopyTo(span[(header.Length + type.Length)..]);
        payload.CopyTo(span[(header.Length + type.Length + middle.Length)..]);
        return result;
    }

    /// <summary>The bytes every signature of this envelope must be over.</summary>
    public byte[] PreAuthenticationEncoding() => PreAuthenticationEncoding(PayloadType, Payload.Span);

    /// <summary>
    /// An envelope over <paramref name="payload"/> with one signature by <paramref name="key"/> over PAE (DSSE
    /// protocol.md, "Signature definition"); its key id is the hex SHA-256 of the public key, a hint only.
    /// </summary>
    public static DsseEnvelope Sign(string payloadType, ReadOnlyMemory<byte> payload, SigningKey key)
    {
        ArgumentNullException.ThrowIfNull(payloadType);
        ArgumentNullException.ThrowIfNull(key);
        var signature = key.Sign(PreAuthenticationEncoding(payloadType, payload.Span));
        return new DsseEnvelope(payloadType, payload, [new DsseSignature(key.PublicKey.SpkiSha256, signature, CertificatePem: null)]);
    }

    /// <summary>The envelope as compact JSON on one line (DSSE envelope.md): payload and signatures in standard base64.</summary>
    public byte[] ToJson()
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("payloadType", PayloadType);
            writer.WriteBase64String("payload", Payload.Span);
            writer.WriteStartArray("signatures");
            foreach (var signature in Signatures)
            {
                writer.WriteStartObject();
                writer.WriteString("keyid", signature.KeyId ?? "");
                writer.WriteBase64String("sig", signature.Signature.Span);
                if (signature.CertificatePem is { } certificate)
                {
                    writer.WriteString("cert", certificate);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Reads an envelope object. Only the fields of the DSSE envelope are accepted: an unknown field could carry
    /// meaning some other reader gives it, and then two readers would disagree about what was signed.
    /// </summary>
    /// <param name="element">The envelope object.</param>
    /// <param name="path">Its JSON path, for problems.</param>
    /// <param name="urlSafeSignatures">Signatures in base64url instead of base64, as Cloud Build writes them.</param>
    internal static DsseEnvelope Parse(JsonElement element, string path, bool urlSafeSignatures = false)
    {
        StrictJson.RequireOnly(element, path, DiagnosticCode.InvalidField,
            "unknown field in a DSSE envelope (expected only payload, payloadType and signatures)", "payload", "payloadType", "signatures");

        var payloadType = StrictJson.RequiredString(element, "payloadType", path);
        var payload = StrictJson.RequiredBase64(element, "payload", path, Limits.MaxPayloadBytes);
        var signaturesPath = StrictJson.Child(path, "signatures");
        var signatures = StrictJson.RequiredArray(element, "signatures", path, Limits.MaxSignatures, DiagnosticCode.TooManySignatures);
        if (signatures.GetArrayLength() == 0)
        {
            throw InvalidInputException.At(DiagnosticCode.NoSignatures, signaturesPath, "the envelope has no signatures");
        }

        var parsed = ImmutableArray.CreateBuilder<DsseSignature>(signatures.GetArrayLength());
        var index = 0;
        foreach (var signature in signatures.EnumerateArray())
        {
            parsed.Add(DsseSignature.Parse(signature, StrictJson.Index(signaturesPath, index++), urlSafeSignatures));
        }

        return new DsseEnvelope(payloadType, payload, parsed.MoveToImmutable());
    }
}

/// <summary>One DSSE signature.</summary>
/// <param name="KeyId">The optional, unauthenticated key hint. Never used to choose trust.</param>
/// <param name="Signature">The signature bytes.</param>
/// <param name="CertificatePem">
/// A certificate carried beside the signature by the SLSA GitHub generator's legacy <c>.intoto.jsonl</c> files;
/// only keyless verification reads it, and only as untrusted material to be chained to a trusted root.
/// </param>
public sealed record DsseSignature(string? KeyId, ReadOnlyMemory<byte> Signature, string? CertificatePem)
{
    internal static DsseSignature Parse(JsonElement element, string path, bool urlSafe)
    {
        StrictJson.RequireOnly(element, path, DiagnosticCode.InvalidField,
            "unknown field in a DSSE signature (expected only sig, keyid and cert)", "sig", "keyid", "cert");

        var sigPath = StrictJson.Child(path, "sig");
        var text = StrictJson.RequiredString(element, "sig", path);
        var signature = urlSafe
            ? StrictJson.DecodeBase64Url(text, sigPath, Limits.MaxSignatureBytes)
            : StrictJson.DecodeBase64(text, sigPath, Limits.MaxSignatureBytes);
        if (signature.Length == 0)
        {
            throw InvalidInputException.At(DiagnosticCode.InvalidField, StrictJson.Child(path, "sig"), "the signature is empty");
        }

        var keyId = StrictJson.OptionalString(element, "keyid", path);
        var certificate = StrictJson.OptionalString(element, "cert", path);
        return new DsseSignature(string.IsNullOrEmpty(keyId) ? null : keyId, signature, string.IsNullOrEmpty(certificate) ? null : certificate);
    }
}
