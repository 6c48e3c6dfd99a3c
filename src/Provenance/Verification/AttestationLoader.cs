using System.Collections.Immutable;
using System.Text.Json;
using Provenance.Envelopes;
using Provenance.Json;
using Provenance.Sigstore;

namespace Provenance.Verification;

/// <summary>The container an attestation came in.</summary>
public enum AttestationFormat
{
    /// <summary>A bare DSSE envelope (alone, or one per line of a <c>.intoto.jsonl</c> file).</summary>
    DsseEnvelope,
    /// <summary>A Sigstore bundle (v0.1, v0.2 or v0.3).</summary>
    SigstoreBundle,
    /// <summary>The provenance JSON of Google Cloud Build (<c>gcloud … --show-provenance</c>): DSSE envelopes inside.</summary>
    CloudBuildProvenance,
    /// <summary>
    /// An attestations listing, <c>{"attestations": [{"bundle": …}, …]}</c>, as the npm registry's attestations
    /// endpoint and the GitHub attestations API return it: Sigstore bundles inside.
    /// </summary>
    AttestationsListing,
}

/// <summary>One attestation as found in a file, before anything about it is verified.</summary>
/// <param name="Source">Where it came from: the file, and the line or item when the file holds several.</param>
/// <param name="Format">The container it came in.</param>
/// <param name="Envelope">The DSSE envelope, for every format that has one.</param>
/// <param name="Bundle">The Sigstore bundle around the envelope, when it came in one.</param>
public sealed record LoadedAttestation(string Source, AttestationFormat Format, DsseEnvelope? Envelope, SigstoreBundle? Bundle);

/// <summary>
/// Finds attestations in a file by its content, never its name: a Sigstore bundle, a DSSE envelope, Cloud Build
/// provenance JSON, a JSON array of those, or JSON Lines with one per line. This is where the formats meet, so it
/// sits above both <see cref="Envelopes"/> and <see cref="Sigstore"/>.
/// </summary>
internal static class AttestationLoader
{
    public static ImmutableArray<LoadedAttestation> Load(ReadOnlyMemory<byte> content, string source)
    {
        if (content.Length == 0 || content.Span.IndexOfAnyExcept(" \t\r\n"u8) < 0)
        {
            throw new InvalidInputException(new Problem(DiagnosticCode.InputEmpty, "the attestation file is empty", source));
        }

        var lines = SplitJsonLines(content);
        var result = ImmutableArray.CreateBuilder<LoadedAttestation>();
        if (lines is null)
        {
            using var document = Parse(content, source);
            LoadDocument(document.RootElement, source, result, allowArray: true);
        }
        else
        {
            if (lines.Count > Limits.MaxAttestationsPerFile)
            {
                throw new InvalidInputException(new Problem(DiagnosticCode.TooManyAttestations,
                    $"{lines.Count} lines where at most {Limits.MaxAttestationsPerFile} attestations per file are accepted", source));
            }

            foreach (var (number, line) in lines)
            {
                var lineSource = $"{source}:{number}";
                using var document = Parse(line, lineSource);
                LoadDocument(document.RootElement, lineSource, result, allowArray: false);
            }
        }

        if (result.Count > Limits.MaxAttestationsPerFile)
        {
            throw new InvalidInputException(new Problem(DiagnosticCode.TooManyAttestations,
                $"{result.Count} attestations where at most {Limits.MaxAttestationsPerFile} per file are accepted", source));
        }

        return result.ToImmutable();
    }

    private static JsonDocument Parse(ReadOnlyMemory<byte> content, string source)
    {
        try
        {
            return StrictJson.Parse(content);
        }
        catch (InvalidInputException e)
        {
            throw new InvalidInputException(e.Problem.Within(source));
        }
    }

    /// <summary>
    /// JSON Lines when there is more than one non-blank line and the first of them is a complete JSON value by
    /// itself; otherwise null, and the content is read as one JSON document (which may be pretty-printed).
    /// </summary>
    private static List<(int Number, ReadOnlyMemory<byte> Line)>? SplitJsonLines(ReadOnlyMemory<byte> content)
    {
        var lines = new List<(int, ReadOnlyMemory<byte>)>();
        var number = 0;
        var rest = content;
        while (!rest.IsEmpty)
        {
            number++;
            var end = rest.Span.IndexOf((byte)'\n');
            var line = end < 0 ? rest : rest[..end];
            rest = end < 0 ? ReadOnlyMemory<byte>.Empty : rest[(end + 1)..];
            if (line.Span.IndexOfAnyExcept(" \t\r"u8) >= 0)
            {
                lines.Add((number, line));
            }
        }

        return lines.Count > 1 && IsCompleteValue(lines[0].Item2.Span) ? lines : null;
    }

