using System.Collections.Immutable;
using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;

namespace Provenance.Testing;

/// <summary>How a test timestamp authority's signing certificate is made; the default is what RFC 3161 section 2.3 asks for.</summary>
public enum TimestampingUsage
{
    /// <summary>One critical extended key usage extension naming id-kp-timeStamping alone.</summary>
    Critical,
    /// <summary>id-kp-timeStamping, but the extension is not critical.</summary>
    NotCritical,
    /// <summary>No extended key usage extension at all.</summary>
    Absent,
    /// <summary>A critical extension naming code signing instead.</summary>
    CodeSigningOnly,
}

/// <summary>Knobs for one minted timestamp; each test turns one of them to make one defect.</summary>
public sealed record TimestampOptions
{
    /// <summary>The hash the message imprint is made with.</summary>
    public HashAlgorithmName Hash { get; init; } = HashAlgorithmName.SHA256;

    /// <summary>Names this hash algorithm in the imprint instead of <see cref="Hash"/>'s (the imprint stays <see cref="Hash"/>'s).</summary>
    public string? HashOidOverride { get; init; }

    /// <summary>Embeds the signing certificate in the token (RFC 3161 certReq).</summary>
    public bool EmbedCertificate { get; init; } = true;

    /// <summary>Signs with this certificate (with its private key) instead of the authority's leaf.</summary>
    public X509Certificate2? SignWith { get; init; }

    /// <summary>Names this certificate in the ESSCertIDv2 attribute instead of the signer's.</summary>
    public X509Certificate2? NameInSigningCertificate { get; init; }

    /// <summary>The PKIStatus of the response (0 granted).</summary>
    public int Status { get; init; }

    /// <summary>Bytes appended after the DER TimeStampResp.</summary>
    public byte[] Trailing { get; init; } = [];
}

/// <summary>
/// An in-memory RFC 3161 timestamp authority: a root CA, an optional intermediate and a timestamping leaf, made
/// with <see cref="CertificateRequest"/>, that mints real TimeStampResp values (TSTInfo written with
/// <see cref="AsnWriter"/>, signed with <see cref="SignedCms"/>) and writes the trusted root that lists it.
/// </summary>
public sealed class TestTimestampAuthority : IDisposable
{
    private const string SigningCertificateV2Oid = "1.2.840.113549.1.9.16.2.47";
    private const string TstInfoOid = "1.2.840.113549.1.9.16.1.4";
    private const string TimestampingOid = "1.3.6.1.5.5.7.3.8";
    private const string CodeSigningOid = "1.3.6.1.5.5.7.3.3";

    private readonly List<IDisposable> _owned = [];
    private long _serial;

    private TestTimestampAuthority(string uri, ImmutableList<X509Certificate2> chain)
    {
        Uri = uri;
        Chain = chain;
    }

    /// <summary>The authority's URI in the trusted root.</summary>
    public string Uri { get; }

    /// <summary>Leaf (with its private key), intermediates, root: the order trusted roots list them in.</summary>
    public ImmutableList<X509Certificate2> Chain { get; }

    /// <summary>The timestamp signing certificate, with its private key.</summary>
    public X509Certificate2 Leaf => Chain[0];

