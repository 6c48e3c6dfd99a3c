using System.Text;
using Provenance.Json;

namespace Provenance.Tests.Json;

public sealed class StrictJsonTests
{
    private static Problem ProblemOf(string json)
    {
        var e = Assert.Throws<InvalidInputException>(() => StrictJson.Parse(Encoding.UTF8.GetBytes(json)).Dispose());
        return e.Problem;
    }

    [Theory]
    [InlineData("""{"a":1,"a":2}""")]
    [InlineData("""{"payload":1,"Payload":2}""")]
    [InlineData("""{"payload":1,"p\u0061yload":2}""")]
    [InlineData("""{"x":{"k":1,"k":1}}""")]
    [InlineData("""[{"ok":1},{"k":1,"K":2}]""")]
    public void Repeated_keys_are_refused_whatever_their_spelling(string json)
    {
        Assert.Equal(DiagnosticCode.DuplicateJsonKey, ProblemOf(json).Code);
    }

    [Theory]
    [InlineData("""{"p\u0061yload":1,"payload":2}""")]        // the escaped spelling first
    [InlineData("""{"\u00e9t\u00e9":1,"été":2}""")]          // non-ASCII, escaped and plain
    [InlineData("""{"ÉTÉ":1,"été":2}""")]                      // non-ASCII, compared ignoring case
    [InlineData("""{"a":1,"b":{"a":1,"b":2,"c":3},"A":2}""")]  // a nested object's keys do not hide the outer's
    public void Repeated_keys_are_found_however_the_two_spellings_are_mixed(string json)
    {
        Assert.Equal(DiagnosticCode.DuplicateJsonKey, ProblemOf(json).Code);
    }

    /// <summary>Objects with many keys are checked another way; a repeat must be found there too, in either spelling.</summary>
    [Theory]
    [InlineData(3, "k3")]
    [InlineData(3, "K3")]
    [InlineData(15, "k15")]
    [InlineData(16, "k16")]
    [InlineData(17, "k0")]
    [InlineData(500, "k499")]
    [InlineData(500, "K0")]
    [InlineData(500, "\\u006b250")]
    public void A_repeated_key_is_found_after_any_number_of_others(int others, string repeat)
    {
        var keys = Enumerable.Range(0, others + 1).Select(i => $"\"k{i}\":{i}");
        var json = "{" + string.Join(",", keys) + ",\"" + repeat + "\":0}";

        Assert.Equal(DiagnosticCode.DuplicateJsonKey, ProblemOf(json).Code);
    }

    /// <summary>A base64 field is decoded from the document's bytes, or unescaped first when a writer escaped it: the same rules either way.</summary>
    [Theory]
    [InlineData("""{"v":"aGk+Lw=="}""", "68693e2f")]
    [InlineData("""{"v":"aGk\u002BLw=="}""", "68693e2f")]
    [InlineData("""{"v":""}""", "")]
    [InlineData("""{"v":"aGVsbG8="}""", "68656c6c6f")]
    // Unused low bits set in the last character: read alike from the document's bytes and from an escaped value.
    [InlineData("""{"v":"QR=="}""", "41")]
    [InlineData("""{"v":"Q\u0052=="}""", "41")]
    public void Base64_fields_decode_whether_or_not_escaped(string json, string expectedHex)
    {
        using var document = StrictJson.Parse(Encoding.UTF8.GetBytes(json));

        Assert.Equal(expectedHex, Convert.ToHexStringLower(StrictJson.RequiredBase64(document.RootElement, "v", "$", 64)));
    }

    [Theory]
    [InlineData("""{"v":"aGVsbG8"}""")]          // missing padding
    [InlineData("""{"v":"aGVs bG8="}""")]        // white space inside
    [InlineData("""{"v":"aGVsbG8=\n"}""")]       // an escaped line break after it
    [InlineData("""{"v":"aGVs\u0020bG8="}""")]   // escaped white space inside
    [InlineData("""{"v":"aGV-bG8_"}""")]         // base64url alphabet
    [InlineData("""{"v":"a=Vsbw=="}""")]         // padding in the middle
    [InlineData("""{"v":"aGk=Lw=="}""")]         // two padded blocks
    [InlineData("""{"v":"aG=k"}""")]             // something after the padding
    public void Base64_fields_are_as_strict_as_base64_text(string json)
    {
        using var document = StrictJson.Parse(Encoding.UTF8.GetBytes(json));

        var e = Assert.Throws<InvalidInputException>(() => StrictJson.RequiredBase64(document.RootElement, "v", "$", 64));
        Assert.Equal(DiagnosticCode.InvalidBase64, e.Problem.Code);
        Assert.Equal("$.v", e.Problem.Location);
    }

