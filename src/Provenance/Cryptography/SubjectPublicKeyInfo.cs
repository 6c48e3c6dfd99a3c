using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Text;

namespace Provenance.Cryptography;

/// <summary>
/// A DER SubjectPublicKeyInfo (RFC 5280 section 4.1.2.7) split into its parts, read from a key file: PEM
/// (RFC 7468) <c>PUBLIC KEY</c>, PEM <c>RSA PUBLIC KEY</c> (PKCS#1, RFC 8017 appendix A.1.1, wrapped into
/// an SPKI) or raw DER. Anything else throws <see cref="InvalidInputException"/> saying what to give instead.
/// </summary>
internal sealed record SubjectPublicKeyInfo(byte[] Der, string AlgorithmOid, ReadOnlyMemory<byte>? Parameters, byte[] PublicKey)
{
    public const string RsaEncryptionOid = "1.2.840.113549.1.1.1";
    public const string RsaPssOid = "1.2.840.113549.1.1.10";
    public const string EcPublicKeyOid = "1.2.840.10045.2.1";
    public const string Ed25519Oid = "1.3.101.112";

    private static readonly byte[] AsnNull = [0x05, 0x00];

    public static SubjectPublicKeyInfo Read(ReadOnlySpan<byte> pemOrDer)
    {
        if (pemOrDer.Length > Limits.MaxKeyFileBytes)
        {
            throw Invalid(DiagnosticCode.InputTooLarge,
                $"a key file is at most {Limits.MaxKeyFileBytes} bytes; this is {pemOrDer.Length}");
        }

        var trimmed = pemOrDer.Trim(" \t\r\n\f\v"u8);
        if (trimmed.IsEmpty)
        {
            throw Invalid(DiagnosticCode.InvalidKey, "the key is empty; give a PEM or DER public key");
        }

        // Only text is trimmed: DER may well end in a byte that happens to be an ASCII space or newline.
        return trimmed.StartsWith("-----BEGIN "u8) ? FromPem(trimmed) : FromDer(pemOrDer.ToArray());
    }

    private static SubjectPublicKeyInfo FromPem(ReadOnlySpan<byte> ascii)
    {
        if (ascii.IndexOfAnyExceptInRange((byte)0x09, (byte)0x7E) >= 0)
        {
            throw Invalid(DiagnosticCode.InvalidKey, "the PEM key contains bytes that are not ASCII text");
        }

        var text = Encoding.ASCII.GetString(ascii);
        if (!PemEncoding.TryFind(text, out var fields))
        {
            throw Invalid(DiagnosticCode.InvalidKey,
                "the key starts like PEM but is not a well-formed PEM block (RFC 7468); check its BEGIN/END lines and base64");
        }

        if (fields.Location.Start.Value != 0 || fields.Location.End.Value != text.Length)
        {
            throw Invalid(DiagnosticCode.InvalidKey,
                "the key file holds more than one PEM block or text after it; give exactly one public key per file");
        }

        var label = text[fields.Label];
        var der = Convert.FromBase64String(text[fields.Base64Data]);
        return label switch
        {
            "PUBLIC KEY" => FromDer(der),
            "RSA PUBLIC KEY" => FromPkcs1RsaPublicKey(der),
            "PRIVATE KEY" or "RSA PRIVATE KEY" or "EC PRIVATE KEY" or "ENCRYPTED PRIVATE KEY" or "OPENSSH PRIVATE KEY" =>
                throw Invalid(DiagnosticCode.InvalidKey,
                    "this is a private key; never hand it out; give its public key (openssl pkey -pubout)"),
            "CERTIFICATE" => throw Invalid(DiagnosticCode.InvalidKey,
                "this is a certificate, not a key; extract its public key with openssl x509 -pubkey -noout"),
            _ => throw Invalid(DiagnosticCode.InvalidKey,
                $"a PEM '{label}' block is not a public key; give a 'PUBLIC KEY' block"),
        };
    }

    private static SubjectPublicKeyInfo FromPkcs1RsaPublicKey(byte[] pkcs1)
    {
        try
        {
            // Decoding both integers here keeps non-DER input out, which the writer below would otherwise copy.
            var sequence = new AsnReader(pkcs1, AsnEncodingRules.DER).ReadSequence();
            sequence.ReadIntegerBytes();
            sequence.ReadIntegerBytes();
            sequence.ThrowIfNotEmpty();
        }
        catch (AsnContentException)
        {
            throw Invalid(DiagnosticCode.InvalidKey, "the RSA PUBLIC KEY block is not a DER RSAPublicKey (PKCS#1)");
        }

        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            using (writer.PushSequence())
            {
                writer.WriteObjectIdentifier(RsaEncryptionOid);
                writer.WriteNull();
            }

            writer.WriteBitString(pkcs1);
        }

        return FromDer(writer.Encode());
    }

    private static SubjectPublicKeyInfo FromDer(byte[] der)
    {
        try
        {
            var outer = new AsnReader(der, AsnEncodingRules.DER);
            var spki = outer.ReadSequence();
            outer.ThrowIfNotEmpty();
            var algorithm = spki.ReadSequence();
            var oid = algorithm.ReadObjectIdentifier();
            // The cast matters: a bare null would become an empty ReadOnlyMemory through its conversion from byte[].
            ReadOnlyMemory<byte>? parameters = algorithm.HasData ? algorithm.ReadEncodedValue() : (ReadOnlyMemory<byte>?)null;
            algorithm.ThrowIfNotEmpty();
            var key = spki.ReadBitString(out var unusedBits);
            spki.ThrowIfNotEmpty();
            if (unusedBits != 0)
            {
                throw new AsnContentException();
            }

            // RFC 3279 section 2.3.1: rsaEncryption parameters are NULL. Tolerating their absence is harmless.
            if (oid == RsaEncryptionOid && parameters is { } p && !p.Span.SequenceEqual(AsnNull))
            {
                throw new AsnContentException();
            }

            return new SubjectPublicKeyInfo(der, oid, parameters, key);
        }
        catch (AsnContentException)
        {
            throw Invalid(DiagnosticCode.InvalidKey,
                "the key is neither PEM nor a DER SubjectPublicKeyInfo; give a '-----BEGIN PUBLIC KEY-----' file");
        }
    }

    public static InvalidInputException Invalid(DiagnosticCode code, string message) => new(new Problem(code, message));
}