    private static bool IsCompleteValue(ReadOnlySpan<byte> line)
    {
        var reader = new Utf8JsonReader(line, new JsonReaderOptions { MaxDepth = Limits.MaxJsonDepth + 1 });
        try
        {
            return reader.Read() && reader.TrySkip() && !reader.Read();
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static void LoadDocument(JsonElement root, string source, ImmutableArray<LoadedAttestation>.Builder into, bool allowArray)
    {
        try
        {
            if (allowArray && root.ValueKind == JsonValueKind.Array)
            {
                StrictJson.AsArray(root, "$", Limits.MaxAttestationsPerFile, DiagnosticCode.TooManyAttestations);
                var index = 0;
                foreach (var item in root.EnumerateArray())
                {
                    LoadDocument(item, $"{source}[{index++}]", into, allowArray: false);
                }

                return;
            }

            into.AddRange(LoadOne(root, source));
        }
        catch (InvalidInputException e) when (e.Problem.Location is null || !e.Problem.Location.StartsWith(source, StringComparison.Ordinal))
        {
            throw new InvalidInputException(e.Problem.Within(source));
        }
    }

    private static List<LoadedAttestation> LoadOne(JsonElement root, string source)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw InvalidInputException.At(DiagnosticCode.UnknownContainer, "$",
                $"expected an attestation (a JSON object), found {StrictJson.Describe(root)}");
        }

        if (SigstoreBundle.LooksLikeBundle(root))
        {
            var bundle = SigstoreBundle.Parse(root, "$");
            return [new LoadedAttestation(source, AttestationFormat.SigstoreBundle, bundle.Envelope, bundle)];
        }

        if (root.TryGetProperty("payloadType", out _) || root.TryGetProperty("signatures", out _))
        {
            return [new LoadedAttestation(source, AttestationFormat.DsseEnvelope, DsseEnvelope.Parse(root, "$"), null)];
        }

        if (root.TryGetProperty("provenance_summary", out _))
        {
            return LoadCloudBuild(root, source);
        }

        if (root.TryGetProperty("attestations", out _))
        {
            return LoadListing(root, source);
        }

        if (root.TryGetProperty("_type", out _) || root.TryGetProperty("predicateType", out _))
        {
            throw InvalidInputException.At(DiagnosticCode.UnknownContainer, "$",
                "this is an unsigned in-toto statement: nothing vouches for it; give the signed envelope or bundle instead");
        }

        if (root.TryGetProperty("mediaType", out _))
        {
            throw InvalidInputException.At(DiagnosticCode.UnsupportedBundleMediaType, "$.mediaType",
                "the media type is not that of a Sigstore bundle");
        }

        throw InvalidInputException.At(DiagnosticCode.UnknownContainer, "$",
            "not a Sigstore bundle, a DSSE envelope, an attestations listing or Cloud Build provenance JSON");
    }

    /// <summary>Each listed bundle; the fields beside it (predicateType, repository_id) are unsigned and ignored.</summary>
    private static List<LoadedAttestation> LoadListing(JsonElement root, string source)
    {
        var list = StrictJson.RequiredArray(root, "attestations", "$", Limits.MaxAttestationsPerFile, DiagnosticCode.TooManyAttestations);
        var result = new List<LoadedAttestation>();
        var index = 0;
        foreach (var entry in list.EnumerateArray())
        {
            var path = $"$.attestations[{index}]";
            var bundle = SigstoreBundle.Parse(StrictJson.Required(entry, "bundle", path), path + ".bundle");
            result.Add(new LoadedAttestation($"{source}[{index}]", AttestationFormat.AttestationsListing, bundle.Envelope, bundle));
            index++;
        }

        return result;
    }

    /// <summary>
    /// Cloud Build's provenance JSON holds one DSSE envelope per provenance entry; the unsigned copies beside them
    /// (<c>build.intotoStatement</c>, <c>image_summary</c>) are ignored, since only the signed payload counts.
    /// </summary>
    private static List<LoadedAttestation> LoadCloudBuild(JsonElement root, string source)
    {
        var summary = StrictJson.Required(root, "provenance_summary", "$");
        var provenance = StrictJson.RequiredArray(summary, "provenance", "$.provenance_summary",
            Limits.MaxAttestationsPerFile, DiagnosticCode.TooManyAttestations);
        var result = new List<LoadedAttestation>();
        var index = 0;
        foreach (var entry in provenance.EnumerateArray())
        {
            var path = $"$.provenance_summary.provenance[{index}]";
            var envelope = DsseEnvelope.Parse(StrictJson.Required(entry, "envelope", path), path + ".envelope", urlSafeSignatures: true);
            result.Add(new LoadedAttestation($"{source}[{index}]", AttestationFormat.CloudBuildProvenance, envelope, null));
            index++;
        }

        return result;
    }
}
