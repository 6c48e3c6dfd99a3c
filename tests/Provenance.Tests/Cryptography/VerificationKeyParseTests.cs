using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Provenance.Cryptography;
using Provenance.Testing;

namespace Provenance.Tests.Cryptography;

/// <summary>Which key files are accepted, which scheme they get, and the code of every refusal.</summary>
public sealed class VerificationKeyParseTests
{
    private static readonly byte[] Data = "provenance"u8.ToArray();

    [Theory]
    [InlineData("ecdsa-p256-sha256", "ecdsa-p256-sha256")]
    [InlineData("ecdsa-p384-sha384", "ecdsa-p384-sha384")]
    [InlineData("ecdsa-p521-sha512", "ecdsa-p521-sha512")]
    [InlineData("rsa-pkcs1v15-sha256", "rsa-pkcs1v15-sha256")]
    [InlineData("rsa-pss-sha256", "rsa-pkcs1v15-sha256")] // a plain RSA key says nothing about padding
    [InlineData("ed25519", "ed25519")]
    public void Without_a_key_algorithm_the_key_type_decides(string signerAlgorithm, string expected)
    {
        using var signer = TestSigner.Create(signerAlgorithm);

        Assert.Equal(expected, VerificationKey.Parse(signer.PublicKeyDer).Algorithm);
    }

    [Theory]
    [InlineData("ecdsa-p256-sha256", "ECDSA-P256-SHA256", "ecdsa-p256-sha256")]
    [InlineData("ecdsa-p256-sha256", "PKIX_ECDSA_P256_SHA_256", "ecdsa-p256-sha256")]
    [InlineData("ecdsa-p384-sha384", "PKIX_ECDSA_P384_SHA_384", "ecdsa-p384-sha384")]
    [InlineData("ecdsa-p521-sha512", "pkix_ecdsa_p521_sha_512", "ecdsa-p521-sha512")]
    [InlineData("rsa-pkcs1v15-sha256", "PKIX_RSA_PKCS1V15_2048_SHA256", "rsa-pkcs1v15-sha256")]
    [InlineData("rsa-pss-sha256", "PKIX_RSA_PSS_2048_SHA256", "rsa-pss-sha256")]
    [InlineData("ed25519", "PKIX_ED25519", "ed25519")]
    public void Sigstore_and_differently_cased_names_are_accepted(string signerAlgorithm, string keyAlgorithm, string expected)
    {
        using var signer = TestSigner.Create(signerAlgorithm);

        var key = VerificationKey.Parse(signer.PublicKeyDer, keyAlgorithm);

        Assert.Equal(expected, key.Algorithm);
        Assert.True(key.Verify(Data, signer.Sign(Data)));
    }

    [Theory]
    [InlineData("ecdsa-p256-sha256", "ed25519")]
    [InlineData("ecdsa-p256-sha256", "ecdsa-p384-sha384")]
    [InlineData("ecdsa-p256-sha256", "rsa-pkcs1v15-sha256")]
    [InlineData("ecdsa-p384-sha384", "PKIX_ECDSA_P256_SHA_256")]
    [InlineData("rsa-pkcs1v15-sha256", "ecdsa-p256-sha256")]
    [InlineData("rsa-pkcs1v15-sha256", "PKIX_RSA_PKCS1V15_4096_SHA256")] // the key has 2048 bits
    [InlineData("ed25519", "ecdsa-p256-sha256")]
    [InlineData("ed25519", "no-such-algorithm")]
    [InlineData("ed25519", "PKIX_ED25519_PH")]
    public void A_key_algorithm_that_contradicts_the_key_is_a_problem(string signerAlgorithm, string keyAlgorithm)
    {
        using var signer = TestSigner.Create(signerAlgorithm);

        AssertRefused(signer.PublicKeyDer, keyAlgorithm, DiagnosticCode.UnsupportedKeyAlgorithm);
    }

