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
