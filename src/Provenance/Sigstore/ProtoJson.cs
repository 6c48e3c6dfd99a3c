using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using Provenance.Json;

namespace Provenance.Sigstore;

/// <summary>
/// The protobuf JSON mapping lets a field be spelled in lowerCamelCase or as in the .proto; both spellings at
/// once are refused, since two readers could pick different ones. int64 values may be a JSON string or number.
/// </summary>
internal static class ProtoJson
{
    public static JsonElement? Optional(JsonElement obj, string camelName, string protoName, string path)
    {
        var camel = StrictJson.Optional(obj, camelName);
        if (camelName == protoName)
        {
            return camel;
        }

        var proto = StrictJson.Optional(obj, protoName);
        if (camel is not null && proto is not null)
        {
            throw InvalidInputException.At(DiagnosticCode.DuplicateJsonKey, path,
                $"both \"{camelName}\" and \"{protoName}\" are given; they are one field");
        }

        return camel ?? proto;
    }

    public static JsonElement Required(JsonElement obj, string camelName, string protoName, string path) =>
        Optional(obj, camelName, protoName, path)
        ?? throw InvalidInputException.At(DiagnosticCode.MissingField, path, $"the required field \"{camelName}\" is missing");

    public static byte[] RequiredBytes(JsonElement obj, string camelName, string protoName, string path, int maxBytes)
    {
        var value = Required(obj, camelName, protoName, path);
        var fieldPath = StrictJson.Child(path, camelName);
        var bytes = StrictJson.DecodeBase64(StrictJson.AsString(value, fieldPath), fieldPath, maxBytes);
        if (bytes.Length == 0)
        {
            throw InvalidInputException.At(DiagnosticCode.MissingField, fieldPath, $"\"{camelName}\" is empty");
        }

        return bytes;
    }

    /// <summary>An int64 that must not be negative; absent means 0, as proto3 omits zero values.</summary>
    public static long OptionalInt64(JsonElement obj, string camelName, string protoName, string path, DiagnosticCode code)
    {
        if (Optional(obj, camelName, protoName, path) is not { } value)
        {
            return 0;
        }

        var fieldPath = StrictJson.Child(path, camelName);
        var text = value.ValueKind switch
        {
            JsonValueKind.String => value.GetString()!,
            JsonValueKind.Number => value.GetRawText(),
            _ => throw InvalidInputException.At(code, fieldPath,
                $"expected an integer as a string or number, found {StrictJson.Describe(value)}"),
        };
        if (text.StartsWith('-'))
        {
            throw InvalidInputException.At(code, fieldPath, "the value is negative");
        }

        // Digits only: no sign, fraction, exponent or spaces, which int64 parsers disagree about.
        if (text.Length == 0 || text.AsSpan().ContainsAnyExceptInRange('0', '9')
            || !long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var result))
        {
            throw InvalidInputException.At(code, fieldPath,
                $"\"{StrictJson.Printable(text, 40)}\" is not a non-negative 64-bit integer");
        }

        return result;
    }

    /// <summary>
    /// A protobuf-specs X509CertificateChain (<c>{"certificates": [{"rawBytes": ...}]}</c>), as bundles and trusted
    /// roots carry it: DER certificates, at least one and at most <see cref="Limits.MaxCertificateChainLength"/>.
    /// </summary>
    public static ImmutableArray<ReadOnlyMemory<byte>> ReadCertificateChain(JsonElement chain, string path)
    {
        var list = StrictJson.RequiredArray(chain, "certificates", path, Limits.MaxCertificateChainLength, DiagnosticCode.InvalidField);
        var listPath = StrictJson.Child(path, "certificates");
        if (list.GetArrayLength() == 0)
        {
            throw InvalidInputException.At(DiagnosticCode.MissingField, listPath, "the certificate chain is empty");
        }

        var builder = ImmutableArray.CreateBuilder<ReadOnlyMemory<byte>>(list.GetArrayLength());
        var index = 0;
        foreach (var item in list.EnumerateArray())
        {
            builder.Add(RequiredBytes(item, "rawBytes", "raw_bytes", StrictJson.Index(listPath, index++), Limits.MaxCertificateBytes));
        }

        return builder.MoveToImmutable();
    }
}
