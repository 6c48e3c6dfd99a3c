using System.Buffers.Binary;
using System.Formats.Asn1;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;

namespace Provenance.Testing;

/// <summary>What to put in a leaf minted by <see cref="TestFulcio"/>; each property can be spoiled on its own.</summary>
public sealed record TestLeafOptions
{
    /// <summary>The SAN URI, as GitHub Actions identities are.</summary>
    public string SanUri { get; init; } = "https://github.com/example/repo/.github/workflows/release.yml@refs/heads/main";

    /// <summary>Extra extensions, such as Fulcio's 1.3.6.1.4.1.57264.1.x.</summary>
    public IReadOnlyList<X509Extension> Extensions { get; init; } = [];

    /// <summary>Start of validity; default the CA's start plus one hour.</summary>
    public DateTimeOffset? NotBefore { get; init; }

    /// <summary>Validity length; Fulcio issues ten-minute certificates.</summary>
    public TimeSpan Lifetime { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Include extKeyUsage codeSigning.</summary>
    public bool CodeSigning { get; init; } = true;

    /// <summary>Include keyUsage digitalSignature.</summary>
    public bool DigitalSignature { get; init; } = true;

    /// <summary>Mark the leaf a CA (basicConstraints cA).</summary>
    public bool IsCa { get; init; }

    /// <summary>Embed an SCT from the test CT log (RFC 6962 section 3.3).</summary>
    public bool WithSct { get; init; } = true;

    /// <summary>The SCT's timestamp; default the leaf's notBefore.</summary>
    public DateTimeOffset? SctTime { get; init; }

    /// <summary>Signs the SCT with this CT log key instead of the test CT log's: a log the trusted root may not list.</summary>
    public ECDsa? SctLogKey { get; init; }

    /// <summary>The key to certify, so the caller can sign with it; default a fresh P-256 key thrown away.</summary>
    public ECDsa? SubjectKey { get; init; }

    /// <summary>An email SAN instead of <see cref="SanUri"/>, as Fulcio issues for OIDC email identities.</summary>
    public string? Email { get; init; }
}

/// <summary>
/// A Fulcio-like certificate authority (root and intermediate, ECDSA P-384 as Sigstore's) and a CT log (ECDSA P-256),
/// minted in memory with <see cref="CertificateRequest"/>, with a trusted root naming them. Tests mint good leaves and
/// leaves with one defect each, instead of hand-editing certificates.
/// </summary>
public sealed class TestFulcio : IDisposable
{
    private readonly ECDsa _rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP384);
    private readonly ECDsa _intermediateKey = ECDsa.Create(ECCurve.NamedCurves.nistP384);
    private readonly ECDsa _logKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private int _serial = 1;

    /// <summary>A CA valid for <paramref name="lifetime"/> from <paramref name="start"/> (default 2024-01-01, ten years).</summary>
    public TestFulcio(string name = "Test Fulcio", DateTimeOffset? start = null, TimeSpan? lifetime = null, bool intermediateKeyCertSign = true)
    {
        Start = start ?? new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
        End = Start + (lifetime ?? TimeSpan.FromDays(3650));
        RootName = new X500DistinguishedName($"CN={name} Root, O=provenance.test");
        IntermediateName = new X500DistinguishedName($"CN={name} Intermediate, O=provenance.test");
        Root = CreateCa(RootName, _rootKey, RootName, _rootKey, pathLength: 1, keyCertSign: true, codeSigningEku: false);
        Intermediate = CreateCa(IntermediateName, _intermediateKey, RootName, _rootKey, pathLength: 0, intermediateKeyCertSign, codeSigningEku: true);
        LogSubjectPublicKeyInfo = _logKey.ExportSubjectPublicKeyInfo();
    }

    /// <summary>The start of the CA's validity.</summary>
    public DateTimeOffset Start { get; }

    /// <summary>The end of the CA's validity.</summary>
    public DateTimeOffset End { get; }

    /// <summary>The root's name.</summary>
    public X500DistinguishedName RootName { get; }