    [Fact]
    public void A_base64_field_over_the_bound_is_refused_before_decoding()
    {
        using var document = StrictJson.Parse(Encoding.UTF8.GetBytes($$"""{"v":"{{new string('A', 400)}}"}"""));

        var e = Assert.Throws<InvalidInputException>(() => StrictJson.RequiredBase64(document.RootElement, "v", "$", 64));
        Assert.Equal(DiagnosticCode.JsonTooLarge, e.Problem.Code);
    }

    [Theory]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(5000)]
    public void Many_distinct_keys_are_accepted(int count)
    {
        var json = "{" + string.Join(",", Enumerable.Range(0, count).Select(i => $"\"k{i}\":{{\"k{i}\":{i}}}")) + "}";

        using var document = StrictJson.Parse(Encoding.UTF8.GetBytes(json));

        Assert.Equal(count, document.RootElement.EnumerateObject().Count());
    }

    [Fact]
    public void The_same_key_in_sibling_objects_is_not_a_duplicate()
    {
        using var document = StrictJson.Parse("""[{"k":1},{"k":2}]"""u8.ToArray());
        Assert.Equal(2, document.RootElement.GetArrayLength());
    }

    [Theory]
    [InlineData("{")]
    [InlineData("""{"a":1,}""")]
    [InlineData("""{"a":1} // comment""")]
    [InlineData("""{"a":1} {"b":2}""")]
    [InlineData("""{'a':1}""")]
    [InlineData("")]
    public void Malformed_json_is_refused(string json)
    {
        Assert.Equal(DiagnosticCode.MalformedJson, ProblemOf(json).Code);
    }

    [Fact]
    public void A_byte_order_mark_is_refused()
    {
        var bytes = new byte[] { 0xEF, 0xBB, 0xBF }.Concat("{}"u8.ToArray()).ToArray();
        var e = Assert.Throws<InvalidInputException>(() => StrictJson.Parse(bytes).Dispose());
        Assert.Equal(DiagnosticCode.MalformedJson, e.Problem.Code);
    }

    [Fact]
    public void Nesting_is_bounded_and_the_limit_itself_is_accepted()
    {
        string Nested(int depth) => new string('[', depth) + new string(']', depth);
        using (StrictJson.Parse(Encoding.UTF8.GetBytes(Nested(Limits.MaxJsonDepth))))
        {
        }

        Assert.Equal(DiagnosticCode.JsonTooDeep, ProblemOf(Nested(Limits.MaxJsonDepth + 1)).Code);
        Assert.Equal(DiagnosticCode.JsonTooDeep, ProblemOf(Nested(100_000)).Code);
    }

    [Fact]
    public void Problems_say_on_which_line()
    {
        var problem = ProblemOf("{\n\"a\": 1,\n\"a\": 2\n}");
        Assert.Equal("line 3", problem.Location);
    }

    [Theory]
    [InlineData("aGVsbG8=", "hello")]
    [InlineData("", "")]
    [InlineData("aGk=", "hi")]
    public void Standard_base64_decodes(string text, string expected)
    {
        Assert.Equal(expected, Encoding.UTF8.GetString(StrictJson.DecodeBase64(text, "$.x", 100)));
    }

    [Theory]
    [InlineData("aGVsbG8")]      // missing padding
    [InlineData("aGVs bG8=")]    // white space inside
    [InlineData("aGVsbG8=\n")]   // trailing new line
    [InlineData("aGV-bG8_")]     // base64url alphabet
    [InlineData("a=Vsbw==")]     // padding in the middle
    [InlineData("!!!!")]
    public void Anything_but_standard_base64_is_refused(string text)
    {
        var e = Assert.Throws<InvalidInputException>(() => StrictJson.DecodeBase64(text, "$.x", 100));
        Assert.Equal(DiagnosticCode.InvalidBase64, e.Problem.Code);
        Assert.Equal("$.x", e.Problem.Location);
    }

    [Fact]
    public void Base64_larger_than_the_bound_is_refused_before_decoding()
    {
        var e = Assert.Throws<InvalidInputException>(() => StrictJson.DecodeBase64(new string('A', 4000), "$.x", 100));
        Assert.Equal(DiagnosticCode.JsonTooLarge, e.Problem.Code);
    }
}
