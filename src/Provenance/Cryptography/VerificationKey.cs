using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using System.Formats.Asn1;
using System.Security.Cryptography;
using NSec.Cryptography;

namespace Provenance.Cryptography;

/// <summary>
/// A trusted public key and the one signature scheme it is used with: ECDSA on P-256, P-384 or P-521
/// (FIPS 186-5) with the curve's hash; RSA of 2048 bits or more with PKCS#1 v1.5 or PSS (RFC 8017);
/// Ed25519 (RFC 8032). Read from PEM or DER SubjectPublicKeyInfo (RFC 5280, RFC 5480, RFC 4055, RFC 8410).
/// </summary>
/// <remarks>
/// Immutable and safe to share between threads. A malformed or wrong signature makes
/// <see cref="Verify"/> return false; it never throws for one.
/// </remarks>
public sealed class VerificationKey
{
    private readonly byte[] _subjectPublicKeyInfo;
    private readonly SignatureVerifier _verifier;
    private readonly KeyAlgorithm _algorithm;

    private VerificationKey(KeyAlgorithm algorithm, byte[] subjectPublicKeyInfo, string keyId, SignatureVerifier verifier)
    {
        _algorithm = algorithm;
        Algorithm = algorithm.Name;
        _subjectPublicKeyInfo = subjectPublicKeyInfo;
        KeyId = keyId;
        SpkiSha256 = Convert.ToHexStringLower(SHA256.HashData(subjectPublicKeyInfo));
        _verifier = verifier;
    }

    /// <summary>
    /// The canonical names of every supported scheme, as <see cref="Algorithm"/> reports them and as
    /// <c>keyAlgorithm</c> accepts them (with the Sigstore <c>PublicKeyDetails</c> names, such as
    /// <c>PKIX_ECDSA_P256_SHA_256</c>).
    /// </summary>
    public static ImmutableArray<string> SupportedAlgorithms { get; } = [.. KeyAlgorithms.All.Select(a => a.Name)];

    /// <summary>The scheme signatures are checked with, for example <c>ecdsa-p256-sha256</c>.</summary>
    public string Algorithm { get; }

    /// <summary>
    /// The OpenSSH SHA-256 fingerprint, for example <c>SHA256:jl3bwswu80PjjokCgh0o2w5c2U4LhQAE57gj9cz1kzA</c>:
    /// the key id the npm registry publishes and npm bundles carry as their key hint.
    /// </summary>
    public string KeyId { get; }

    /// <summary>Lowercase hex SHA-256 of <see cref="SubjectPublicKeyInfo"/>, the key id many signers use (and cosign's hint).</summary>
    public string SpkiSha256 { get; }

    /// <summary>The key as DER SubjectPublicKeyInfo (PKCS#1 input is wrapped into one).</summary>
    public ReadOnlyMemory<byte> SubjectPublicKeyInfo => _subjectPublicKeyInfo;