    /// <summary>The intermediate's name, the issuer of leaves.</summary>
    public X500DistinguishedName IntermediateName { get; }

    /// <summary>The root certificate, DER.</summary>
    public byte[] Root { get; }

    /// <summary>The intermediate certificate, DER.</summary>
    public byte[] Intermediate { get; }

    /// <summary>The CT log's key, DER SubjectPublicKeyInfo.</summary>
    public byte[] LogSubjectPublicKeyInfo { get; }

    /// <summary>Mints a leaf issued by the intermediate.</summary>
    public byte[] IssueLeaf(TestLeafOptions? options = null) => IssueLeaf(options ?? new TestLeafOptions(), IntermediateName, _intermediateKey);

    /// <summary>A trusted root (protobuf-specs JSON) trusting this CA and CT log, or only some of them.</summary>
    public byte[] TrustedRootJson(DateTimeOffset? caValidFrom = null, DateTimeOffset? caValidTo = null, bool includeIntermediate = true,
        byte[]? logKey = null) =>
        TrustedRootDocument.Write(
            certificateAuthorities: [CertificateAuthorityJson(caValidFrom, caValidTo, includeIntermediate)],
            certificateTransparencyLogs: [CtLogJson(logKey)]);

    /// <summary>This CA as a trusted root's certificateAuthorities lists it, trusted from <paramref name="validFrom"/> (default its start).</summary>
    public JsonObject CertificateAuthorityJson(DateTimeOffset? validFrom = null, DateTimeOffset? validTo = null, bool includeIntermediate = true) =>
        TrustedRootDocument.Authority("https://fulcio.provenance.test", includeIntermediate ? [Intermediate, Root] : [Root], validFrom ?? Start, validTo);

    /// <summary>The CT log as a trusted root's ctlogs lists it, or another key in its place.</summary>
    public JsonObject CtLogJson(byte[]? logKey = null, DateTimeOffset? validFrom = null, DateTimeOffset? validTo = null) =>
        TrustedRootDocument.Log("https://ct.provenance.test", logKey ?? LogSubjectPublicKeyInfo, "PKIX_ECDSA_P256_SHA_256", validFrom ?? Start, validTo);

    /// <summary>A DER UTF8String, the encoding of Fulcio extensions .8 onwards.</summary>
    public static X509Extension FulcioExtension(int arc, string value, bool raw = false)
    {
        byte[] encoded;
        if (raw)
        {
            encoded = System.Text.Encoding.UTF8.GetBytes(value);
        }
        else
        {
            var writer = new AsnWriter(AsnEncodingRules.DER);
            writer.WriteCharacterString(UniversalTagNumber.UTF8String, value);
            encoded = writer.Encode();
        }

        return new X509Extension("1.3.6.1.4.1.57264.1." + arc.ToString(CultureInfo.InvariantCulture), encoded, critical: false);
    }

    /// <summary>Mints a leaf signed by another key under the same issuer name: what an attacker's CA produces.</summary>
    public byte[] IssueLeafFromImpostor(TestLeafOptions? options = null)
    {
        using var impostor = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        return IssueLeaf(options ?? new TestLeafOptions(), IntermediateName, impostor);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _rootKey.Dispose();
        _intermediateKey.Dispose();
        _logKey.Dispose();
    }

