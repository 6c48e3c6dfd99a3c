using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using Provenance.Cryptography;
using Provenance.Json;

namespace Provenance.Sigstore;

/// <summary>
/// A time window from the trusted root (protobuf-specs TimeRange). The end is inclusive; a missing end means
/// "still valid". A missing start is an error when reading, never "valid since forever".
/// </summary>
public sealed record ValidityPeriod(DateTimeOffset Start, DateTimeOffset? End)
{
    /// <summary>True when <paramref name="time"/> is within the window, both ends included.</summary>
    public bool Contains(DateTimeOffset time) => time >= Start && (End is not { } end || time <= end);

    internal static ValidityPeriod Parse(JsonElement element, string path)
    {
        StrictJson.RequireObject(element, path);
        if (StrictJson.Optional(element, "start") is null)
        {
            throw InvalidInputException.At(DiagnosticCode.MissingField, path,
                "the validity window has no start; a trusted root must say from when each key is valid");
        }

        var start = ParseTime(StrictJson.RequiredString(element, "start", path), StrictJson.Child(path, "start"));
        var end = StrictJson.OptionalString(element, "end", path) is { } text ? ParseTime(text, StrictJson.Child(path, "end")) : (DateTimeOffset?)null;
        if (end < start)
        {
            throw InvalidInputException.At(DiagnosticCode.InvalidField, path, "the validity window ends before it starts");
        }

        return new ValidityPeriod(start, end);
    }

    private static DateTimeOffset ParseTime(string text, string path) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)
        && text.EndsWith('Z')
            ? time
            : throw InvalidInputException.At(DiagnosticCode.InvalidField, path, "not an RFC 3339 UTC time such as 2024-01-01T00:00:00Z");
}

/// <summary>A transparency log (Rekor) or certificate transparency log from the trusted root.</summary>
/// <param name="BaseUrl">Where the log lives.</param>
/// <param name="LogId">The log's identifier: the SHA-256 of its public key (Rekor v1, RFC 6962), or as the root states it.</param>
/// <param name="Key">The log's public key; null when its type is not supported, so nothing from that log can verify.</param>
/// <param name="ValidFor">When the log's key may be used.</param>
/// <param name="KeyDetails">The key type as the trusted root names it.</param>
public sealed record TransparencyLogInstance(string BaseUrl, ReadOnlyMemory<byte> LogId, VerificationKey? Key, ValidityPeriod ValidFor, string KeyDetails);

/// <summary>A certificate authority (Fulcio) or timestamp authority from the trusted root.</summary>
/// <param name="Uri">The authority's URI.</param>
/// <param name="Certificates">DER certificates, from the issuing certificate up to the root, as the trusted root lists them.</param>
/// <param name="ValidFor">When certificates from this authority may be trusted.</param>
public sealed record CertificateAuthority(string Uri, ImmutableArray<ReadOnlyMemory<byte>> Certificates, ValidityPeriod ValidFor);

/// <summary>
/// Sigstore trust material (protobuf-specs trustroot.proto, media type
/// <c>application/vnd.dev.sigstore.trustedroot+json;version=0.1</c>): the only source of trust for keyless
/// verification. Nothing a bundle carries is trusted unless it chains to something here.
/// </summary>
public sealed class TrustedRoot
{
    /// <summary>The trusted root media type this reader knows.</summary>
    public const string MediaTypeV01 = "application/vnd.dev.sigstore.trustedroot+json;version=0.1";

    private TrustedRoot(
        ImmutableArray<CertificateAuthority> certificateAuthorities,
        ImmutableArray<TransparencyLogInstance> transparencyLogs,
        ImmutableArray<TransparencyLogInstance> certificateTransparencyLogs,
        ImmutableArray<CertificateAuthority> timestampAuthorities)
    {
        CertificateAuthorities = certificateAuthorities;
        TransparencyLogs = transparencyLogs;
        CertificateTransparencyLogs = certificateTransparencyLogs;
        TimestampAuthorities = timestampAuthorities;
        Parsed = new ParsedTrustMaterial(this);
    }

