using System.Text.Json;
using Provenance.Json;
using Provenance.Sigstore;

namespace Provenance.Tests.Sigstore;

/// <summary>
/// Reading verificationMaterial.timestampVerificationData (protobuf-specs sigstore_bundle.proto, JSON mapping:
/// lowerCamelCase or the .proto's names, bytes as standard base64). Bounds from <see cref="Limits"/>.
/// </summary>
public sealed class TimestampVerificationDataTests
{
    private const string Path = "$.verificationMaterial.timestampVerificationData";

    private static JsonElement Json(string text)
    {
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    private static string Tokens(params string[] base64) =>
        "{\"rfc3161Timestamps\":[" + string.Join(",", base64.Select(b => "{\"signedTimestamp\":\"" + b + "\"}")) + "]}";

    private static DiagnosticCode Fails(string json) =>
        Assert.Throws<InvalidInputException>(() => TimestampVerificationData.ReadTokens(Json(json), Path)).Problem.Code;

    [Fact]
    public void No_timestamp_data_yields_no_tokens()
    {
        Assert.Empty(TimestampVerificationData.ReadTokens(null, Path));
        Assert.Empty(TimestampVerificationData.ReadTokens(Json("{}"), Path));
        Assert.Empty(TimestampVerificationData.ReadTokens(Json("{\"rfc3161Timestamps\":[]}"), Path));
    }

    [Fact]
    public void Tokens_are_decoded_in_order_in_either_spelling()
    {
        var camel = TimestampVerificationData.ReadTokens(Json(Tokens("AQI=", "AwQ=")), Path);
        var snake = TimestampVerificationData.ReadTokens(Json("{\"rfc3161_timestamps\":[{\"signed_timestamp\":\"AQI=\"}]}"), Path);

        Assert.Equal([[1, 2], [3, 4]], camel.Select(t => t.ToArray()));
        Assert.Equal([1, 2], Assert.Single(snake).ToArray());
    }

    [Fact]
    public void Both_spellings_at_once_are_refused()
    {
        Assert.Equal(DiagnosticCode.DuplicateJsonKey, Fails("{\"rfc3161Timestamps\":[],\"rfc3161_timestamps\":[]}"));
    }

    [Fact]
    public void More_timestamps_than_the_limit_are_refused()
    {
        var tokens = Enumerable.Range(0, Limits.MaxTimestamps + 1).Select(i => Convert.ToBase64String(BitConverter.GetBytes(i))).ToArray();

        Assert.Equal(DiagnosticCode.TooManyTimestamps, Fails(Tokens(tokens)));
    }

    [Fact]
    public void A_repeated_timestamp_is_refused()
    {
        Assert.Equal(DiagnosticCode.DuplicateTimestamp, Fails(Tokens("AQI=", "AwQ=", "AQI=")));
    }

    [Fact]
    public void A_timestamp_larger_than_the_limit_is_refused()
    {
        Assert.Equal(DiagnosticCode.JsonTooLarge, Fails(Tokens(Convert.ToBase64String(new byte[Limits.MaxTimestampBytes + 3]))));
    }

    [Theory]
    [InlineData("{\"rfc3161Timestamps\":[{\"signedTimestamp\":\"not base64!\"}]}", DiagnosticCode.InvalidBase64)]
    [InlineData("{\"rfc3161Timestamps\":[{}]}", DiagnosticCode.MissingField)]
    [InlineData("{\"rfc3161Timestamps\":[{\"signedTimestamp\":\"\"}]}", DiagnosticCode.MissingField)]
    [InlineData("{\"rfc3161Timestamps\":{}}", DiagnosticCode.InvalidField)]
    [InlineData("[]", DiagnosticCode.InvalidField)]
    public void Malformed_timestamp_data_is_refused(string json, DiagnosticCode expected)
    {
        Assert.Equal(expected, Fails(json));
    }
}