    [Fact]
    public void A_pkcs1_signature_does_not_verify_as_pss_or_the_reverse()
    {
        using var pkcs1 = TestSigner.Create("rsa-pkcs1v15-sha256");
        using var pss = TestSigner.Create("rsa-pss-sha256");

        Assert.False(VerificationKey.Parse(pkcs1.PublicKeyDer, "rsa-pss-sha256").Verify(Data, pkcs1.Sign(Data)));
        Assert.False(VerificationKey.Parse(pss.PublicKeyDer, "rsa-pkcs1v15-sha256").Verify(Data, pss.Sign(Data)));
        Assert.False(VerificationKey.Parse(pkcs1.PublicKeyDer, "rsa-pkcs1v15-sha512").Verify(Data, pkcs1.Sign(Data)));
    }

    [Theory]
    [InlineData("rsa-pss-sha256")]
    [InlineData("rsa-pss-sha384")]
    [InlineData("rsa-pss-sha512")]
    public void An_id_RSASSA_PSS_key_takes_its_hash_from_its_parameters(string algorithm)
    {
        using var signer = TestSigner.Create(algorithm);
        var der = signer.ExportRsaPssPublicKeyDer();

        var key = VerificationKey.Parse(der);

        Assert.Equal(algorithm, key.Algorithm);
        Assert.True(key.Verify(Data, signer.Sign(Data)));
        Assert.Equal(der, key.SubjectPublicKeyInfo.ToArray());
        AssertRefused(der, "rsa-pkcs1v15-sha256", DiagnosticCode.UnsupportedKeyAlgorithm);
        AssertRefused(der, algorithm == "rsa-pss-sha256" ? "rsa-pss-sha512" : "rsa-pss-sha256", DiagnosticCode.UnsupportedKeyAlgorithm);
    }

    [Fact]
    public void An_id_RSASSA_PSS_key_without_parameters_defaults_to_sha256_and_takes_any_pss_hash()
    {
        using var sha256 = TestSigner.Create("rsa-pss-sha256");
        using var sha512 = TestSigner.Create("rsa-pss-sha512");

        Assert.Equal("rsa-pss-sha256", VerificationKey.Parse(sha256.ExportRsaPssPublicKeyDer(restrictToHash: false)).Algorithm);
        var key = VerificationKey.Parse(sha512.ExportRsaPssPublicKeyDer(restrictToHash: false), "rsa-pss-sha512");
        Assert.True(key.Verify(Data, sha512.Sign(Data)));
        AssertRefused(sha512.ExportRsaPssPublicKeyDer(restrictToHash: false), "rsa-pkcs1v15-sha512", DiagnosticCode.UnsupportedKeyAlgorithm);
    }

    [Fact]
    public void An_RSA_PUBLIC_KEY_pem_is_the_same_key_as_its_spki()
    {
        using var rsa = RSA.Create(2048);
        var pkcs1Pem = Encoding.ASCII.GetBytes(rsa.ExportRSAPublicKeyPem());

        var key = VerificationKey.Parse(pkcs1Pem);

        Assert.Equal(rsa.ExportSubjectPublicKeyInfo(), key.SubjectPublicKeyInfo.ToArray());
        Assert.True(key.Verify(Data, rsa.SignData(Data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)));
    }

    [Fact]
    public void Whitespace_around_a_pem_block_is_tolerated()
    {
        using var signer = TestSigner.Create("ecdsa-p256-sha256");

        var key = VerificationKey.Parse(Encoding.ASCII.GetBytes("\n\n  " + signer.PublicKeyPem.Replace("\n", "\r\n", StringComparison.Ordinal) + "\r\n\t\n"));

        Assert.Equal(signer.PublicKeyDer, key.SubjectPublicKeyInfo.ToArray());
    }

    [Fact]
    public void Der_ending_in_a_whitespace_byte_is_read_whole()
    {
        // Regression: trimming "whitespace" off binary input cut such keys short, for about one key in 40.
        var der = Enumerable.Range(0, 1000)
            .Select(_ => ECDsa.Create(ECCurve.NamedCurves.nistP256))
            .Select(ecdsa => { using (ecdsa) { return ecdsa.ExportSubjectPublicKeyInfo(); } })
            .First(spki => spki[^1] is (byte)' ' or (byte)'\n' or (byte)'\t' or (byte)'\r');

        Assert.Equal(der, VerificationKey.Parse(der).SubjectPublicKeyInfo.ToArray());
    }