    /// <summary>The certificates and keys of this root's authorities, parsed once: a verifier checks many bundles against one root.</summary>
    internal ParsedTrustMaterial Parsed { get; }

    /// <summary>Fulcio certificate authorities.</summary>
    public ImmutableArray<CertificateAuthority> CertificateAuthorities { get; }

    /// <summary>Rekor transparency logs.</summary>
    public ImmutableArray<TransparencyLogInstance> TransparencyLogs { get; }

    /// <summary>Certificate transparency logs (for SCTs).</summary>
    public ImmutableArray<TransparencyLogInstance> CertificateTransparencyLogs { get; }

    /// <summary>RFC 3161 timestamp authorities.</summary>
    public ImmutableArray<CertificateAuthority> TimestampAuthorities { get; }

    private static readonly Lazy<TrustedRoot> PublicGoodRoot = new(() =>
    {
        using var stream = typeof(TrustedRoot).Assembly.GetManifestResourceStream("Provenance.TrustedRoots.public-good.json")
            ?? throw new InvalidOperationException("The embedded public-good trusted root is missing from the assembly.");
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return Parse(buffer.ToArray());
    });

    /// <summary>
    /// The Sigstore public-good instance's trusted root, as embedded in this version (a pinned copy of the
    /// trusted_root.json target of its TUF repository). Parsed once per process.
    /// </summary>
    public static TrustedRoot PublicGood => PublicGoodRoot.Value;

    /// <summary>Reads a trusted root, or says what is wrong with it and where.</summary>
    public static bool TryParse(ReadOnlyMemory<byte> utf8, out TrustedRoot? root, out Problem? problem)
    {
        try
        {
            root = Parse(utf8);
            problem = null;
            return true;
        }
        catch (InvalidInputException e)
        {
            root = null;
            problem = e.Problem;
            return false;
        }
    }

    internal static TrustedRoot Parse(ReadOnlyMemory<byte> utf8)
    {
        using var document = StrictJson.Parse(utf8);
        var root = document.RootElement;
        StrictJson.RequireObject(root, "$");
        var mediaType = StrictJson.RequiredString(root, "mediaType", "$");
        if (mediaType != MediaTypeV01)
        {
            throw InvalidInputException.At(DiagnosticCode.InvalidField, "$.mediaType",
                $"unknown trusted root media type \"{StrictJson.Printable(mediaType)}\" (expected {MediaTypeV01})");
        }

        return new TrustedRoot(
            ReadAuthorities(root, "certificateAuthorities", "certificate_authorities"),
            ReadLogs(root, "tlogs", "tlogs"),
            ReadLogs(root, "ctlogs", "ctlogs"),
            ReadAuthorities(root, "timestampAuthorities", "timestamp_authorities"));
    }

    private static ImmutableArray<TransparencyLogInstance> ReadLogs(JsonElement root, string camel, string proto)
    {
        if (ProtoJson.Optional(root, camel, proto, "$") is not { } list)
        {
            return [];
        }

        var path = "$." + camel;
        StrictJson.AsArray(list, path, Limits.MaxTrustedRootEntries, DiagnosticCode.InvalidField);
        var result = ImmutableArray.CreateBuilder<TransparencyLogInstance>();
        var index = 0;
        foreach (var log in list.EnumerateArray())
        {
            var logPath = StrictJson.Index(path, index++);
            var baseUrl = ProtoJson.Optional(log, "baseUrl", "base_url", logPath) is { } url ? StrictJson.AsString(url, logPath + ".baseUrl") : "";
            var keyPath = StrictJson.Child(logPath, "publicKey");
            var publicKey = ProtoJson.Required(log, "publicKey", "public_key", logPath);
            var raw = ProtoJson.RequiredBytes(publicKey, "rawBytes", "raw_bytes", keyPath, Limits.MaxCertificateBytes);
            var details = ProtoJson.Optional(publicKey, "keyDetails", "key_details", keyPath) is { } d
                ? StrictJson.AsString(d, keyPath + ".keyDetails")
                : "";
            var validFor = ValidityPeriod.Parse(ProtoJson.Required(publicKey, "validFor", "valid_for", keyPath), keyPath + ".validFor");
            var logId = ProtoJson.RequiredBytes(ProtoJson.Required(log, "logId", "log_id", logPath), "keyId", "key_id", logPath + ".logId", 64);

            // A key this verifier cannot use makes its log unusable, not the whole root: entries from that log fail.
            VerificationKey.TryParse(raw, KeyAlgorithmFor(details), out var key, out _);
            result.Add(new TransparencyLogInstance(baseUrl, logId, key, validFor, details));
        }

        return result.ToImmutable();
    }

