using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Provenance.Envelopes;

namespace Provenance.Testing;

/// <summary>Signs bytes: a test key's Sign method, or a deliberately wrong signer.</summary>
public delegate byte[] SignFunction(ReadOnlySpan<byte> data);

/// <summary>
/// Mints real attestations for tests: statements naming real bytes, DSSE envelopes signed over PAE by real keys,
/// and Sigstore bundles around them. Tests then change exactly one thing and expect exactly one failure.
/// </summary>
public static class AttestationFactory
{
    public const string SlsaV1 = "https://slsa.dev/provenance/v1";

    /// <summary>An in-toto v1 statement whose single subject is <paramref name="artifact"/> by its sha256.</summary>
    public static byte[] StatementFor(ReadOnlySpan<byte> artifact, string name = "artifact.bin", string predicateType = SlsaV1)
    {
        var statement = new JsonObject
        {
            ["_type"] = "https://in-toto.io/Statement/v1",
            ["subject"] = new JsonArray(new JsonObject
            {
                ["name"] = name,
                ["digest"] = new JsonObject { ["sha256"] = Convert.ToHexStringLower(SHA256.HashData(artifact)) },
            }),
            ["predicateType"] = predicateType,
            ["predicate"] = new JsonObject
            {
                ["buildDefinition"] = new JsonObject
                {
                    ["buildType"] = "https://example.com/buildtypes/test/v1",
                    ["externalParameters"] = new JsonObject { ["source"] = "git+https://github.com/example/app@refs/tags/v1.0.0" },
                },
                ["runDetails"] = new JsonObject { ["builder"] = new JsonObject { ["id"] = "https://example.com/builder" } },
            },
        };
        return Encoding.UTF8.GetBytes(statement.ToJsonString());
    }

    /// <summary>A DSSE envelope over <paramref name="payload"/>, one signature per signer, each over PAE.</summary>
    public static string Envelope(ReadOnlySpan<byte> payload, IEnumerable<SignFunction> signers, string payloadType = DsseEnvelope.InTotoPayloadType)
    {
        var pae = DsseEnvelope.PreAuthenticationEncoding(payloadType, payload);
        var signatures = new JsonArray();
        foreach (var sign in signers)
        {
            signatures.Add(new JsonObject { ["keyid"] = "", ["sig"] = Convert.ToBase64String(sign(pae)) });
        }

        return new JsonObject
        {
            ["payloadType"] = payloadType,
            ["payload"] = Convert.ToBase64String(payload),
            ["signatures"] = signatures,
        }.ToJsonString();
    }

    /// <summary>A DSSE envelope with one signature.</summary>
    public static string Envelope(ReadOnlySpan<byte> payload, SignFunction signer, string payloadType = DsseEnvelope.InTotoPayloadType) =>
        Envelope(payload, [signer], payloadType);

    /// <summary>A Sigstore bundle (v0.3 media type) around an envelope, with public-key verification material and no log entries.</summary>
    public static string KeyBundle(string envelopeJson, string keyHint = "", string mediaType = "application/vnd.dev.sigstore.bundle.v0.3+json") =>
        new JsonObject
        {
            ["mediaType"] = mediaType,
            ["verificationMaterial"] = new JsonObject { ["publicKey"] = new JsonObject { ["hint"] = keyHint } },
            ["dsseEnvelope"] = JsonNode.Parse(envelopeJson),
        }.ToJsonString();

    /// <summary>Changes one field of a JSON document, for tamper tests.</summary>
    public static string With(string json, Action<JsonObject> change)
    {
        var node = JsonNode.Parse(json)!.AsObject();
        change(node);
        return node.ToJsonString(new JsonSerializerOptions { WriteIndented = false });
    }
}