    private byte[] CreateCa(X500DistinguishedName subject, ECDsa key, X500DistinguishedName issuer, ECDsa issuerKey, int pathLength,
        bool keyCertSign, bool codeSigningEku)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA384);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, pathLength, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            keyCertSign ? X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign : X509KeyUsageFlags.CrlSign, true));
        if (codeSigningEku)
        {
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.3")], false));
        }

        using var certificate = request.Create(issuer, X509SignatureGenerator.CreateForECDsa(issuerKey), Start, End, NextSerial());
        return certificate.RawData;
    }

    private byte[] IssueLeaf(TestLeafOptions options, X500DistinguishedName issuer, ECDsa issuerKey)
    {
        using var freshKey = options.SubjectKey is null ? ECDsa.Create(ECCurve.NamedCurves.nistP256) : null;
        var key = options.SubjectKey ?? freshKey!;
        var notBefore = options.NotBefore ?? Start.AddHours(1);
        var notAfter = notBefore + options.Lifetime;
        var serial = NextSerial();
        var request = new CertificateRequest(new X500DistinguishedName(""), key, HashAlgorithmName.SHA384);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            options.DigitalSignature ? X509KeyUsageFlags.DigitalSignature : X509KeyUsageFlags.KeyEncipherment, true));
        if (options.CodeSigning)
        {
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.3")], false));
        }

        if (options.IsCa)
        {
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        }

        var san = new SubjectAlternativeNameBuilder();
        if (options.Email is { } email)
        {
            san.AddEmailAddress(email);
        }
        else
        {
            san.AddUri(new Uri(options.SanUri));
        }
        request.CertificateExtensions.Add(san.Build(critical: true));
        foreach (var extension in options.Extensions)
        {
            request.CertificateExtensions.Add(extension);
        }

        var generator = X509SignatureGenerator.CreateForECDsa(issuerKey);
        using var precertificate = request.Create(issuer, generator, notBefore, notAfter, serial);
        if (!options.WithSct)
        {
            return precertificate.RawData;
        }

        // RFC 6962 section 3.2: the log signs the TBSCertificate without the SCT extension, which is then added last,
        // so removing it again gives back exactly these bytes.
        var sct = SignSct(TbsOf(precertificate.RawData), SHA256.HashData(IssuerSpki(issuerKey)), options.SctTime ?? notBefore, options.SctLogKey ?? _logKey);
        request.CertificateExtensions.Add(new X509Extension("1.3.6.1.4.1.11129.2.4.2", SctListExtension(sct), critical: false));
        using var certificate = request.Create(issuer, generator, notBefore, notAfter, serial);
        return certificate.RawData;
    }

    private static byte[] IssuerSpki(ECDsa issuerKey) => issuerKey.ExportSubjectPublicKeyInfo();

    private static byte[] SignSct(byte[] tbs, byte[] issuerKeyHash, DateTimeOffset time, ECDsa logKey)
    {
        var timestamp = (ulong)time.ToUnixTimeMilliseconds();
        var signed = new List<byte> { 0, 0 };
        signed.AddRange(BigEndian(timestamp, 8));
        signed.AddRange(BigEndian(1, 2));
        signed.AddRange(issuerKeyHash);
        signed.AddRange(BigEndian((ulong)tbs.Length, 3));
        signed.AddRange(tbs);
        signed.AddRange(BigEndian(0, 2));
        var signature = logKey.SignData([.. signed], HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);

        var sct = new List<byte> { 0 };
        sct.AddRange(SHA256.HashData(logKey.ExportSubjectPublicKeyInfo()));
        sct.AddRange(BigEndian(timestamp, 8));
        sct.AddRange(BigEndian(0, 2));
        sct.AddRange([4, 3]);
        sct.AddRange(BigEndian((ulong)signature.Length, 2));
        sct.AddRange(signature);
        return [.. sct];
    }

    private static byte[] SctListExtension(byte[] sct)
    {
        var list = new List<byte>();
        list.AddRange(BigEndian((ulong)sct.Length + 2, 2));
        list.AddRange(BigEndian((ulong)sct.Length, 2));
        list.AddRange(sct);
        var writer = new AsnWriter(AsnEncodingRules.DER);
        writer.WriteOctetString([.. list]);
        return writer.Encode();
    }

    /// <summary>The TBSCertificate of a DER certificate (RFC 5280 section 4.1).</summary>
    public static byte[] TbsOf(byte[] certificate) =>
        new AsnReader(certificate, AsnEncodingRules.DER).ReadSequence().ReadEncodedValue().ToArray();

    private static byte[] BigEndian(ulong value, int bytes)
    {
        var buffer = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(buffer, value);
        return buffer[(8 - bytes)..];
    }

    private byte[] NextSerial() => [0x01, (byte)_serial++];
}
