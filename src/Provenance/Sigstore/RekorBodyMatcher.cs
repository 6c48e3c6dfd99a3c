using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Provenance.Cryptography;
using Provenance.Envelopes;
using Provenance.Json;

namespace Provenance.Sigstore;

/// <summary>Whether the signer is named by a certificate or a bare public key.</summary>
public enum SignerMaterialKind
{
    /// <summary>An X.509 certificate (Fulcio leaf), as DER.</summary>
    Certificate,
    /// <summary>A public key, as DER SubjectPublicKeyInfo.</summary>
    PublicKey,
}

/// <summary>
/// What a bundle signed and with what: the log entry must record exactly this. Either a message signature over an
/// artifact digest, or a DSSE envelope (whose signatures are in the envelope).
/// </summary>
public sealed record SignedContent
{
    private SignedContent(
        SignerMaterialKind materialKind, ReadOnlyMemory<byte> material, ReadOnlyMemory<byte> signature,
        DsseEnvelope? envelope, DigestAlgorithm digestAlgorithm, ReadOnlyMemory<byte> digest)
    {
        MaterialKind = materialKind;
        Material = material;
        Signature = signature;
        Envelope = envelope;
        DigestAlgorithm = digestAlgorithm;
        Digest = digest;
    }

    /// <summary>Whether <see cref="Material"/> is a certificate or a public key.</summary>
    public SignerMaterialKind MaterialKind { get; }

    /// <summary>The leaf certificate DER or the public key's DER SubjectPublicKeyInfo.</summary>
    public ReadOnlyMemory<byte> Material { get; }

    /// <summary>The message signature; empty for an envelope, whose signatures are its own.</summary>
    public ReadOnlyMemory<byte> Signature { get; }

    /// <summary>The DSSE envelope, or null for a message signature.</summary>
    public DsseEnvelope? Envelope { get; }

    /// <summary>The algorithm of <see cref="Digest"/> (message signatures only).</summary>
    public DigestAlgorithm DigestAlgorithm { get; }

    /// <summary>The digest of the signed artifact (message signatures only): the artifact's, not the bundle's claim.</summary>
    public ReadOnlyMemory<byte> Digest { get; }

    /// <summary>A signature over an artifact with the given digest.</summary>
    public static SignedContent ForMessage(
        ReadOnlyMemory<byte> signature, SignerMaterialKind materialKind, ReadOnlyMemory<byte> material,
        DigestAlgorithm digestAlgorithm, ReadOnlyMemory<byte> digest)
    {
        if (digest.Length != digestAlgorithm.SizeInBytes())
        {
            throw new ArgumentException($"a {digestAlgorithm.Name()} digest is {digestAlgorithm.SizeInBytes()} bytes", nameof(digest));
        }

        return new SignedContent(materialKind, material, signature, envelope: null, digestAlgorithm, digest);
    }

    /// <summary>A DSSE envelope signed with the given material.</summary>
    public static SignedContent ForEnvelope(DsseEnvelope envelope, SignerMaterialKind materialKind, ReadOnlyMemory<byte> material)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        return new SignedContent(materialKind, material, ReadOnlyMemory<byte>.Empty, envelope, DigestAlgorithm.Sha256, ReadOnlyMemory<byte>.Empty);
    }
}