    /// <summary>The trusted root's key details name the algorithm; the key parser checks it against the key itself.</summary>
    private static string? KeyAlgorithmFor(string keyDetails) => keyDetails.Length == 0 ? null : keyDetails;

    private static ImmutableArray<CertificateAuthority> ReadAuthorities(JsonElement root, string camel, string proto)
    {
        if (ProtoJson.Optional(root, camel, proto, "$") is not { } list)
        {
            return [];
        }

        var path = "$." + camel;
        StrictJson.AsArray(list, path, Limits.MaxTrustedRootEntries, DiagnosticCode.InvalidField);
        var result = ImmutableArray.CreateBuilder<CertificateAuthority>();
        var index = 0;
        foreach (var authority in list.EnumerateArray())
        {
            var authorityPath = StrictJson.Index(path, index++);
            var uri = StrictJson.OptionalString(authority, "uri", authorityPath) ?? "";
            var chainPath = StrictJson.Child(authorityPath, "certChain");
            var chain = ProtoJson.Required(authority, "certChain", "cert_chain", authorityPath);
            var certificates = ProtoJson.ReadCertificateChain(chain, chainPath);
            var validFor = ValidityPeriod.Parse(ProtoJson.Required(authority, "validFor", "valid_for", authorityPath), authorityPath + ".validFor");
            result.Add(new CertificateAuthority(uri, certificates, validFor));
        }

        return result.ToImmutable();
    }

    /// <summary>The transparency log with this id, if the root trusts one.</summary>
    public TransparencyLogInstance? FindTransparencyLog(ReadOnlySpan<byte> logId) => Find(TransparencyLogs, logId);

    /// <summary>The certificate transparency log with this id, if the root trusts one.</summary>
    public TransparencyLogInstance? FindCertificateTransparencyLog(ReadOnlySpan<byte> logId) => Find(CertificateTransparencyLogs, logId);

    private static TransparencyLogInstance? Find(ImmutableArray<TransparencyLogInstance> logs, ReadOnlySpan<byte> logId)
    {
        foreach (var log in logs)
        {
            if (log.LogId.Span.SequenceEqual(logId))
            {
                return log;
            }
        }

        return null;
    }
}

/// <summary>
/// What every verification against one <see cref="TrustedRoot"/> would otherwise redo: its certificate and timestamp
/// authorities' certificates parsed, their keys imported and, for certificate authorities, their chains checked.
/// Built on first use; the root is immutable, so nothing here goes stale.
/// </summary>
internal sealed class ParsedTrustMaterial
{
    private readonly Lazy<ImmutableArray<TrustedCertificateAuthority>> _certificateAuthorities;
    private readonly Lazy<ImmutableArray<ParsedTimestampAuthority>> _timestampAuthorities;

    public ParsedTrustMaterial(TrustedRoot root)
    {
        _certificateAuthorities = new(() => [.. root.CertificateAuthorities.Select(TrustedCertificateAuthority.Create)]);
        _timestampAuthorities = new(() => [.. root.TimestampAuthorities.Select(ParsedTimestampAuthority.Create)]);
    }

    /// <summary>The Fulcio certificate authorities, in the root's order.</summary>
    public ImmutableArray<TrustedCertificateAuthority> CertificateAuthorities => _certificateAuthorities.Value;

    /// <summary>The RFC 3161 timestamp authorities, in the root's order.</summary>
    public ImmutableArray<ParsedTimestampAuthority> TimestampAuthorities => _timestampAuthorities.Value;
}