    /// <summary>Makes an authority whose certificates are all valid from <paramref name="notBefore"/> to <paramref name="notAfter"/>.</summary>
    /// <param name="name">Subject common name of the leaf; the root is "<paramref name="name"/> Root". Two authorities
    /// made with one name and <paramref name="leafSerial"/> have leaves with equal issuer and serial number.</param>
    public static TestTimestampAuthority Create(
        string name,
        DateTimeOffset notBefore,
        DateTimeOffset notAfter,
        TimestampingUsage usage = TimestampingUsage.Critical,
        bool leafIsCertificateAuthority = false,
        bool withIntermediate = false,
        byte[]? leafSerial = null)
    {
        var keys = new List<IDisposable>();
        var rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        keys.Add(rootKey);
        var root = Request($"CN={name} Root, O=Provenance tests", rootKey, HashAlgorithmName.SHA384, certificateAuthority: true)
            .CreateSelfSigned(notBefore, notAfter);
        keys.Add(root);

        var issuer = root;
        var chain = new List<X509Certificate2> { root };
        if (withIntermediate)
        {
            var intermediateKey = ECDsa.Create(ECCurve.NamedCurves.nistP384);
            keys.Add(intermediateKey);
            var request = Request($"CN={name} Intermediate, O=Provenance tests", intermediateKey, HashAlgorithmName.SHA384, certificateAuthority: true);
            // Sigstore's "EKU chaining": intermediates of a timestamp authority are restricted to timestamping.
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(TimestampingOid)], critical: false));
            issuer = request.Create(root, notBefore, notAfter, [2]).CopyWithPrivateKey(intermediateKey);
            keys.Add(issuer);
            chain.Insert(0, issuer);
        }

        var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        keys.Add(leafKey);
        var leafRequest = Request($"CN={name}, O=Provenance tests", leafKey, HashAlgorithmName.SHA256, leafIsCertificateAuthority);
        if (usage != TimestampingUsage.Absent)
        {
            var purpose = usage == TimestampingUsage.CodeSigningOnly ? CodeSigningOid : TimestampingOid;
            leafRequest.CertificateExtensions.Add(
                new X509EnhancedKeyUsageExtension([new Oid(purpose)], critical: usage != TimestampingUsage.NotCritical));
        }

        using var leafPublic = leafRequest.Create(issuer, notBefore, notAfter, leafSerial ?? [3]);
        var leaf = leafPublic.CopyWithPrivateKey(leafKey);
        keys.Add(leaf);
        chain.Insert(0, leaf);

        var authority = new TestTimestampAuthority($"https://{name.Replace(' ', '-')}.test/api/v1/timestamp", [.. chain]);
        authority._owned.AddRange(keys);
        return authority;
    }

    private static CertificateRequest Request(string subject, ECDsa key, HashAlgorithmName hash, bool certificateAuthority)
    {
        var request = new CertificateRequest(subject, key, hash);
        if (certificateAuthority)
        {
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        }
        else
        {
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        }

        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request;
    }

    /// <summary>A DER TimeStampResp (RFC 3161 section 2.4.2) over <paramref name="data"/>, made at <paramref name="genTime"/>.</summary>
    public byte[] Timestamp(ReadOnlySpan<byte> data, DateTimeOffset genTime, TimestampOptions? options = null)
    {
        options ??= new TimestampOptions();
        var imprint = CryptographicOperations.HashData(options.Hash, data);
        var hashOid = options.HashOidOverride ?? CryptoConfig.MapNameToOID(options.Hash.Name!)!;

        // TSTInfo, RFC 3161 section 2.4.2: version, policy, messageImprint, serialNumber, genTime.
        var tstInfo = new AsnWriter(AsnEncodingRules.DER);
        using (tstInfo.PushSequence())
        {
            tstInfo.WriteInteger(1);
            tstInfo.WriteObjectIdentifier("1.3.6.1.4.1.57264.2");
            using (tstInfo.PushSequence())
            {
                using (tstInfo.PushSequence())
                {
                    tstInfo.WriteObjectIdentifier(hashOid);
                }

                tstInfo.WriteOctetString(imprint);
            }

            tstInfo.WriteInteger(Interlocked.Increment(ref _serial));
            tstInfo.WriteGeneralizedTime(genTime, omitFractionalSeconds: true);
        }

        var signerCertificate = options.SignWith ?? Leaf;
        var cms = new SignedCms(new ContentInfo(new Oid(TstInfoOid), tstInfo.Encode()), detached: false);
        var signer = new CmsSigner(SubjectIdentifierType.IssuerAndSerialNumber, signerCertificate)
        {
            IncludeOption = options.EmbedCertificate ? X509IncludeOption.EndCertOnly : X509IncludeOption.None,
            DigestAlgorithm = new Oid("2.16.840.1.101.3.4.2.1"),
        };
        signer.SignedAttributes.Add(new AsnEncodedData(SigningCertificateV2Oid,
            SigningCertificateV2(options.NameInSigningCertificate ?? signerCertificate)));
        cms.ComputeSignature(signer, silent: true);

        var response = new AsnWriter(AsnEncodingRules.DER);
        using (response.PushSequence())
        {
            using (response.PushSequence())
            {
                response.WriteInteger(options.Status);
            }

            response.WriteEncodedValue(cms.Encode());
        }

        return [.. response.Encode(), .. options.Trailing];
    }

    /// <summary>SigningCertificateV2 (RFC 5035 section 3) with one ESSCertIDv2 whose hash is SHA-256, the default.</summary>
    private static byte[] SigningCertificateV2(X509Certificate2 certificate)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        using (writer.PushSequence())
        using (writer.PushSequence())
        {
            writer.WriteOctetString(SHA256.HashData(certificate.RawData));
        }

        return writer.Encode();
    }

    /// <summary>A trusted root (protobuf-specs trustroot.proto JSON) listing these authorities and nothing else.</summary>
    public static byte[] TrustedRootJson(params TrustedTimestampAuthority[] authorities) =>
        TrustedRootDocument.Write(timestampAuthorities: authorities.Select(a => a.ToJson()));

    /// <summary>This authority as a trusted root lists it, valid from <paramref name="start"/> (to <paramref name="end"/>).</summary>
    public TrustedTimestampAuthority Trusted(DateTimeOffset start, DateTimeOffset? end = null) => new(Uri, Chain, start, end);

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var owned in _owned)
        {
            owned.Dispose();
        }
    }
}

/// <summary>One entry of a trusted root's timestampAuthorities.</summary>
public sealed record TrustedTimestampAuthority(string Uri, IReadOnlyList<X509Certificate2> Certificates, DateTimeOffset Start, DateTimeOffset? End)
{
    /// <summary>The entry as trustroot.proto's JSON writes it.</summary>
    public System.Text.Json.Nodes.JsonObject ToJson() => TrustedRootDocument.Authority(Uri, Certificates.Select(c => c.RawData), Start, End);
}
