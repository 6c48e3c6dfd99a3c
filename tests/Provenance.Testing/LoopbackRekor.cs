using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Provenance.Testing;

/// <summary>
/// A keyless envelope as the SLSA GitHub generator wrote them up to v2.0.0 (the certificate PEM in
/// <c>signatures[0].cert</c>, no log entry), and its log entry as the Rekor v1 API returns it.
/// </summary>
/// <param name="Envelope">The envelope, one JSON line.</param>
/// <param name="PayloadKey">What Rekor indexes the entry under: <c>sha256:</c> and the hex SHA-256 of the payload.</param>
/// <param name="Uuid">The entry's UUID.</param>
/// <param name="Entry">The entry object as <c>GET /api/v1/log/entries/{uuid}</c> returns it under its UUID.</param>
public sealed record LegacyEnvelope(byte[] Envelope, string PayloadKey, string Uuid, JsonObject Entry)
{
    /// <summary>
    /// Splits a minted bundle (version 0.3, a DSSE envelope and one Rekor v1 entry) into the legacy envelope and
    /// the entry the log would serve: the same bytes and proofs, in the Rekor API's encoding (hex hashes, numbers).
    /// </summary>
    public static LegacyEnvelope FromBundle(string bundleJson)
    {
        var bundle = JsonNode.Parse(bundleJson)!.AsObject();
        var material = bundle["verificationMaterial"]!.AsObject();
        var certificate = Convert.FromBase64String(material["certificate"]!["rawBytes"]!.GetValue<string>());
        var envelope = bundle["dsseEnvelope"]!.DeepClone().AsObject();
        envelope["signatures"]![0]!["cert"] = PemEncoding.WriteString("CERTIFICATE", certificate) + "\n";
        var payload = Convert.FromBase64String(envelope["payload"]!.GetValue<string>());

        var tlog = material["tlogEntries"]!.AsArray();
        var entry = tlog.Count == 0 ? new JsonObject() : ApiEntry(tlog[0]!.AsObject());
        var body = tlog.Count == 0 ? [] : Convert.FromBase64String(tlog[0]!["canonicalizedBody"]!.GetValue<string>());
        var uuid = Convert.ToHexStringLower(SHA256.HashData([0, .. body]));
        return new LegacyEnvelope(Encoding.UTF8.GetBytes(envelope.ToJsonString() + "\n"), "sha256:" + Convert.ToHexStringLower(SHA256.HashData(payload)), uuid, entry);
    }

    private static JsonObject ApiEntry(JsonObject tlog)
    {
        static long Number(JsonNode? node) => long.Parse(node!.GetValue<string>(), CultureInfo.InvariantCulture);
        static string Hex(JsonNode? node) => Convert.ToHexStringLower(Convert.FromBase64String(node!.GetValue<string>()));

        var verification = new JsonObject { ["signedEntryTimestamp"] = tlog["inclusionPromise"]?["signedEntryTimestamp"]?.GetValue<string>() };
        if (tlog["inclusionProof"] is JsonObject proof)
        {
            verification["inclusionProof"] = new JsonObject
            {
                ["checkpoint"] = proof["checkpoint"]?["envelope"]?.GetValue<string>(),
                ["hashes"] = new JsonArray([.. proof["hashes"]!.AsArray().Select(h => (JsonNode)Hex(h))]),
                ["logIndex"] = Number(proof["logIndex"]),
                ["rootHash"] = Hex(proof["rootHash"]),
                ["treeSize"] = Number(proof["treeSize"]),
            };
        }

        return new JsonObject
        {
            ["body"] = tlog["canonicalizedBody"]!.GetValue<string>(),
            ["integratedTime"] = Number(tlog["integratedTime"]),
            ["logID"] = Hex(tlog["logId"]!["keyId"]),
            ["logIndex"] = Number(tlog["logIndex"]),
            ["verification"] = verification,
        };
    }
}

/// <summary>A Rekor v1 API on 127.0.0.1 serving the given entries: the index search by payload key, and entries by UUID.</summary>
public static class LoopbackRekor
{
    /// <summary>Serves <paramref name="envelopes"/>' entries; a search for any other key finds nothing.</summary>
    public static LoopbackHttpServer Serve(params LegacyEnvelope[] envelopes)
    {
        ArgumentNullException.ThrowIfNull(envelopes);
        return LoopbackHttpServer.Start(request =>
        {
            if (request.Method == "POST" && request.Path == "/api/v1/index/retrieve")
            {
                var key = JsonNode.Parse(request.BodyText)?["hash"]?.GetValue<string>();
                var found = envelopes.Where(e => e.PayloadKey == key && e.Entry.Count > 0).Select(e => (JsonNode)e.Uuid);
                return LoopbackResponse.Json(new JsonArray([.. found]).ToJsonString());
            }

            const string Entries = "/api/v1/log/entries/";
            if (request.Method == "GET" && request.Path.StartsWith(Entries, StringComparison.Ordinal)
                && envelopes.FirstOrDefault(e => e.Uuid == request.Path[Entries.Length..]) is { } match)
            {
                return LoopbackResponse.Json(new JsonObject { [match.Uuid] = match.Entry.DeepClone() }.ToJsonString());
            }

            return LoopbackResponse.Json("{\"code\":404,\"message\":\"not found\"}", 404);
        });
    }
}