    /// <summary>Reads a trusted key given by the user.</summary>
    /// <param name="pemOrDer">One PEM block (<c>PUBLIC KEY</c> or <c>RSA PUBLIC KEY</c>) or DER SubjectPublicKeyInfo.</param>
    /// <param name="keyAlgorithm">
    /// The scheme to use, or null for the key's default: the curve's hash for ECDSA, PKCS#1 v1.5 with SHA-256
    /// for RSA, PSS with the parameters' hash (else SHA-256) for an id-RSASSA-PSS key.
    /// </param>
    /// <param name="key">The key, when it can be used.</param>
    /// <param name="problem">Why it cannot be used: <see cref="DiagnosticCode.InvalidKey"/>,
    /// <see cref="DiagnosticCode.UnsupportedKeyAlgorithm"/> or <see cref="DiagnosticCode.InputTooLarge"/>.</param>
    public static bool TryParse(
        ReadOnlySpan<byte> pemOrDer,
        string? keyAlgorithm,
        [NotNullWhen(true)] out VerificationKey? key,
        [NotNullWhen(false)] out Problem? problem)
    {
        try
        {
            key = Create(Cryptography.SubjectPublicKeyInfo.Read(pemOrDer), keyAlgorithm);
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

    /// <summary>Reads a key known to be good, such as one embedded in the program.</summary>
    /// <exception cref="FormatException">The key cannot be used; the message says why.</exception>
    public static VerificationKey Parse(ReadOnlySpan<byte> pemOrDer, string? keyAlgorithm = null) =>
        TryParse(pemOrDer, keyAlgorithm, out var key, out var problem) ? key : throw Error.Format(problem);

    /// <summary>True when <paramref name="signature"/> is this key's signature of <paramref name="data"/>.</summary>
    /// <remarks>
    /// ECDSA signatures may be DER (RFC 3279, strictly encoded) or IEEE P1363 r||s. Anything else, including
    /// signatures longer than <see cref="Limits.MaxSignatureBytes"/>, is false.
    /// </remarks>
    public bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature) =>
        !signature.IsEmpty && signature.Length <= Limits.MaxSignatureBytes && _verifier.Verify(data, signature);

    /// <summary>
    /// True when <paramref name="signature"/> is this key's signature of data whose digest under
    /// <see cref="DigestAlgorithm"/> is <paramref name="digest"/> (as for a Sigstore message signature checked
    /// against an artifact given only by its digest). Always false for Ed25519, which signs the data itself.
    /// </summary>
    public bool VerifyDigest(ReadOnlySpan<byte> digest, ReadOnlySpan<byte> signature) =>
        !signature.IsEmpty && signature.Length <= Limits.MaxSignatureBytes && _verifier.VerifyDigest(digest, signature);

    /// <summary>The hash the signature scheme applies to the data; null for Ed25519, which has none of its own.</summary>
    public DigestAlgorithm? DigestAlgorithm => _algorithm.Family == KeyFamily.Ed25519 ? null : DigestAlgorithms.FromHashName(_algorithm.Hash);

    /// <inheritdoc />
    public override string ToString() => $"{Algorithm} {KeyId}";

    private static VerificationKey Create(SubjectPublicKeyInfo spki, string? requested) => spki.AlgorithmOid switch
    {
        Cryptography.SubjectPublicKeyInfo.EcPublicKeyOid => CreateEcdsa(spki, requested),
        Cryptography.SubjectPublicKeyInfo.RsaEncryptionOid => CreateRsa(spki, requested, pssParameters: null),
        Cryptography.SubjectPublicKeyInfo.RsaPssOid => CreateRsa(spki, requested, spki.Parameters ?? ReadOnlyMemory<byte>.Empty),
        Cryptography.SubjectPublicKeyInfo.Ed25519Oid => CreateEd25519(spki, requested),
        var oid => throw Unsupported(
            $"keys of algorithm {oid} are not supported; use ECDSA (P-256, P-384, P-521), RSA or Ed25519"),
    };

    private static VerificationKey CreateEcdsa(SubjectPublicKeyInfo spki, string? requested)
    {
        var curveOid = ReadNamedCurve(spki.Parameters);
        var algorithm = KeyAlgorithms.All.FirstOrDefault(a => a.CurveOid == curveOid)
            ?? throw Unsupported($"the curve {CurveName(curveOid)} is not supported; use P-256, P-384 or P-521");
        if (spki.PublicKey.Length != 1 + (2 * algorithm.FieldBytes) || spki.PublicKey[0] != 0x04)
        {
            throw Invalid("the EC public key is not an uncompressed point of its curve (SEC 1 section 2.3.3); re-export it uncompressed");
        }

        ResolveRequested(requested, [algorithm], algorithm, "ECDSA " + CurveName(curveOid), keyBits: null);
        ECDsa Import()
        {
            var ecdsa = ECDsa.Create();
            ecdsa.ImportSubjectPublicKeyInfo(spki.Der, out _);
            return ecdsa;
        }

        var first = ImportOrInvalid(Import, "the EC public key is not a point on its curve");
        var sshCurve = "nistp" + algorithm.Name["ecdsa-p".Length..algorithm.Name.IndexOf('-', "ecdsa-".Length)];
        return new VerificationKey(algorithm, spki.Der, OpenSshFingerprint.Ecdsa(sshCurve, spki.PublicKey),
            new EcdsaVerifier(algorithm, new KeyPool<ECDsa>(first, Import)));
    }

    private static VerificationKey CreateRsa(SubjectPublicKeyInfo spki, string? requested, ReadOnlyMemory<byte>? pssParameters)
    {
        RSA Import()
        {
            var rsa = RSA.Create();
            rsa.ImportRSAPublicKey(spki.PublicKey, out var read);
            return read == spki.PublicKey.Length ? rsa : throw new CryptographicException();
        }

        var first = ImportOrInvalid(Import, "the RSA public key is not a DER RSAPublicKey (RFC 8017 appendix A.1.1)");
        var bits = first.KeySize;
        if (bits < 2048 || bits > Limits.MaxRsaKeyBits)
        {
            first.Dispose();
            throw Unsupported($"an RSA key of {bits} bits is not supported; use one of 2048 to {Limits.MaxRsaKeyBits} bits");
        }

        ImmutableArray<KeyAlgorithm> allowed;
        if (pssParameters is not { } parameters)
        {
            allowed = [.. KeyAlgorithms.All.Where(a => a.Family == KeyFamily.Rsa)];
        }
        else if (parameters.IsEmpty)
        {
            allowed = [.. KeyAlgorithms.All.Where(a => a.Family == KeyFamily.Rsa && a.Pss)];
        }
        else
        {
            allowed = [KeyAlgorithms.RsaWithHash(RsaPssParameters.ReadHash(parameters), pss: true)];
        }

        var kind = pssParameters is null ? $"RSA {bits}-bit" : $"RSASSA-PSS {bits}-bit";
        var algorithm = ResolveRequested(requested, allowed, allowed[0], kind, bits);
        return new VerificationKey(algorithm, spki.Der, OpenSshFingerprint.Rsa(first.ExportParameters(false)),
            new RsaVerifier(algorithm, bits / 8, new KeyPool<RSA>(first, Import)));
    }

    private static VerificationKey CreateEd25519(SubjectPublicKeyInfo spki, string? requested)
    {
        // RFC 8410 section 3: the parameters are absent.
        if (spki.Parameters is not null
            || !PublicKey.TryImport(SignatureAlgorithm.Ed25519, spki.PublicKey, KeyBlobFormat.RawPublicKey, out var publicKey)
            || publicKey is null)
        {
            throw Invalid("the Ed25519 public key is not 32 bytes without parameters (RFC 8410 section 4)");
        }

        var algorithm = ResolveRequested(requested, [KeyAlgorithms.Ed25519], KeyAlgorithms.Ed25519, "Ed25519", keyBits: null);
        return new VerificationKey(algorithm, spki.Der, OpenSshFingerprint.Ed25519(spki.PublicKey), new Ed25519Verifier(publicKey));
    }

    /// <summary>The scheme to use: the requested one if it fits the key, else the key's default.</summary>
    private static KeyAlgorithm ResolveRequested(
        string? requested, ImmutableArray<KeyAlgorithm> allowed, KeyAlgorithm defaultAlgorithm, string keyKind, int? keyBits)
    {
        if (string.IsNullOrWhiteSpace(requested))
        {
            return defaultAlgorithm;
        }

        if (!KeyAlgorithms.TryFind(requested.Trim(), out var algorithm, out var requiredBits))
        {
            throw Unsupported($"unknown key algorithm '{requested}'; use one of {string.Join(", ", SupportedAlgorithms)}");
        }

        if (!allowed.Contains(algorithm) || (requiredBits is not null && requiredBits != keyBits))
        {
            throw Unsupported($"key algorithm '{requested}' does not fit this {keyKind} key; use "
                + string.Join(" or ", allowed.Select(a => a.Name)) + " or leave the key algorithm out");
        }

        return algorithm;
    }

    private static string ReadNamedCurve(ReadOnlyMemory<byte>? parameters)
    {
        try
        {
            if (parameters is { } encoded)
            {
                var reader = new AsnReader(encoded, AsnEncodingRules.DER);
                if (reader.PeekTag().HasSameClassAndValue(Asn1Tag.ObjectIdentifier))
                {
                    var oid = reader.ReadObjectIdentifier();
                    reader.ThrowIfNotEmpty();
                    return oid;
                }
            }
        }
        catch (AsnContentException)
        {
            throw Invalid("the EC key's curve parameters are not valid DER (RFC 5480 section 2.1.1)");
        }

        throw Unsupported("EC keys with explicit or implicit curve parameters are not supported; use a named curve (P-256, P-384 or P-521)");
    }

    private static string CurveName(string oid) => oid switch
    {
        KeyAlgorithms.P256Oid => "P-256",
        KeyAlgorithms.P384Oid => "P-384",
        KeyAlgorithms.P521Oid => "P-521",
        "1.3.132.0.10" => "secp256k1",
        _ => oid,
    };

    private static T ImportOrInvalid<T>(Func<T> import, string message)
    {
        try
        {
            return import();
        }
        catch (CryptographicException)
        {
            throw Invalid(message);
        }
    }

    private static InvalidInputException Invalid(string message) =>
        Cryptography.SubjectPublicKeyInfo.Invalid(DiagnosticCode.InvalidKey, message);

    private static InvalidInputException Unsupported(string message) =>
        Cryptography.SubjectPublicKeyInfo.Invalid(DiagnosticCode.UnsupportedKeyAlgorithm, message);
}
