using System.Diagnostics.CodeAnalysis;
using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Text;
using NSec.Cryptography;

namespace Provenance.Cryptography;

/// <summary>
/// A private key the verifier signs its own attestations with (verification summaries), the counterpart of
/// <see cref="VerificationKey"/>: ECDSA on P-256, P-384 or P-521 with the curve's hash, signatures in DER
/// (RFC 3279); RSA of 2048 bits or more with PKCS#1 v1.5 and SHA-256 (RFC 8017); Ed25519 (RFC 8032).
/// Read from a PEM <c>PRIVATE KEY</c> block (PKCS#8, RFC 5208 and RFC 5958; RFC 8410 for Ed25519).
/// </summary>
/// <remarks>
/// Each signature is made with the scheme <see cref="PublicKey"/> checks by default, so whoever holds the public
/// key verifies it without naming an algorithm. Dispose the key when done: it holds private key material.
/// </remarks>
public sealed class SigningKey : IDisposable
{
    private readonly ECDsa? _ecdsa;
    private readonly RSA? _rsa;
    private readonly Key? _ed25519;
    private readonly HashAlgorithmName _hash;

    private SigningKey(VerificationKey publicKey, HashAlgorithmName hash, ECDsa? ecdsa = null, RSA? rsa = null, Key? ed25519 = null)
    {
        PublicKey = publicKey;
        _hash = hash;
        _ecdsa = ecdsa;
        _rsa = rsa;
        _ed25519 = ed25519;
    }

    /// <summary>The public half, exactly as a verifier given the public key file would read it.</summary>
    public VerificationKey PublicKey { get; }

    /// <summary>The scheme signatures are made with, one of <see cref="VerificationKey.SupportedAlgorithms"/>.</summary>
    public string Algorithm => PublicKey.Algorithm;

    /// <summary>Reads a PKCS#8 PEM private key given by the user.</summary>
    /// <param name="pem">One PEM <c>PRIVATE KEY</c> block.</param>
    /// <param name="key">The key, when it can sign.</param>
    /// <param name="problem">Why it cannot: <see cref="DiagnosticCode.InvalidKey"/>,
    /// <see cref="DiagnosticCode.UnsupportedKeyAlgorithm"/> or <see cref="DiagnosticCode.InputTooLarge"/>.</param>
    public static bool TryParse(ReadOnlySpan<byte> pem, [NotNullWhen(true)] out SigningKey? key, [NotNullWhen(false)] out Problem? problem)
    {
        try
        {
            key = Create(ReadPkcs8(pem));
            problem = null;
            return true;
        }
        catch (InvalidInputException e)
        {
            key = null;
            problem = e.Problem;
            return false;
        }
    }

    /// <summary>Signs <paramref name="data"/> (ECDSA signatures in DER, RFC 3279).</summary>
    public byte[] Sign(ReadOnlySpan<byte> data) =>
        _ecdsa?.SignData(data, _hash, DSASignatureFormat.Rfc3279DerSequence)
        ?? _rsa?.SignData(data, _hash, RSASignaturePadding.Pkcs1)
        ?? SignatureAlgorithm.Ed25519.Sign(_ed25519!, data);

    /// <inheritdoc />
    public void Dispose()
    {
        _ecdsa?.Dispose();
        _rsa?.Dispose();
        _ed25519?.Dispose();
    }

    /// <inheritdoc />
    public override string ToString() => PublicKey.ToString();

    private static SigningKey Create(byte[] pkcs8)
    {
        var oid = ReadAlgorithmOid(pkcs8);
        switch (oid)
        {
            case Cryptography.SubjectPublicKeyInfo.EcPublicKeyOid:
            {
                var ecdsa = Import(ECDsa.Create, (k, der) => k.ImportPkcs8PrivateKey(der, out _), pkcs8, "the EC private key");
                var publicKey = PublicOf(ecdsa.ExportSubjectPublicKeyInfo(), ecdsa);
                var hash = ecdsa.KeySize switch
                {
                    256 => HashAlgorithmName.SHA256,
                    384 => HashAlgorithmName.SHA384,
                    _ => HashAlgorithmName.SHA512,
                };
                return new SigningKey(publicKey, hash, ecdsa: ecdsa);
            }

            case Cryptography.SubjectPublicKeyInfo.RsaEncryptionOid:
            {
                var rsa = Import(RSA.Create, (k, der) => k.ImportPkcs8PrivateKey(der, out _), pkcs8, "the RSA private key");
                return new SigningKey(PublicOf(rsa.ExportSubjectPublicKeyInfo(), rsa), HashAlgorithmName.SHA256, rsa: rsa);
            }

            case Cryptography.SubjectPublicKeyInfo.Ed25519Oid:
            {
                var parameters = new KeyCreationParameters { ExportPolicy = KeyExportPolicies.None };
                if (!Key.TryImport(SignatureAlgorithm.Ed25519, pkcs8, KeyBlobFormat.PkixPrivateKey, out var ed25519, in parameters) || ed25519 is null)
                {
                    throw Invalid(DiagnosticCode.InvalidKey, "the Ed25519 private key is not a PKCS#8 key of RFC 8410 section 7");
                }

                return new SigningKey(PublicOf(ed25519.PublicKey.Export(KeyBlobFormat.PkixPublicKey), ed25519), HashAlgorithmName.SHA512, ed25519: ed25519);
            }

            default:
                throw Invalid(DiagnosticCode.UnsupportedKeyAlgorithm,
                    $"private keys of algorithm {oid} are not supported; use ECDSA (P-256, P-384, P-521), RSA or Ed25519");
        }
    }

