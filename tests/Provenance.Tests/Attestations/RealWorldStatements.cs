using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Provenance.Attestations;

namespace Provenance.Tests.Attestations;

/// <summary>
/// Reads the real attestations under testdata/realworld (see testdata/NOTICE). Signed files are DSSE envelopes,
/// Sigstore bundles or JSON documents holding them; their statements are the base64 <c>payload</c> of each
/// envelope, found here by a plain walk so these tests do not depend on the envelope parser.
/// </summary>
internal static class RealWorldStatements
{
    public static byte[] Bytes(string relative) => File.ReadAllBytes(Provenance.Testing.TestData.RealWorld(relative));

    /// <summary>The decoded payload of every envelope in the file, in document order (JSON Lines read line by line).</summary>
    public static IReadOnlyList<byte[]> Payloads(string relative)
    {
        var text = Encoding.UTF8.GetString(Bytes(relative));
        var documents = relative.EndsWith(".jsonl", StringComparison.Ordinal)
            ? text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : [text];
        var payloads = new List<byte[]>();
        foreach (var document in documents)
        {
            using var json = JsonDocument.Parse(document);
            Collect(json.RootElement, payloads);
        }

        return payloads;
    }

    /// <summary>The statement in the <paramref name="index"/>th envelope of a signed file.</summary>
    public static Statement SignedStatement(string relative, int index = 0) => Statement.Parse(Payloads(relative)[index]);

    /// <summary>A file that is a plain, unsigned statement.</summary>
    public static Statement PlainStatement(string relative) => Statement.Parse(Bytes(relative));

    /// <summary>The statement of a signed file as an editable tree, for negative tests that change one thing.</summary>
    public static JsonObject SignedStatementNode(string relative, int index = 0) =>
        JsonNode.Parse(Payloads(relative)[index])!.AsObject();

    /// <summary>A plain statement file as an editable tree.</summary>
    public static JsonObject PlainStatementNode(string relative) => JsonNode.Parse(Bytes(relative))!.AsObject();

    public static Statement Parse(JsonNode node) => Statement.Parse(Encoding.UTF8.GetBytes(node.ToJsonString()));

    /// <summary>The code of the problem parsing <paramref name="node"/> raises.</summary>
    public static DiagnosticCode ParseFailure(JsonNode node) =>
        Assert.Throws<InvalidInputException>(() => Parse(node)).Problem.Code;

    private static void Collect(JsonElement element, List<byte[]> payloads)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                if (element.TryGetProperty("payload", out var payload) && payload.ValueKind == JsonValueKind.String
                    && element.TryGetProperty("payloadType", out var type) && type.ValueKind == JsonValueKind.String)
                {
                    payloads.Add(Convert.FromBase64String(payload.GetString()!));
                }

                foreach (var property in element.EnumerateObject())
                {
                    Collect(property.Value, payloads);
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    Collect(item, payloads);
                }

                break;
            default:
                break;
        }
    }
}
