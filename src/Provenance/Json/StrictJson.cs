using System.Buffers;
using System.Text;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Unicode;

namespace Provenance.Json;

/// <summary>
/// Strict JSON (RFC 8259) for untrusted input: no comments, no trailing commas, no byte-order mark,
/// nothing after the value, nesting bounded by <see cref="Limits.MaxJsonDepth"/>, and no object that
/// repeats a key — compared after unescaping and ignoring case, so <c>"payload"</c>, <c>"Payload"</c>
/// and <c>"p\u0061yload"</c> are one key. Two readers of one document must never see different values.
/// </summary>
internal static class StrictJson
{
    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Disallow,
        MaxDepth = Limits.MaxJsonDepth + 1,
    };

    /// <summary>Parses <paramref name="utf8"/> or throws <see cref="InvalidInputException"/> saying where it is wrong.</summary>
    public static JsonDocument Parse(ReadOnlyMemory<byte> utf8)
    {
        var span = utf8.Span;
        if (span.StartsWith("\xEF\xBB\xBF"u8))
        {
            throw InvalidInputException.At(DiagnosticCode.MalformedJson, "line 1",
                "the content starts with a UTF-8 byte-order mark; save it without one");
        }

        Validate(span);
        try
        {
            return JsonDocument.Parse(utf8, DocumentOptions);
        }
        catch (JsonException e)
        {
            // Validate has read the same bytes with the same rules, so this is not expected.
            throw InvalidInputException.At(DiagnosticCode.MalformedJson, LineOf(e), "not valid JSON: " + e.Message);
        }
    }

    /// <summary>One forward pass: well-formedness, depth and duplicate keys, with a line for each failure.</summary>
    private static void Validate(ReadOnlySpan<byte> utf8)
    {
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions
        {
            AllowTrailingCommas = false,
            CommentHandling = JsonCommentHandling.Disallow,
            MaxDepth = Limits.MaxJsonDepth + 1,
        });
        var keys = new ObjectKeys(utf8);
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                    case JsonTokenType.StartArray:
                        if (reader.CurrentDepth >= Limits.MaxJsonDepth)
                        {
                            throw InvalidInputException.At(DiagnosticCode.JsonTooDeep, LineAt(utf8, reader.TokenStartIndex),
                                $"JSON is nested deeper than {Limits.MaxJsonDepth} levels");
                        }

                        keys.Enter();
                        break;
                    case JsonTokenType.EndObject:
                    case JsonTokenType.EndArray:
                        keys.Leave();
                        break;
                    case JsonTokenType.PropertyName:
                        if (keys.AddAndFindDuplicate(ref reader) is { } duplicate)
                        {
                            throw InvalidInputException.At(DiagnosticCode.DuplicateJsonKey, LineAt(utf8, reader.TokenStartIndex),
                                $"the key \"{Printable(duplicate)}\" appears twice in one object (keys are compared ignoring case and escapes)");
                        }

                        break;
                    case JsonTokenType.String:
                        // The reader checks a string's UTF-8 only when it is read as text, which a later reader of the
                        // document would do outside any parser's error handling: check every string here, once.
                        if (reader.ValueIsEscaped ? reader.GetString() is null : !Utf8.IsValid(reader.ValueSpan))
                        {
                            throw NotText(utf8, reader.TokenStartIndex);
                        }

                        break;
                    default:
                        break;
                }
            }
        }
        catch (JsonException e)
        {
            throw InvalidInputException.At(DiagnosticCode.MalformedJson, LineOf(e), "not valid JSON: " + FirstSentence(e.Message));
        }
        catch (InvalidOperationException)
        {
            // GetString of a key or escaped string that is not valid UTF-8, or escapes a lone UTF-16 surrogate.
            throw NotText(utf8, reader.TokenStartIndex);
        }
    }

    /// <summary>
    /// The keys of each open object, to find one that repeats. Most objects have a few plain ASCII keys: those are
    /// compared in place as bytes, with no string made. Escaped or non-ASCII keys become strings, and an object with
    /// many keys moves to a hash set, so a hostile object of a million keys costs no more than a set of them.
    /// </summary>
    private readonly ref struct ObjectKeys
    {
        private const int ScanLimit = 16;

        private readonly ReadOnlySpan<byte> _document;

        // A key is a range of the document (Text null) or an unescaped string. Arrays open a frame too, with no keys.
        private readonly List<(int Start, int Length, string? Text)> _keys = [];
        private readonly Stack<(int FirstKey, HashSet<string>? Many)> _open = new();

        public ObjectKeys(ReadOnlySpan<byte> document) => _document = document;

        public void Enter() => _open.Push((_keys.Count, null));

        public void Leave()
        {
            var (first, _) = _open.Pop();
            _keys.RemoveRange(first, _keys.Count - first);
        }

        /// <summary>Records the property name the reader is on; returns it when the open object already had it.</summary>
        public string? AddAndFindDuplicate(ref Utf8JsonReader reader)
        {
            var (first, many) = _open.Peek();
            (int Start, int Length, string? Text) key = !reader.ValueIsEscaped && Ascii.IsValid(reader.ValueSpan)
                ? ((int)reader.TokenStartIndex + 1, reader.ValueSpan.Length, null)
                : (0, 0, reader.GetString()!);
            if (many is not null)
            {
                var text = Text(key);
                return many.Add(text) ? null : text;
            }

            for (var i = first; i < _keys.Count; i++)
            {
                if (SameKey(_keys[i], key))
                {
                    return Text(key);
                }
            }

            _keys.Add(key);
            if (_keys.Count - first > ScanLimit)
            {
                many = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
                for (var i = first; i < _keys.Count; i++)
                {
                    many.Add(Text(_keys[i]));
                }

                _open.Pop();
                _open.Push((first, many));
            }

            return null;
        }

        private bool SameKey((int Start, int Length, string? Text) a, (int Start, int Length, string? Text) b) =>
            a.Text is null && b.Text is null
                ? Ascii.EqualsIgnoreCase(_document.Slice(a.Start, a.Length), _document.Slice(b.Start, b.Length))
                : string.Equals(Text(a), Text(b), StringComparison.OrdinalIgnoreCase);

        private string Text((int Start, int Length, string? Text) key) =>
            key.Text ?? Encoding.ASCII.GetString(_document.Slice(key.Start, key.Length));
    }

    private static InvalidInputException NotText(ReadOnlySpan<byte> utf8, long index) =>
        InvalidInputException.At(DiagnosticCode.MalformedJson, LineAt(utf8, index),
            "not valid JSON: a string is not valid UTF-8 text, or escapes half of a UTF-16 surrogate pair");

    private static string LineOf(JsonException e) =>
        e.LineNumber is { } line ? $"line {line + 1}" : "JSON";

    private static string LineAt(ReadOnlySpan<byte> utf8, long index)
    {
        var before = utf8[..(int)Math.Min(index, utf8.Length)];
        return $"line {before.Count((byte)'\n') + 1}";
    }

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(" Path:", StringComparison.Ordinal);
        return end > 0 ? message[..end] : message;
    }

    /// <summary>Untrusted text shortened and stripped of control characters, safe to put in a message.</summary>
    public static string Printable(string value, int max = 120)
    {
        var builder = new StringBuilder(Math.Min(value.Length, max + 1));
        foreach (var c in value)
        {
            if (builder.Length >= max)
            {
                builder.Append('…');
                break;
            }

            builder.Append(char.IsControl(c) ? '?' : c);
        }

        return builder.ToString();
    }

    // ---- Field access with locations. `path` is the JSON path of `element`. ----

    public static void RequireObject(JsonElement element, string path)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw InvalidInputException.At(DiagnosticCode.InvalidField, path, $"expected a JSON object, found {Describe(element)}");
        }
    }

    /// <summary>
    /// Requires an object with no field but <paramref name="names"/>: a field one reader ignores is one another may
    /// honour, and then two readers disagree about what was signed.
    /// </summary>
    public static void RequireOnly(JsonElement element, string path, DiagnosticCode code, string message, params ReadOnlySpan<string> names)
    {
        RequireObject(element, path);
        foreach (var property in element.EnumerateObject())
        {
            if (!IsOneOf(property, names))
            {
                throw InvalidInputException.At(code, Child(path, Printable(property.Name)), message);
            }
        }
    }

    // Compared in place: reading each name as a string would allocate one per field of every document.
    private static bool IsOneOf(JsonProperty property, ReadOnlySpan<string> names)
    {
        foreach (var name in names)
        {
            if (property.NameEquals(name))
            {
                return true;
            }
        }

        return false;
    }

    public static JsonElement Required(JsonElement obj, string name, string path)
    {
        RequireObject(obj, path);
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            throw InvalidInputException.At(DiagnosticCode.MissingField, path, $"the required field \"{name}\" is missing");
        }

        return value;
    }

    public static JsonElement? Optional(JsonElement obj, string name)
    {
        return obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null
            ? value
            : null;
    }

    public static string RequiredString(JsonElement obj, string name, string path)
    {
        var value = Required(obj, name, path);
        return AsString(value, Child(path, name));
    }

    public static string? OptionalString(JsonElement obj, string name, string path) =>
        Optional(obj, name) is { } value ? AsString(value, Child(path, name)) : null;

    public static string AsString(JsonElement value, string path)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            throw InvalidInputException.At(DiagnosticCode.InvalidField, path, $"expected a string, found {Describe(value)}");
        }

        return value.GetString()!;
    }

    public static JsonElement RequiredArray(JsonElement obj, string name, string path, int maxItems, DiagnosticCode tooMany)
    {
        var value = Required(obj, name, path);
        return AsArray(value, Child(path, name), maxItems, tooMany);
    }

    public static JsonElement AsArray(JsonElement value, string path, int maxItems, DiagnosticCode tooMany)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            throw InvalidInputException.At(DiagnosticCode.InvalidField, path, $"expected an array, found {Describe(value)}");
        }

        if (value.GetArrayLength() > maxItems)
        {
            throw InvalidInputException.At(tooMany, path, $"{value.GetArrayLength()} items where at most {maxItems} are accepted");
        }

        return value;
    }

    /// <summary>Decodes standard base64 (RFC 4648 §4, padding required); anything else is an error.</summary>
    public static byte[] RequiredBase64(JsonElement obj, string name, string path, int maxDecodedBytes)
    {
        var value = Required(obj, name, path);
        if (value.ValueKind != JsonValueKind.String)
        {
            AsString(value, Child(path, name));
        }

        // Decoded from the document's own bytes: a payload read as a string first costs twice its size in garbage.
        // An escaped value (a writer may spell '+' as \u002B) is unescaped the ordinary way.
        var raw = JsonMarshal.GetRawUtf8Value(value);
        var text = raw[1..^1];
        if (text.Contains((byte)'\\'))
        {
            return DecodeBase64(value.GetString()!, Child(path, name), maxDecodedBytes);
        }

        CheckDecodedSize(text.Length, path, name, maxDecodedBytes);
        var chars = ArrayPool<char>.Shared.Rent(text.Length);
        try
        {
            // Bytes outside ASCII become '?', which no base64 alphabet holds.
            var length = Encoding.ASCII.GetChars(text, chars);
            return DecodeBase64(chars.AsSpan(0, length), path, name, maxDecodedBytes);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
        }
    }

    /// <summary>
    /// The one strict decoder, whichever way the text came; the location is <paramref name="path"/>, or its child
    /// <paramref name="name"/>, made only on failure.
    /// </summary>
    private static byte[] DecodeBase64(ReadOnlySpan<char> text, string path, string? name, int maxDecodedBytes)
    {
        CheckDecodedSize(text.Length, path, name, maxDecodedBytes);

        // Convert's decoder skips white space: a signed field must not, so the alphabet and the padding are checked first.
        if (text.Length % 4 != 0 || text.IndexOfAnyExcept(Base64Alphabet) >= 0 || !PaddedAtEndOnly(text))
        {
            throw NotBase64(name is null ? path : Child(path, name));
        }

        var decoded = new byte[(text.Length / 4 * 3) - text[^Math.Min(2, text.Length)..].Count('=')];
        if (!Convert.TryFromBase64Chars(text, decoded, out var written) || written != decoded.Length)
        {
            throw NotBase64(name is null ? path : Child(path, name));
        }

        return decoded;
    }

    private static void CheckDecodedSize(int length, string path, string? name, int maxDecodedBytes)
    {
        if ((long)length / 4 * 3 > maxDecodedBytes)
        {
            throw InvalidInputException.At(DiagnosticCode.JsonTooLarge, name is null ? path : Child(path, name),
                $"the base64 value decodes to more than {maxDecodedBytes} bytes");
        }
    }

    /// <summary>
    /// Decodes base64url (RFC 4648 section 5) with padding, for the one producer that writes it (Cloud Build's
    /// DSSE signatures). The two alphabets are not mixed: a value with '+' or '/' is not base64url.
    /// </summary>
    public static byte[] DecodeBase64Url(string text, string path, int maxDecodedBytes)
    {
        if (text.AsSpan().IndexOfAny('+', '/') >= 0)
        {
            throw InvalidInputException.At(DiagnosticCode.InvalidBase64, path, "not base64url (RFC 4648 section 5, with padding)");
        }

        return DecodeBase64(text.Replace('-', '+').Replace('_', '/'), path, maxDecodedBytes);
    }

    public static byte[] DecodeBase64(string text, string path, int maxDecodedBytes) =>
        DecodeBase64(text.AsSpan(), path, null, maxDecodedBytes);

    private static InvalidInputException NotBase64(string path) =>
        InvalidInputException.At(DiagnosticCode.InvalidBase64, path, "not standard base64 (RFC 4648 section 4, with padding)");

    private static readonly SearchValues<char> Base64Alphabet =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=");

    /// <summary>Padding, if any, is one or two '=' that end the text.</summary>
    private static bool PaddedAtEndOnly(ReadOnlySpan<char> text)
    {
        var firstPad = text.IndexOf('=');
        return firstPad < 0 || (firstPad >= text.Length - 2 && text[firstPad..].IndexOfAnyExcept('=') < 0);
    }

    public static string Child(string path, string name) => path + "." + name;

    public static string Index(string path, int index) => path + "[" + index.ToString(System.Globalization.CultureInfo.InvariantCulture) + "]";

    public static string Describe(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };
}
