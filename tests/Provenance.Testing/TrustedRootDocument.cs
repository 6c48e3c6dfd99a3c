using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Provenance.Testing;

/// <summary>
/// Writes trusted roots in the protobuf-specs JSON form (trustroot.proto, media type version 0.1) that
/// <c>TrustedRoot</c> parses: one place for the field names, so every minted root spells them alike.
/// </summary>
public static class TrustedRootDocument
{
    /// <summary>The trusted root media type.</summary>
    public const string MediaType = "application/vnd.dev.sigstore.trustedroot+json;version=0.1";

    /// <summary>A certificate or timestamp authority: its chain (issuing certificate first, root last) and window.</summary>
    public static JsonObject Authority(string uri, IEnumerable<byte[]> certificates, DateTimeOffset start, DateTimeOffset? end = null) => new()
    {
        ["uri"] = uri,
        ["certChain"] = new JsonObject
        {
            ["certificates"] = new JsonArray([.. certificates.Select(c => (JsonNode)new JsonObject { ["rawBytes"] = Convert.ToBase64String(c) })]),
        },
        ["validFor"] = Window(start, end),
    };

    /// <summary>A transparency or CT log, its id the SHA-256 of its DER SubjectPublicKeyInfo (RFC 6962 section 3.2).</summary>
    public static JsonObject Log(string baseUrl, byte[] subjectPublicKeyInfo, string keyDetails, DateTimeOffset start, DateTimeOffset? end = null) => new()
    {
        ["baseUrl"] = baseUrl,
        ["hashAlgorithm"] = "SHA2_256",
        ["publicKey"] = new JsonObject
        {
            ["rawBytes"] = Convert.ToBase64String(subjectPublicKeyInfo),
            ["keyDetails"] = keyDetails,
            ["validFor"] = Window(start, end),
        },
        ["logId"] = new JsonObject { ["keyId"] = Convert.ToBase64String(SHA256.HashData(subjectPublicKeyInfo)) },
    };

    /// <summary>The root document, UTF-8; empty lists are left out.</summary>
    public static byte[] Write(
        IEnumerable<JsonObject>? certificateAuthorities = null,
        IEnumerable<JsonObject>? transparencyLogs = null,
        IEnumerable<JsonObject>? certificateTransparencyLogs = null,
        IEnumerable<JsonObject>? timestampAuthorities = null)
    {
        var root = new JsonObject { ["mediaType"] = MediaType };
        Add(root, "tlogs", transparencyLogs);
        Add(root, "certificateAuthorities", certificateAuthorities);
        Add(root, "ctlogs", certificateTransparencyLogs);
        Add(root, "timestampAuthorities", timestampAuthorities);
        return Encoding.UTF8.GetBytes(root.ToJsonString());
    }

    /// <summary>A time as protobuf's Timestamp JSON (RFC 3339, UTC, whole seconds).</summary>
    public static string Rfc3339(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static JsonObject Window(DateTimeOffset start, DateTimeOffset? end)
    {
        var window = new JsonObject { ["start"] = Rfc3339(start) };
        if (end is { } e)
        {
            window["end"] = Rfc3339(e);
        }

        return window;
    }

    private static void Add(JsonObject root, string name, IEnumerable<JsonObject>? items)
    {
        if (items?.ToList() is { Count: > 0 } list)
        {
            root[name] = new JsonArray([.. list]);
        }
    }
}