/// <summary>
/// Binds a transparency log entry's body to the bundle's signed content (Sigstore client specification: "the log entry
/// body must match the signature, key material and artifact"). Understands the entry types sigstore-go verifies:
/// Rekor v1 hashedrekord 0.0.1, intoto 0.0.2 and dsse 0.0.1, and Rekor v2 (rekor-tiles) hashedrekord 0.0.2 and
/// dsse 0.0.2. Every signature, key and digest the body records must be the bundle's; anything else is a mismatch.
/// </summary>
/// <remarks>
/// Two recorded hashes are deliberately not compared: intoto 0.0.2 <c>content.hash</c> and dsse 0.0.1
/// <c>envelopeHash</c> hash the envelope bytes as the client uploaded them, which a verifier cannot reproduce;
/// the payload hash and the signatures they sit beside bind the same envelope.
/// </remarks>
internal static class RekorBodyMatcher
{
    public static Problem? Verify(TransparencyLogEntry entry, SignedContent content)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(content);
        try
        {
            using var document = ParseBody(entry);
            var body = document.RootElement;
            var kind = StrictJson.RequiredString(body, "kind", "body");
            var version = StrictJson.RequiredString(body, "apiVersion", "body");
            if (kind != entry.Kind || version != entry.Version)
            {
                throw Mismatch("body", $"the body is a {StrictJson.Printable(kind, 40)} {StrictJson.Printable(version, 20)} entry but the bundle says {StrictJson.Printable(entry.Kind, 40)} {StrictJson.Printable(entry.Version, 20)}");
            }

            var spec = StrictJson.Required(body, "spec", "body");
            switch (kind, version)
            {
                case ("hashedrekord", "0.0.1"):
                    HashedRekordV001(spec, content);
                    break;
                case ("hashedrekord", "0.0.2"):
                    HashedRekordV002(StrictJson.Required(spec, "hashedRekordV002", "body.spec"), content);
                    break;
                case ("intoto", "0.0.2"):
                    IntotoV002(spec, content);
                    break;
                case ("dsse", "0.0.1"):
                    DsseV001(spec, content);
                    break;
                case ("dsse", "0.0.2"):
                    DsseV002(StrictJson.Required(spec, "dsseV002", "body.spec"), content);
                    break;
                default:
                    throw InvalidInputException.At(DiagnosticCode.LogEntryKindUnsupported, "body",
                        $"log entries of kind {StrictJson.Printable(kind, 40)} {StrictJson.Printable(version, 20)} cannot be bound to a bundle's content (supported: hashedrekord 0.0.1 and 0.0.2, intoto 0.0.2, dsse 0.0.1 and 0.0.2)");
            }

            return null;
        }
        catch (InvalidInputException e)
        {
            return e.Problem.Location?.StartsWith("body", StringComparison.Ordinal) == true
                ? e.Problem with { Location = "canonicalizedBody" + e.Problem.Location["body".Length..] }
                : e.Problem;
        }
    }

    private static JsonDocument ParseBody(TransparencyLogEntry entry)
    {
        try
        {
            return StrictJson.Parse(entry.CanonicalizedBody);
        }
        catch (InvalidInputException e)
        {
            throw InvalidInputException.At(DiagnosticCode.LogEntryMalformed, "body", "the log entry body is not strict JSON: " + e.Problem.Message);
        }
    }

    /// <summary>Rekor hashedrekord 0.0.1: signature.content, signature.publicKey.content (base64 PEM), data.hash {algorithm, hex value}.</summary>
    private static void HashedRekordV001(JsonElement spec, SignedContent content)
    {
        RequireMessage(content, "hashedrekord 0.0.1");
        var signature = StrictJson.Required(spec, "signature", "body.spec");
        ExpectSignature(Base64(signature, "content", "body.spec.signature"), content.Signature.Span, "body.spec.signature.content");
        var publicKey = StrictJson.Required(signature, "publicKey", "body.spec.signature");
        ExpectPemMaterial(Base64(publicKey, "content", "body.spec.signature.publicKey"), content, "body.spec.signature.publicKey.content");

        var hash = StrictJson.Required(StrictJson.Required(spec, "data", "body.spec"), "hash", "body.spec.data");
        var algorithmName = StrictJson.RequiredString(hash, "algorithm", "body.spec.data.hash");
        var value = StrictJson.RequiredString(hash, "value", "body.spec.data.hash");
        if (!DigestAlgorithms.TryFromName(algorithmName, out var algorithm) || algorithm != content.DigestAlgorithm
            || !DigestAlgorithms.FixedTimeHexEquals(value, Convert.ToHexStringLower(content.Digest.Span)))
        {
            throw Mismatch("body.spec.data.hash", $"the entry records the digest {StrictJson.Printable(algorithmName, 20)}:{StrictJson.Printable(value, 130)}, not the artifact's {content.DigestAlgorithm.Name()}:{Convert.ToHexStringLower(content.Digest.Span)}");
        }
    }

    /// <summary>
    /// Rekor v2 hashedrekord 0.0.2: data {algorithm, digest}, signature {content, verifier}. For a DSSE envelope the
    /// logged digest is that of the envelope's PAE and the signature is the envelope's one signature.
    /// </summary>
    private static void HashedRekordV002(JsonElement spec, SignedContent content)
    {
        const string Path = "body.spec.hashedRekordV002";
        var signature = StrictJson.Required(spec, "signature", Path);
        var data = StrictJson.Required(spec, "data", Path);
        var algorithm = ProtoDigestAlgorithm(StrictJson.RequiredString(data, "algorithm", Path + ".data"), Path + ".data.algorithm");
        var digest = Base64(data, "digest", Path + ".data");

        ReadOnlySpan<byte> expectedSignature;
        byte[] expectedDigest;
        if (content.Envelope is { } envelope)
        {
            if (envelope.Signatures.Length != 1)
            {
                throw Mismatch(Path + ".signature", "a hashedrekord entry records one signature but the envelope has " + envelope.Signatures.Length);
            }

            expectedSignature = envelope.Signatures[0].Signature.Span;
            expectedDigest = Hash(algorithm, envelope.PreAuthenticationEncoding());
        }
        else
        {
            if (algorithm != content.DigestAlgorithm)
            {
                throw Mismatch(Path + ".data.algorithm", $"the entry records a {algorithm.Name()} digest but the artifact's is {content.DigestAlgorithm.Name()}");
            }

            expectedSignature = content.Signature.Span;
            expectedDigest = content.Digest.ToArray();
        }

        if (!CryptographicOperations.FixedTimeEquals(digest, expectedDigest))
        {
            throw Mismatch(Path + ".data.digest", content.Envelope is null
                ? "the entry records another digest than the artifact's"
                : "the entry records another digest than that of the envelope's pre-authentication encoding");
        }

        ExpectSignature(Base64(signature, "content", Path + ".signature"), expectedSignature, Path + ".signature.content");
        ExpectVerifier(StrictJson.Required(signature, "verifier", Path + ".signature"), content, Path + ".signature.verifier");
    }

    /// <summary>
    /// Rekor intoto 0.0.2: content.envelope {payloadType, payload, signatures [{sig, publicKey}]} with payload and sig
    /// base64-encoded twice (the schema's bytes fields hold the DSSE base64 text), and content.payloadHash.
    /// </summary>
    private static void IntotoV002(JsonElement spec, SignedContent content)
    {
        const string Path = "body.spec.content";
        var envelope = RequireEnvelope(content, "intoto 0.0.2");
        var logged = StrictJson.Required(StrictJson.Required(spec, "content", "body.spec"), "envelope", Path);
        var contentElement = StrictJson.Required(spec, "content", "body.spec");
        ExpectPayloadHashHex(StrictJson.Required(contentElement, "payloadHash", Path), envelope, Path + ".payloadHash");

        if (StrictJson.RequiredString(logged, "payloadType", Path + ".envelope") != envelope.PayloadType)
        {
            throw Mismatch(Path + ".envelope.payloadType", "the entry records another payload type than the envelope's");
        }

        if (StrictJson.OptionalString(logged, "payload", Path + ".envelope") is { } payload
            && !DecodeTwice(payload, Path + ".envelope.payload", Limits.MaxPayloadBytes).AsSpan().SequenceEqual(envelope.Payload.Span))
        {
            throw Mismatch(Path + ".envelope.payload", "the entry records another payload than the envelope's");
        }

        var signatures = StrictJson.RequiredArray(logged, "signatures", Path + ".envelope", Limits.MaxSignatures, DiagnosticCode.TooManySignatures);
        ExpectSignatureList(signatures, envelope, Path + ".envelope.signatures", (item, itemPath) =>
        {
            ExpectPemMaterial(Base64(item, "publicKey", itemPath), content, itemPath + ".publicKey");
            return DecodeTwice(StrictJson.RequiredString(item, "sig", itemPath), itemPath + ".sig", Limits.MaxSignatureBytes);
        });
    }

    /// <summary>Rekor dsse 0.0.1: payloadHash {algorithm, hex value} and signatures [{signature, verifier (base64 PEM)}].</summary>
    private static void DsseV001(JsonElement spec, SignedContent content)
    {
        var envelope = RequireEnvelope(content, "dsse 0.0.1");
        ExpectPayloadHashHex(StrictJson.Required(spec, "payloadHash", "body.spec"), envelope, "body.spec.payloadHash");
        var signatures = StrictJson.RequiredArray(spec, "signatures", "body.spec", Limits.MaxSignatures, DiagnosticCode.TooManySignatures);
        ExpectSignatureList(signatures, envelope, "body.spec.signatures", (item, itemPath) =>
        {
            ExpectPemMaterial(Base64(item, "verifier", itemPath), content, itemPath + ".verifier");
            return Base64(item, "signature", itemPath);
        });
    }

    /// <summary>Rekor v2 dsse 0.0.2: payloadHash {algorithm, digest} and signatures [{content, verifier}].</summary>
    private static void DsseV002(JsonElement spec, SignedContent content)
    {
        const string Path = "body.spec.dsseV002";
        var envelope = RequireEnvelope(content, "dsse 0.0.2");
        var payloadHash = StrictJson.Required(spec, "payloadHash", Path);
        var algorithm = ProtoDigestAlgorithm(StrictJson.RequiredString(payloadHash, "algorithm", Path + ".payloadHash"), Path + ".payloadHash.algorithm");
        if (!CryptographicOperations.FixedTimeEquals(Base64(payloadHash, "digest", Path + ".payloadHash"), Hash(algorithm, envelope.Payload.Span)))
        {
            throw Mismatch(Path + ".payloadHash", "the entry records another payload hash than that of the envelope's payload");
        }

        var signatures = StrictJson.RequiredArray(spec, "signatures", Path, Limits.MaxSignatures, DiagnosticCode.TooManySignatures);
        ExpectSignatureList(signatures, envelope, Path + ".signatures", (item, itemPath) =>
        {
            ExpectVerifier(StrictJson.Required(item, "verifier", itemPath), content, itemPath + ".verifier");
            return Base64(item, "content", itemPath);
        });
    }

    /// <summary>
    /// The logged signatures must be exactly the envelope's: as many, and each envelope signature among them, so the
    /// log vouches for every signature the bundle shows.
    /// </summary>
    private static void ExpectSignatureList(
        JsonElement signatures, DsseEnvelope envelope, string path, Func<JsonElement, string, byte[]> readSignature)
    {
        if (signatures.GetArrayLength() != envelope.Signatures.Length)
        {
            throw Mismatch(path, $"the entry records {signatures.GetArrayLength()} signatures but the envelope has {envelope.Signatures.Length}");
        }

        var logged = new List<byte[]>();
        var index = 0;
        foreach (var item in signatures.EnumerateArray())
        {
            logged.Add(readSignature(item, StrictJson.Index(path, index++)));
        }

        foreach (var signature in envelope.Signatures)
        {
            if (!logged.Any(l => l.AsSpan().SequenceEqual(signature.Signature.Span)))
            {
                throw Mismatch(path, "an envelope signature is not among the signatures the entry records");
            }
        }
    }

    private static void ExpectPayloadHashHex(JsonElement payloadHash, DsseEnvelope envelope, string path)
    {
        var algorithmName = StrictJson.RequiredString(payloadHash, "algorithm", path);
        var value = StrictJson.RequiredString(payloadHash, "value", path);
        if (!DigestAlgorithms.TryFromName(algorithmName, out var algorithm)
            || !DigestAlgorithms.FixedTimeHexEquals(value, Convert.ToHexStringLower(Hash(algorithm, envelope.Payload.Span))))
        {
            throw Mismatch(path, "the entry records another payload hash than that of the envelope's payload");
        }
    }

    private static void ExpectSignature(ReadOnlySpan<byte> logged, ReadOnlySpan<byte> expected, string path)
    {
        if (!logged.SequenceEqual(expected))
        {
            throw Mismatch(path, "the entry records another signature than the bundle's");
        }
    }

    /// <summary>A Rekor v2 verifier: exactly one of x509Certificate or publicKey, each {rawBytes}.</summary>
    private static void ExpectVerifier(JsonElement verifier, SignedContent content, string path)
    {
        var certificate = ProtoJson.Optional(verifier, "x509Certificate", "x509_certificate", path);
        var publicKey = ProtoJson.Optional(verifier, "publicKey", "public_key", path);
        if ((certificate is null) == (publicKey is null))
        {
            throw InvalidInputException.At(DiagnosticCode.LogEntryMalformed, path, "a verifier holds exactly one of x509Certificate or publicKey");
        }

        var kind = certificate is null ? SignerMaterialKind.PublicKey : SignerMaterialKind.Certificate;
        var name = certificate is null ? "publicKey" : "x509Certificate";
        var raw = ProtoJson.RequiredBytes((certificate ?? publicKey)!.Value, "rawBytes", "raw_bytes", StrictJson.Child(path, name), Limits.MaxCertificateBytes);
        ExpectMaterial(kind, raw, content, StrictJson.Child(path, name));
    }

    /// <summary>A Rekor v1 key field: one PEM block, <c>CERTIFICATE</c> or <c>PUBLIC KEY</c>, and nothing else.</summary>
    private static void ExpectPemMaterial(byte[] pem, SignedContent content, string path)
    {
        string text;
        try
        {
            text = new UTF8Encoding(false, true).GetString(pem);
        }
        catch (DecoderFallbackException)
        {
            throw Mismatch(path, "the recorded key is not PEM text");
        }

        if (!PemEncoding.TryFind(text, out var fields) || text[fields.Location.End..].Trim().Length != 0 || text[..fields.Location.Start].Trim().Length != 0)
        {
            throw Mismatch(path, "the recorded key is not a single PEM block");
        }

        var label = text[fields.Label];
        var kind = label switch
        {
            "CERTIFICATE" => SignerMaterialKind.Certificate,
            "PUBLIC KEY" => SignerMaterialKind.PublicKey,
            _ => throw Mismatch(path, $"the recorded key is a PEM \"{StrictJson.Printable(label, 40)}\", not a certificate or public key"),
        };
        var der = new byte[fields.DecodedDataLength];
        if (!Convert.TryFromBase64String(text[fields.Base64Data], der, out var written))
        {
            throw Mismatch(path, "the recorded key's PEM body is not base64");
        }

        ExpectMaterial(kind, der.AsSpan(0, written), content, path);
    }

    private static void ExpectMaterial(SignerMaterialKind kind, ReadOnlySpan<byte> der, SignedContent content, string path)
    {
        if (kind != content.MaterialKind || !der.SequenceEqual(content.Material.Span))
        {
            throw Mismatch(path, content.MaterialKind == SignerMaterialKind.Certificate
                ? "the entry records another certificate or key than the bundle's signing certificate"
                : "the entry records another key than the one the signature was verified with");
        }
    }

    private static void RequireMessage(SignedContent content, string kind)
    {
        if (content.Envelope is not null)
        {
            throw Mismatch("body.kind", $"a {kind} entry records a message signature but the bundle carries a DSSE envelope");
        }
    }

    private static DsseEnvelope RequireEnvelope(SignedContent content, string kind) =>
        content.Envelope ?? throw Mismatch("body.kind", $"a {kind} entry records a DSSE envelope but the bundle carries a message signature");

    /// <summary>protobuf-specs HashAlgorithm names as Rekor v2 writes them.</summary>
    private static DigestAlgorithm ProtoDigestAlgorithm(string name, string path) => name switch
    {
        "SHA2_256" => DigestAlgorithm.Sha256,
        "SHA2_384" => DigestAlgorithm.Sha384,
        "SHA2_512" => DigestAlgorithm.Sha512,
        _ => throw InvalidInputException.At(DiagnosticCode.LogEntryMalformed, path, $"unknown digest algorithm \"{StrictJson.Printable(name, 40)}\""),
    };

    private static byte[] Hash(DigestAlgorithm algorithm, ReadOnlySpan<byte> data) => algorithm switch
    {
        DigestAlgorithm.Sha384 => SHA384.HashData(data),
        DigestAlgorithm.Sha512 => SHA512.HashData(data),
        _ => SHA256.HashData(data),
    };

    private static byte[] Base64(JsonElement obj, string name, string path) =>
        StrictJson.RequiredBase64(obj, name, path, Limits.MaxLogEntryBodyBytes);

    /// <summary>
    /// A value of an intoto 0.0.2 bytes field holding DSSE base64 text. One that does not decode twice cannot be the
    /// bundle's value, so it is a mismatch, not a malformed entry.
    /// </summary>
    private static byte[] DecodeTwice(string text, string path, int maxBytes)
    {
        var once = StrictJson.DecodeBase64(text, path, maxBytes * 2);
        try
        {
            return StrictJson.DecodeBase64(Encoding.ASCII.GetString(once), path, maxBytes);
        }
        catch (InvalidInputException)
        {
            throw Mismatch(path, "the recorded value is not base64 text in base64, as intoto 0.0.2 records DSSE fields");
        }
    }

    private static InvalidInputException Mismatch(string location, string message) =>
        InvalidInputException.At(DiagnosticCode.LogEntryBodyMismatch, location, message);
}
