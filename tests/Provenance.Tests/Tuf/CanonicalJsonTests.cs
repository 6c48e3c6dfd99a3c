using System.Text;
using System.Text.Json;
using Provenance.Tuf;

namespace Provenance.Tests.Tuf;

/// <summary>
/// OLPC canonical JSON as TUF signs it. Expected bytes are written out by hand from the OLPC rules
/// (wiki.laptop.org/go/Canonical_JSON) and securesystemslib's encode_canonical, which only escapes quote and backslash.
/// </summary>
public sealed class CanonicalJsonTests
{
    [Theory]
    [InlineData("{ \"b\": 1, \"a\": \"x\\\"y\\\\z\", \"c\": [true, false, null] }", "{\"a\":\"x\\\"y\\\\z\",\"b\":1,\"c\":[true,false,null]}")]
    [InlineData("{\"n\": -12, \"z\": {\"y\": {}, \"x\": []}}", "{\"n\":-12,\"z\":{\"x\":[],\"y\":{}}}")]
    [InlineData("[\"\\u00e9\\n\\t\\u0001\"]", "[\"é\n\t\u0001\"]")]
    [InlineData("{\"\\ud83d\\ude00\": 1, \"\\ue000\": 2}", "{\"\ue000\":2,\"\U0001F600\":1}")]
    public void Encodes_as_the_canonical_rules_say(string json, string expected)
    {
        using var document = JsonDocument.Parse(json);

        var canonical = CanonicalJson.Encode(document.RootElement, "$");

        Assert.Equal(expected, Encoding.UTF8.GetString(canonical));
    }

    [Theory]
    [InlineData("{\"a\": 1.5}")]
    [InlineData("{\"a\": 1.0}")]
    [InlineData("{\"a\": 1e2}")]
    [InlineData("{\"a\": 99999999999999999999}")]
    [InlineData("[\"\\ud800\"]")]
    public void Refuses_what_canonical_JSON_cannot_hold(string json)
    {
        using var document = JsonDocument.Parse(json);

        var e = Assert.Throws<InvalidInputException>(() => CanonicalJson.Encode(document.RootElement, "$"));

        Assert.Equal(DiagnosticCode.TufMetadataMalformed, e.Problem.Code);
    }
}
