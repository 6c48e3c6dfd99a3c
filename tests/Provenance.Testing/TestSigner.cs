using System.Formats.Asn1;
using System.Security.Cryptography;
using Provenance.Cryptography;

namespace Provenance.Testing;

/// <summary>
/// A private key generated in-process for one of <see cref="VerificationKey.SupportedAlgorithms"/>, so tests
/// sign real data with real keys instead of carrying hand-made signatures.
/// </summary>
public sealed class TestSigner : IDisposable
{
    private const string RsaPssOid = "1.2.840.113549.1.1.10";
    private const string Mgf1Oid = "1.2.840.113549.1.1.8";

    private readonly ECDsa? _ecdsa;
    private readonly RSA? _rsa;
    private readonly NSec.Cryptography.Key? _ed25519;
    private readonly HashAlgorithmName _hash;
    private readonly RSASignaturePadding? _padding;

    private TestSigner(string algorithm, HashAlgorithmName hash, ECDsa? ecdsa = null, RSA? rsa = null,
        RSASignaturePadding? padding = null, NSec.Cryptography.Key? ed25519 = null)
    {
        Algorithm = algorithm;
        _hash = hash;
        _ecdsa = ecdsa;
        _rsa = rsa;
        _padding = padding;
        _ed25519 = ed25519;
        PublicKeyDer = ecdsa?.ExportSubjectPublicKeyInfo()
            ?? rsa?.ExportSubjectPublicKeyInfo()
            ?? ed25519!.PublicKey.Export(NSec.Cryptography.KeyBlobFormat.PkixPublicKey);
        PublicKeyPem = ToPem(PublicKeyDer);
    }

    /// <summary>Every algorithm the library verifies; <see cref="Create"/> makes a signer for each.</summary>
    public static IReadOnlyList<string> AllAlgorithms => VerificationKey.SupportedAlgorithms;

    /// <summary>The canonical algorithm name this signer signs with.</summary>
    public string Algorithm { get; }

    /// <summary>The public key as DER SubjectPublicKeyInfo (plain rsaEncryption for RSA-PSS signers).</summary>
    public byte[] PublicKeyDer { get; }

    /// <summary>The public key as a PEM <c>PUBLIC KEY</c> block.</summary>
    public string PublicKeyPem { get; }

    /// <summary>Generates a fresh key for <paramref name="algorithm"/>, one of <see cref="AllAlgorithms"/>.</summary>
    public static TestSigner Create(string algorithm) => algorithm switch
    {
        "ecdsa-p256-sha256" => new(algorithm, HashAlgorithmName.SHA256, ecdsa: ECDsa.Create(ECCurve.NamedCurves.nistP256)),
        "ecdsa-p384-sha384" => new(algorithm, HashAlgorithmName.SHA384, ecdsa: ECDsa.Create(ECCurve.NamedCurves.nistP384)),
        "ecdsa-p521-sha512" => new(algorithm, HashAlgorithmName.SHA512, ecdsa: ECDsa.Create(ECCurve.NamedCurves.nistP521)),
        "rsa-pkcs1v15-sha256" => new(algorithm, HashAlgorithmName.SHA256, rsa: RSA.Create(2048), padding: RSASignaturePadding.Pkcs1),
        "rsa-pkcs1v15-sha384" => new(algorithm, HashAlgorithmName.SHA384, rsa: RSA.Create(2048), padding: RSASignaturePadding.Pkcs1),
        "rsa-pkcs1v15-sha512" => new(algorithm, HashAlgorithmName.SHA512, rsa: RSA.Create(2048), padding: RSASignaturePadding.Pkcs1),
        "rsa-pss-sha256" => new(algorithm, HashAlgorithmName.SHA256, rsa: RSA.Create(2048), padding: RSASignaturePadding.Pss),
        "rsa-pss-sha384" => new(algorithm, HashAlgorithmName.SHA384, rsa: RSA.Create(2048), padding: RSASignaturePadding.Pss),
        "rsa-pss-sha512" => new(algorithm, HashAlgorithmName.SHA512, rsa: RSA.Create(2048), padding: RSASignaturePadding.Pss),
        "ed25519" => new(algorithm, HashAlgorithmName.SHA512, ed25519: NSec.Cryptography.Key.Create(
            NSec.Cryptography.SignatureAlgorithm.Ed25519,
            new NSec.Cryptography.KeyCreationParameters { ExportPolicy = NSec.Cryptography.KeyExportPolicies.AllowPlaintextExport })),
        _ => throw new ArgumentException($"No test signer for '{algorithm}'; add one for every supported algorithm.", nameof(algorithm)),
    };