    [Fact]
    public void Malformed_and_foreign_pem_is_an_invalid_key()
    {
        using var signer = TestSigner.Create("ecdsa-p256-sha256");
        var pem = signer.PublicKeyPem;
        var lines = pem.Split('\n');

        AssertRefused(pem.Replace("-----END PUBLIC KEY-----", "", StringComparison.Ordinal), null, DiagnosticCode.InvalidKey);
        AssertRefused(pem.Replace(lines[1], "!!!!" + lines[1][4..], StringComparison.Ordinal), null, DiagnosticCode.InvalidKey);
        AssertRefused(pem + "\n" + pem, null, DiagnosticCode.InvalidKey);
        AssertRefused(pem + "\ntrailing words", null, DiagnosticCode.InvalidKey);
        AssertRefused(pem.Replace("PUBLIC KEY", "EC PARAMETERS", StringComparison.Ordinal), null, DiagnosticCode.InvalidKey);
        AssertRefused("-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----", null, DiagnosticCode.InvalidKey);
        AssertRefused("-----BEGIN PUBLIC KEY-----\nwA==\n-----END PUBLIC KEY-----", null, DiagnosticCode.InvalidKey);
        AssertRefused("   \n", null, DiagnosticCode.InvalidKey);
        AssertRefused("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINdamAGCsQq31Uv+08lkBzoO4XLz2qYjJa8CGmj3B1Ea", null, DiagnosticCode.InvalidKey);
    }

    [Fact]
    public void A_certificate_is_not_a_key()
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=test", ecdsa, HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddYears(1));

