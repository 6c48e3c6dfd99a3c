using System.Buffers;
using System.Collections.Immutable;
using System.Text.Json;
using Provenance.Json;

namespace Provenance.Attestations;

/// <summary>
/// An in-toto DigestSet (https://github.com/in-toto/attestation/blob/main/spec/v1/digest_set.md): algorithm
/// name to digest value. Values of the hash algorithms the spec names are checked to be hex of the algorithm's
/// length and kept in lowercase; values of other algorithms (<c>gitCommit</c>, <c>dirHash</c>,
/// <c>goModuleH1</c>, …) are kept as given, because their encodings are defined elsewhere.
/// </summary>
public sealed record DigestSet
{
    // Hex lengths of the algorithms whose values are validated. Names are compared exactly: the spec spells
    // them in lowercase, and an unknown spelling such as "SHA256" is kept but can never match an artifact.
    private static readonly ImmutableDictionary<string, int> HexLengths = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        ["md5"] = 32,
        ["sha1"] = 40,
        ["sha224"] = 56,
        ["sha256"] = 64,
        ["sha384"] = 96,
        ["sha512"] = 128,
        ["sha512_224"] = 56,
        ["sha512_256"] = 64,
        ["sha3_224"] = 56,
        ["sha3_256"] = 64,
        ["sha3_384"] = 96,
        ["sha3_512"] = 128,
    }.ToImmutableDictionary(StringComparer.Ordinal);

    private static readonly SearchValues<char> HexDigits = SearchValues.Create("0123456789abcdefABCDEF");

    // The only algorithms an artifact may match through, strongest last so callers can prefer it.
    private static readonly ImmutableArray<string> StrongAlgorithms = ["sha256", "sha384", "sha512"];

    /// <summary>A digest set with no entries.</summary>
    public static DigestSet Empty { get; } = new(ImmutableSortedDictionary<string, string>.Empty.WithComparers(StringComparer.Ordinal));

    private DigestSet(ImmutableSortedDictionary<string, string> entries) => Entries = entries;

    /// <summary>Every entry, algorithm name to value, ordered by algorithm name.</summary>
    public ImmutableSortedDictionary<string, string> Entries { get; }

    /// <summary>True when the set has no entries.</summary>
    public bool IsEmpty => Entries.IsEmpty;

    /// <summary>
    /// The sha256, sha384 and sha512 entries, as lowercase hex. An artifact may only ever match a subject through
    /// these: sha1 and md5 are broken for collisions, and other algorithms are not verified here.
    /// </summary>
    public IEnumerable<(string Algorithm, string Hex)> StrongDigests
    {
        get
        {
            foreach (var algorithm in StrongAlgorithms)
            {
                if (Entries.TryGetValue(algorithm, out var hex))
                {
                    yield return (algorithm, hex);
                }
            }
        }
    }

    /// <summary>True when the set has at least one entry but none an artifact may match through.</summary>
    public bool HasOnlyWeakDigests => !IsEmpty && !StrongDigests.Any();

    /// <summary>The value for <paramref name="algorithm"/> (exact name, for example <c>gitCommit</c>), if present.</summary>
    public string? this[string algorithm] => Entries.TryGetValue(algorithm, out var value) ? value : null;

    /// <summary>True for the algorithms <see cref="StrongDigests"/> returns.</summary>
    public static bool IsStrong(string algorithm) => StrongAlgorithms.Contains(algorithm, StringComparer.Ordinal);

    /// <summary>Reads a DigestSet object at <paramref name="path"/>.</summary>
    internal static DigestSet Parse(JsonElement element, string path)
    {
        StrictJson.RequireObject(element, path);
        var count = element.EnumerateObject().Count();
        if (count > Limits.MaxDigestsPerSubject)
        {
            throw InvalidInputException.At(DiagnosticCode.JsonTooLarge, path,
                $"{count} digests in one digest set where at most {Limits.MaxDigestsPerSubject} are accepted");
        }

        var builder = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            var valuePath = StrictJson.Child(path, property.Name);
            var value = StrictJson.AsString(property.Value, valuePath);
            builder[property.Name] = HexLengths.TryGetValue(property.Name, out var length)
                ? NormaliseHex(property.Name, value, length, valuePath)
                : value;
        }

        return new DigestSet(builder.ToImmutable());
    }

    private static string NormaliseHex(string algorithm, string value, int length, string path)
    {
        if (value.Length != length || value.AsSpan().IndexOfAnyExcept(HexDigits) >= 0)
        {
            throw InvalidInputException.At(DiagnosticCode.InvalidDigest, path,
                $"a {algorithm} digest must be {length} hex digits; found \"{StrictJson.Printable(value)}\"");
        }

        return value.ToLowerInvariant();
    }
}