    /// <summary>The public key's default scheme, with every check <see cref="VerificationKey"/> makes (curve, RSA size).</summary>
    private static VerificationKey PublicOf(byte[] subjectPublicKeyInfo, IDisposable privateKey)
    {
        if (VerificationKey.TryParse(subjectPublicKeyInfo, keyAlgorithm: null, out var key, out var problem))
        {
            return key;
        }

        privateKey.Dispose();
        throw new InvalidInputException(problem with { Message = problem.Message.Replace("public key", "private key", StringComparison.Ordinal) });
    }

    private static T Import<T>(Func<T> create, Action<T, byte[]> import, byte[] pkcs8, string what)
        where T : IDisposable
    {
        var key = create();
        try
        {
            import(key, pkcs8);
            return key;
        }
        catch (CryptographicException)
        {
            key.Dispose();
            throw Invalid(DiagnosticCode.InvalidKey, what + " is not a valid PKCS#8 key (RFC 5208)");
        }
    }

    /// <summary>The DER of the one PEM <c>PRIVATE KEY</c> block (RFC 7468 section 10) that is the whole input.</summary>
    private static byte[] ReadPkcs8(ReadOnlySpan<byte> pem)
    {
        if (pem.Length > Limits.MaxKeyFileBytes)
        {
            throw Invalid(DiagnosticCode.InputTooLarge, $"a key file is at most {Limits.MaxKeyFileBytes} bytes; this is {pem.Length}");
        }

        var trimmed = pem.Trim(" \t\r\n\f\v"u8);
        if (trimmed.IndexOfAnyExceptInRange((byte)0x09, (byte)0x7E) >= 0 || !trimmed.StartsWith("-----BEGIN "u8))
        {
            throw Invalid(DiagnosticCode.InvalidKey, "the signing key is not PEM text; give a PKCS#8 PEM PRIVATE KEY");
        }

        var text = Encoding.ASCII.GetString(trimmed);
        if (!PemEncoding.TryFind(text, out var fields) || fields.Location.Start.Value != 0 || fields.Location.End.Value != text.Length)
        {
            throw Invalid(DiagnosticCode.InvalidKey, "the signing key is not exactly one well-formed PEM block (RFC 7468)");
        }

        var label = text[fields.Label];
        if (label != "PRIVATE KEY")
        {
            throw Invalid(DiagnosticCode.InvalidKey, label == "ENCRYPTED PRIVATE KEY"
                ? "encrypted private keys are not supported; give an unencrypted PKCS#8 PRIVATE KEY"
                : $"a {label} is not a signing key; give a PKCS#8 PEM PRIVATE KEY (openssl pkcs8 -topk8 -nocrypt converts one)");
        }

        return Convert.FromBase64String(text[fields.Base64Data]);
    }

    /// <summary>PrivateKeyInfo ::= SEQUENCE { version, privateKeyAlgorithm AlgorithmIdentifier, ... } (RFC 5208 section 5).</summary>
    private static string ReadAlgorithmOid(byte[] pkcs8)
    {
        try
        {
            var info = new AsnReader(pkcs8, AsnEncodingRules.DER).ReadSequence();
            info.ReadInteger();
            return info.ReadSequence().ReadObjectIdentifier();
        }
        catch (AsnContentException)
        {
            throw Invalid(DiagnosticCode.InvalidKey, "the private key is not a DER PKCS#8 PrivateKeyInfo (RFC 5208 section 5)");
        }
    }

    private static InvalidInputException Invalid(DiagnosticCode code, string message) =>
        Cryptography.SubjectPublicKeyInfo.Invalid(code, message);
}
