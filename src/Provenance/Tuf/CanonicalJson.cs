using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Provenance.Tuf;

/// <summary>
/// OLPC canonical JSON (wiki.laptop.org/go/Canonical_JSON), the bytes TUF signatures cover (TUF specification
/// section 4.2): no white space, object keys sorted by their Unicode code points, strings escaping only the quote
/// and the backslash and carrying every other character as raw UTF-8, integers only.
/// </summary>
/// <remarks>
/// Code point order is the order of the UTF-8 bytes, which is also how python-tuf and go-tuf sort; UTF-16 ordinal
/// order would differ above U+FFFF.
/// </remarks>
internal static class CanonicalJson
{
    // Throws on a lone surrogate instead of writing U+FFFD: a signature over a replaced character is over other bytes.
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The canonical form of <paramref name="element"/>, or an <see cref="InvalidInputException"/> (TufMetadataMalformed) for a value canonical JSON cannot hold.</summary>
    public static byte[] Encode(JsonElement element, string path)
    {
        var buffer = new ArrayBufferWriter<byte>();
        Write(element, buffer, path, depth: 0);
        return buffer.WrittenSpan.ToArray();
    }

    private static void Write(JsonElement element, ArrayBufferWriter<byte> output, string path, int depth)
    {
        if (depth > Limits.MaxJsonDepth)
        {
            throw Malformed(path, $"nested deeper than {Limits.MaxJsonDepth} levels");
        }

        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var properties = new List<(byte[] Key, JsonElement Value, string Name)>();
                foreach (var property in element.EnumerateObject())
                {
                    properties.Add((Utf8(property.Name, path), property.Value, property.Name));
                }

                properties.Sort(static (a, b) => a.Key.AsSpan().SequenceCompareTo(b.Key));
                output.Write("{"u8);
                for (var i = 0; i < properties.Count; i++)
                {
                    if (i > 0)
                    {
                        output.Write(","u8);
                    }

                    WriteString(properties[i].Key, output);
                    output.Write(":"u8);
                    Write(properties[i].Value, output, path + "." + properties[i].Name, depth + 1);
                }

                output.Write("}"u8);
                break;
            case JsonValueKind.Array:
                output.Write("["u8);
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (index > 0)
                    {
                        output.Write(","u8);
                    }

                    Write(item, output, path + "[" + index + "]", depth + 1);
                    index++;
                }

                output.Write("]"u8);
                break;
            case JsonValueKind.String:
                WriteString(Utf8(ReadString(element, path), path), output);
                break;
            case JsonValueKind.Number:
                output.Write(Encoding.ASCII.GetBytes(IntegerText(element, path)));
                break;
            case JsonValueKind.True:
                output.Write("true"u8);
                break;
            case JsonValueKind.False:
                output.Write("false"u8);
                break;
            case JsonValueKind.Null:
                output.Write("null"u8);
                break;
            default:
                throw Malformed(path, "not a JSON value");
        }
    }

    /// <summary>A number as canonical JSON writes it: an integer in its shortest decimal form, nothing else.</summary>
    public static string IntegerText(JsonElement element, string path)
    {
        if (!element.TryGetInt64(out var value))
        {
            throw Malformed(path, "canonical JSON holds integers only; this number is fractional, has an exponent or is too large");
        }

        // 1.0 and 1e0 parse as 1 but are not the spelling that was signed: refuse them rather than re-spell them.
        var text = value.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (element.GetRawText() != text)
        {
            throw Malformed(path, $"the number \"{element.GetRawText()}\" is not written as a plain integer");
        }

        return text;
    }

    private static string ReadString(JsonElement element, string path)
    {
        try
        {
            return element.GetString()!;
        }
        catch (InvalidOperationException)
        {
            throw Malformed(path, "the string is not valid Unicode");
        }
    }

    private static byte[] Utf8(string value, string path)
    {
        try
        {
            return StrictUtf8.GetBytes(value);
        }
        catch (EncoderFallbackException)
        {
            throw Malformed(path, "a string holds a lone surrogate, which is not Unicode text");
        }
    }

    private static void WriteString(byte[] bytes, ArrayBufferWriter<byte> output)
    {
        output.Write("\""u8);
        var start = 0;
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] is (byte)'"' or (byte)'\\')
            {
                output.Write(bytes.AsSpan(start, i - start));
                output.Write("\\"u8);
                start = i;
            }
        }

        output.Write(bytes.AsSpan(start));
        output.Write("\""u8);
    }

    private static InvalidInputException Malformed(string path, string message) =>
        InvalidInputException.At(DiagnosticCode.TufMetadataMalformed, path, message);
}
