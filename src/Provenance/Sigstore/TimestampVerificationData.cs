using System.Collections.Immutable;
using System.Text.Json;
using Provenance.Json;

namespace Provenance.Sigstore;

/// <summary>
/// Reads a bundle's <c>verificationMaterial.timestampVerificationData</c> (protobuf-specs sigstore_bundle.proto,
/// TimestampVerificationData): the RFC 3161 signed timestamps, each the DER TimeStampResp a timestamp authority
/// returned (RFC 3161 section 2.4.2), kept as bytes until <see cref="TimestampVerifier"/> checks them.
/// </summary>
internal static class TimestampVerificationData
{
    /// <summary>
    /// The signed timestamps, in bundle order; none when the bundle has no timestamp data. Throws
    /// <see cref="InvalidInputException"/> for malformed data, more than <see cref="Limits.MaxTimestamps"/> timestamps
    /// or one given twice (a repeated timestamp must never count twice towards a threshold, as in sigstore-go).
    /// </summary>
    /// <param name="timestampVerificationData">The field as the bundle parser kept it, or null when absent.</param>
    /// <param name="path">The JSON path of the field, for messages.</param>
    public static ImmutableArray<ReadOnlyMemory<byte>> ReadTokens(JsonElement? timestampVerificationData, string path)
    {
        if (timestampVerificationData is not { } data)
        {
            return [];
        }

        StrictJson.RequireObject(data, path);
        if (ProtoJson.Optional(data, "rfc3161Timestamps", "rfc3161_timestamps", path) is not { } list)
        {
            return [];
        }

        var listPath = StrictJson.Child(path, "rfc3161Timestamps");
        StrictJson.AsArray(list, listPath, Limits.MaxTimestamps, DiagnosticCode.TooManyTimestamps);
        var tokens = ImmutableArray.CreateBuilder<ReadOnlyMemory<byte>>(list.GetArrayLength());
        var index = 0;
        foreach (var item in list.EnumerateArray())
        {
            var itemPath = StrictJson.Index(listPath, index++);
            StrictJson.RequireObject(item, itemPath);
            var token = ProtoJson.RequiredBytes(item, "signedTimestamp", "signed_timestamp", itemPath, Limits.MaxTimestampBytes);
            if (tokens.Any(t => t.Span.SequenceEqual(token)))
            {
                throw InvalidInputException.At(DiagnosticCode.DuplicateTimestamp, itemPath,
                    "this signed timestamp repeats an earlier one; each timestamp may be given once");
            }

            tokens.Add(token);
        }

        return tokens.MoveToImmutable();
    }
}