        AssertRefused(certificate.ExportCertificatePem(), null, DiagnosticCode.InvalidKey);
        AssertRefused(certificate.RawData, null, DiagnosticCode.InvalidKey);
    }

    [Fact]
    public void Der_that_is_not_exactly_one_spki_is_an_invalid_key()
    {
        using var signer = TestSigner.Create("ecdsa-p256-sha256");

        AssertRefused([.. signer.PublicKeyDer, 0x00], null, DiagnosticCode.InvalidKey);
        AssertRefused(signer.PublicKeyDer[..^1], null, DiagnosticCode.InvalidKey);
        AssertRefused([0x30, 0x00], null, DiagnosticCode.InvalidKey);
        AssertRefused([0x01, 0x02, 0x03], null, DiagnosticCode.InvalidKey);
    }

    [Fact]
    public void A_key_file_over_the_limit_is_refused_before_parsing()
    {
        var huge = new byte[Limits.MaxKeyFileBytes + 1];
        huge.AsSpan().Fill((byte)' ');

        AssertRefused(huge, null, DiagnosticCode.InputTooLarge);
    }

    [Theory]
    [InlineData(1024)]
    [InlineData(1536)]
    public void Rsa_keys_under_2048_bits_are_unsupported(int bits)
    {
        using var rsa = RSA.Create(bits);

        AssertRefused(rsa.ExportSubjectPublicKeyInfo(), null, DiagnosticCode.UnsupportedKeyAlgorithm);
    }

    [Fact]
    public void Keys_on_other_curves_are_unsupported()
    {
        // secp256k1 (SEC 2 section 2.4.1); created through OpenSSL, which every supported Linux has.
        using var ecdsa = ECDsa.Create(ECCurve.CreateFromValue("1.3.132.0.10"));

        AssertRefused(ecdsa.ExportSubjectPublicKeyInfo(), null, DiagnosticCode.UnsupportedKeyAlgorithm);
    }

    [Fact]
    public void Explicit_curve_parameters_are_unsupported()
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var parameters = ecdsa.ExportExplicitParameters(false);
        using var explicitKey = ECDsa.Create(parameters);

        AssertRefused(explicitKey.ExportSubjectPublicKeyInfo(), null, DiagnosticCode.UnsupportedKeyAlgorithm);
    }

    [Fact]
    public void A_point_off_the_curve_or_compressed_is_an_invalid_key()
    {
        using var signer = TestSigner.Create("ecdsa-p256-sha256");
        var offCurve = (byte[])signer.PublicKeyDer.Clone();
        offCurve[^1] ^= 0x01;
        var point = signer.PublicKeyDer[^65..];
        var compressed = Spki("1.2.840.10045.2.1", "1.2.840.10045.3.1.7", [(byte)(2 + (point[^1] & 1)), .. point[1..33]]);

        AssertRefused(offCurve, null, DiagnosticCode.InvalidKey);
        AssertRefused(compressed, null, DiagnosticCode.InvalidKey);
    }

    [Fact]
    public void Unknown_key_types_are_unsupported()
    {
        // X25519 (RFC 8410) is a key-agreement key, not a signing key.
        var x25519 = Spki("1.3.101.110", null, new byte[32]);

        AssertRefused(x25519, null, DiagnosticCode.UnsupportedKeyAlgorithm);
    }

    [Fact]
    public void Parse_throws_a_format_exception_carrying_the_code()
    {
        var exception = Assert.Throws<FormatException>(() => VerificationKey.Parse("nonsense"u8));

        Assert.StartsWith(DiagnosticCode.InvalidKey.Format(), exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Strictly_der_encoded_ecdsa_signatures_only()
    {
        using var signer = TestSigner.Create("ecdsa-p256-sha256");
        var key = VerificationKey.Parse(signer.PublicKeyDer);
        var der = signer.Sign(Data);
        var (r, s) = ReadRs(der);

        Assert.True(key.Verify(Data, EncodeRs(r, s)));
        // Each variant below is accepted by lenient BER parsers; accepting them would make signatures malleable.
        Assert.False(key.Verify(Data, [0x30, 0x81, (byte)(der.Length - 2), .. der[2..]]));
        Assert.False(key.Verify(Data, EncodeRs([0x00, 0x00, .. r.TrimStart((byte)0)], s)));
        Assert.False(key.Verify(Data, [.. der, 0x00]));
        Assert.False(key.Verify(Data, EncodeRs(r, s, extra: [0x02, 0x01, 0x00])));
        Assert.False(key.Verify(Data, EncodeRs([0x80, .. new byte[31]], s)));
    }

    private static (byte[] R, byte[] S) ReadRs(byte[] der)
    {
        var sequence = new AsnReader(der, AsnEncodingRules.DER).ReadSequence();
        return (sequence.ReadIntegerBytes().ToArray(), sequence.ReadIntegerBytes().ToArray());
    }

    // Writes content octets as given, so tests can build encodings a DER writer would refuse.
    private static byte[] EncodeRs(byte[] r, byte[] s, byte[]? extra = null)
    {
        byte[] content = [0x02, (byte)r.Length, .. r, 0x02, (byte)s.Length, .. s, .. extra ?? []];
        return [0x30, (byte)content.Length, .. content];
    }

    private static byte[] Spki(string algorithmOid, string? parameterOid, byte[] key)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            using (writer.PushSequence())
            {
                writer.WriteObjectIdentifier(algorithmOid);
                if (parameterOid is not null)
                {
                    writer.WriteObjectIdentifier(parameterOid);
                }
            }

            writer.WriteBitString(key);
        }

        return writer.Encode();
    }

    private static void AssertRefused(string pem, string? keyAlgorithm, DiagnosticCode expected) =>
        AssertRefused(Encoding.ASCII.GetBytes(pem), keyAlgorithm, expected);

    private static void AssertRefused(byte[] input, string? keyAlgorithm, DiagnosticCode expected)
    {
        Assert.False(VerificationKey.TryParse(input, keyAlgorithm, out var key, out var problem));
        Assert.Null(key);
        Assert.Equal(expected, problem.Code);
    }
}