    /// <summary>True for ECDSA signers, which can also sign in IEEE P1363 form.</summary>
    public bool IsEcdsa => _ecdsa is not null;

    /// <summary>True for RSA-PSS signers, which can also export an id-RSASSA-PSS key.</summary>
    public bool IsRsaPss => _padding == RSASignaturePadding.Pss;

    /// <summary>Signs <paramref name="data"/>; ECDSA signatures are DER (RFC 3279), as most signers write them.</summary>
    public byte[] Sign(ReadOnlySpan<byte> data) =>
        _ecdsa?.SignData(data, _hash, DSASignatureFormat.Rfc3279DerSequence)
        ?? _rsa?.SignData(data.ToArray(), _hash, _padding!)
        ?? NSec.Cryptography.SignatureAlgorithm.Ed25519.Sign(_ed25519!, data);

    /// <summary>Signs with ECDSA as fixed-width r||s (IEEE P1363), as JWS and some KMS signers do.</summary>
    public byte[] SignP1363(ReadOnlySpan<byte> data) =>
        (_ecdsa ?? throw new InvalidOperationException("Only ECDSA signatures have a P1363 form."))
            .SignData(data, _hash, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    /// <summary>
    /// The RSA-PSS public key as an id-RSASSA-PSS SubjectPublicKeyInfo (RFC 4055 section 1.2): with
    /// <paramref name="restrictToHash"/>, parameters that bind it to this signer's hash, MGF1 and salt length;
    /// without, no parameters (an unrestricted PSS key).
    /// </summary>
    public byte[] ExportRsaPssPublicKeyDer(bool restrictToHash = true)
    {
        if (!IsRsaPss)
        {
            throw new InvalidOperationException("Only RSA-PSS signers have an id-RSASSA-PSS key.");
        }

        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            using (writer.PushSequence())
            {
                writer.WriteObjectIdentifier(RsaPssOid);
                if (restrictToHash)
                {
                    WritePssParameters(writer);
                }
            }

            writer.WriteBitString(_rsa!.ExportRSAPublicKey());
        }

        return writer.Encode();
    }

    /// <summary>Wraps DER SubjectPublicKeyInfo as a PEM <c>PUBLIC KEY</c> block.</summary>
    public static string ToPem(ReadOnlySpan<byte> subjectPublicKeyInfo) =>
        new(PemEncoding.Write("PUBLIC KEY", subjectPublicKeyInfo));

    /// <summary>The private key as a PKCS#8 PEM, for tests that a private key is refused.</summary>
    public string ExportPrivateKeyPem() =>
        _ecdsa?.ExportPkcs8PrivateKeyPem()
        ?? _rsa?.ExportPkcs8PrivateKeyPem()
        ?? ToPem8(_ed25519!.Export(NSec.Cryptography.KeyBlobFormat.PkixPrivateKey));

    /// <inheritdoc />
    public void Dispose()
    {
        _ecdsa?.Dispose();
        _rsa?.Dispose();
        _ed25519?.Dispose();
    }

    private static string ToPem8(ReadOnlySpan<byte> pkcs8) => new(PemEncoding.Write("PRIVATE KEY", pkcs8));

    private void WritePssParameters(AsnWriter writer)
    {
        var hashOid = _hash == HashAlgorithmName.SHA256 ? "2.16.840.1.101.3.4.2.1"
            : _hash == HashAlgorithmName.SHA384 ? "2.16.840.1.101.3.4.2.2"
            : "2.16.840.1.101.3.4.2.3";
        var saltLength = _hash == HashAlgorithmName.SHA256 ? 32 : _hash == HashAlgorithmName.SHA384 ? 48 : 64;
        using (writer.PushSequence())
        {
            using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true)))
            {
                WriteHashAlgorithm(writer, hashOid);
            }

            using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 1, isConstructed: true)))
            using (writer.PushSequence())
            {
                writer.WriteObjectIdentifier(Mgf1Oid);
                WriteHashAlgorithm(writer, hashOid);
            }

            using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 2, isConstructed: true)))
            {
                writer.WriteInteger(saltLength);
            }
        }
    }

    private static void WriteHashAlgorithm(AsnWriter writer, string hashOid)
    {
        using (writer.PushSequence())
        {
            writer.WriteObjectIdentifier(hashOid);
            writer.WriteNull();
        }
    }
}
