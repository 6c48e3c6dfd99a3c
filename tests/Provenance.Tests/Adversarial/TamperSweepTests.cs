using System.Formats.Asn1;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Provenance.Cryptography;
using Provenance.Sigstore;
using Provenance.Testing;
using Provenance.Tests.Verification;
using Provenance.Verification;

namespace Provenance.Tests.Adversarial;

/// <summary>
/// Tampering, one thing at a time, with bundles that verify: every passing run of the sigstore-conformance suite
/// (testdata/sigstore-conformance/manifest.json, verified as the CLI would with the run's root, identity or key) and
/// every valid bundle <see cref="VirtualSigstore"/> mints (DSSE and message signature, Rekor v1 and v2). Every
/// string and number of the bundle is mutated in turn: bytes fields are base64-decoded, one bit flipped at sampled
/// positions, and re-encoded; integers are moved by one; text has one character changed. Each mutant must be
/// rejected with a diagnostic code and must never make <c>VerifyAsync</c> throw. The sampling is seeded, so every
/// run tries the same mutants.
/// </summary>
public sealed class TamperSweepTests(ITestOutputHelper output) : IDisposable
{
    private const int Seed = 20_261_127;

    /// <summary>Decoded bytes fields, by property name (protobuf-specs bundle JSON: bytes are base64).</summary>
    private static readonly HashSet<string> BytesFields = new(StringComparer.Ordinal)
    {
        "rawBytes", "signature", "sig", "payload", "digest", "keyId", "canonicalizedBody", "signedEntryTimestamp", "hashes", "rootHash",
        "signedTimestamp",
    };

    /// <summary>
    /// Fields a verifier ignores by design, so a mutant of them may verify. Each is an unauthenticated label that
    /// nothing reads for a decision; anything else that survives is a finding.
    /// </summary>
    private static readonly Dictionary<string, string> IgnoredByDesign = new(StringComparer.Ordinal)
    {
        // protobuf-specs PublicKeyIdentifier: "an optional, unauthenticated hint"; the caller's keys are each tried.
        ["verificationMaterial.publicKey.hint"] = "an unauthenticated key hint",
        // DSSE: "KEYID: optional, unauthenticated hint indicating what key and algorithm was used to sign".
        ["dsseEnvelope.signatures[0].keyid"] = "DSSE's optional, unauthenticated key id hint",
    };

    /// <summary>The bundle media types protobuf-specs defines (sigstore_bundle.proto).</summary>
    private static readonly HashSet<string> MediaTypes = new(StringComparer.Ordinal)
    {
        "application/vnd.dev.sigstore.bundle+json;version=0.1",
        "application/vnd.dev.sigstore.bundle+json;version=0.2",
        "application/vnd.dev.sigstore.bundle+json;version=0.3",
        "application/vnd.dev.sigstore.bundle.v0.3+json",
    };

    /// <summary>Whether a mutant that still verifies changed only what no verifier may rely on.</summary>
    private static bool MaySurvive(Mutant mutant) => mutant.Path switch
    {
        _ when IgnoredByDesign.ContainsKey(mutant.Path) => true,
        // The media type is not signed; it only selects the rules of a bundle version. A mutant naming another
        // defined version that still verifies met every rule of that version (0.2 and 0.3 ask the same proofs).
        "mediaType" => MediaTypes.Contains(mutant.Replacement),
        _ when mutant.Path.EndsWith(".checkpoint.envelope", StringComparison.Ordinal) => UnsignedPartOfNote(mutant.Original, mutant.Replacement, mutant.Position),
        _ when mutant.Path.EndsWith(".signedTimestamp", StringComparison.Ordinal) => UnsignedPartOfToken(mutant.Original, mutant.Position),
        _ => false,
    };

    /// <summary>
    /// Whether a changed character of a signed note (C2SP signed-note) leaves what the log proved intact: the
    /// signatures follow the note's blank line and sign only the text above it. The log's line is the first whose
    /// key name is the origin's; lines with another key ID (witness cosignatures, or another key under the log's
    /// name) are of keys the trusted root does not list, which the spec requires verifiers to ignore, names and all.
    /// The log's own line is the log's by name and key ID together, so a change to its name must be refused; a
    /// change of base64 padding bits leaves the signature's bytes as they were.
    /// </summary>
    private static bool UnsignedPartOfNote(string note, string mutated, int position)
    {
        var blank = note.IndexOf("\n\n", StringComparison.Ordinal);
        if (blank < 0 || position <= blank + 1)
        {
            return false;
        }

        // The origin line: Rekor v1 writes "<name> - <tree id>", Rekor v2 the log's name alone.
        var origin = note[..note.IndexOf('\n', StringComparison.Ordinal)].Split(' ')[0];
        var lines = note[(blank + 2)..].Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var logLine = lines.First(l => l.Split(' ')[1] == origin);
        var lineStart = note.LastIndexOf('\n', position - 1) + 1;
        var line = note[lineStart..note.IndexOf('\n', position)];
        var mutatedLine = mutated[lineStart..mutated.IndexOf('\n', position)];
        var inName = position - lineStart < 2 + line.Split(' ')[1].Length;
        // A name change in the log's own line must be refused: the line is the log's by name and key ID together.
        return (inName && line != logLine)
            || !KeyId(line).SequenceEqual(KeyId(logLine))
            || Convert.FromBase64String(line.Split(' ')[2]).SequenceEqual(Convert.FromBase64String(mutatedLine.Split(' ')[2]));

        static byte[] KeyId(string signatureLine) => Convert.FromBase64String(signatureLine.Split(' ')[2])[..4];
    }

    /// <summary>
    /// Whether a changed byte of an RFC 3161 token lies in a part of its SignedData (RFC 5652 section 5.1) that is
    /// not signed and decides nothing: the syntax version (SignedCms accepts any); digestAlgorithms, a list
    /// "intended to aid one-pass processing" (the signer's own digestAlgorithm and signed messageDigest attribute are
    /// what is checked); and the certificates, since an authority the trusted root lists with its signing certificate
    /// is verified with that certificate, never with one the token carries (TimestampVerifier).
    /// </summary>
    private static bool UnsignedPartOfToken(string base64, int position)
    {
        var der = Convert.FromBase64String(base64);
        var outer = new AsnReader(der, AsnEncodingRules.DER).ReadSequence();
        // A TimeStampResp (RFC 3161 section 2.4.2) starts with its status, a TimeStampToken (ContentInfo) with an OID.
        if (outer.PeekTag() == Asn1Tag.Sequence)
        {
            outer.ReadSequence();
            outer = outer.ReadSequence();
        }

        outer.ReadObjectIdentifier();
        var signedData = outer.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0)).ReadSequence();
        var unsigned = new List<ReadOnlyMemory<byte>> { signedData.ReadEncodedValue(), signedData.ReadEncodedValue() };
        signedData.ReadSequence();
        if (signedData.HasData && signedData.PeekTag() == new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true))
        {
            unsigned.Add(signedData.ReadEncodedValue());
        }

        return unsigned.Any(part => MemoryMarshal.TryGetArray(part, out var segment)
            && position >= segment.Offset && position < segment.Offset + segment.Count);
    }

    private readonly VirtualSigstore _sigstore = new();

    public void Dispose() => _sigstore.Dispose();

    public static TheoryData<string> ConformanceRuns()
    {
        using var manifest = JsonDocument.Parse(TestData.ReadAllBytes("sigstore-conformance", "manifest.json"));
        var passing = manifest.RootElement.GetProperty("cases").EnumerateArray()
            .Where(c => c.GetProperty("expected").GetString() == "pass")
            .Select(c => c.GetProperty("dir").GetString()!)
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal);
        return [.. passing];
    }

    [Theory]
    [MemberData(nameof(ConformanceRuns))]
    public async Task Every_mutant_of_a_conformance_bundle_is_rejected(string dir)
    {
        using var manifest = JsonDocument.Parse(TestData.ReadAllBytes("sigstore-conformance", "manifest.json"));
        // The PATH- run of the directory: the artifact file, hashed as the CLI hashes it (sha256, sha384 and sha512).
        var run = manifest.RootElement.GetProperty("cases").EnumerateArray()
            .First(c => c.GetProperty("dir").GetString() == dir && c.GetProperty("expected").GetString() == "pass");
        string? Text(string name) => run.GetProperty(name).ValueKind == JsonValueKind.String ? run.GetProperty(name).GetString() : null;

        var options = new VerifierOptions { TrustedRoot = TrustedRoot.Parse(TestData.ReadAllBytes("sigstore-conformance", Text("trustedRoot")!)) };
        options = Text("key") is { } key
            ? options with { Keys = [VerificationKey.Parse(TestData.ReadAllBytes("sigstore-conformance", key))] }
            : options with { Identities = [CertificateIdentity.Create(Text("certificateIdentity"), null, Text("certificateOidcIssuer"), null)] };

        await SweepAsync(dir, TestData.ReadAllBytes("sigstore-conformance", Text("bundle")!),
            new ProvenanceVerifier(options), ArtifactInput.FromFile(TestData.Path("sigstore-conformance", Text("artifactPath")!)));
    }

    [Theory]
    [MemberData(nameof(VirtualSigstoreTests.ValidCombinations), MemberType = typeof(VirtualSigstoreTests))]
    public async Task Every_mutant_of_a_minted_bundle_is_rejected(BundleVersion version, BundleContent content, LogEntryType log, bool timestamp)
    {
        var bundle = _sigstore.Bundle(new BundleOptions { Version = version, Content = content, Log = log, Timestamp = timestamp });
        var options = new VerifierOptions
        {
            TrustedRoot = TrustedRoot.Parse(Encoding.UTF8.GetBytes(_sigstore.TrustedRootJson)),
            Identities = [CertificateIdentity.Create(VirtualSigstore.DefaultIdentity, null, VirtualSigstore.DefaultIssuer, null)],
        };
        using var directory = new TempDirectory();
        var path = directory.Write("artifact", VirtualSigstore.DefaultArtifact);

        await SweepAsync($"{version} {content} {log} timestamp={timestamp}", Encoding.UTF8.GetBytes(bundle),
            new ProvenanceVerifier(options, _sigstore.Clock), ArtifactInput.FromFile(path));
    }

    private async Task SweepAsync(string vector, byte[] bundle, ProvenanceVerifier verifier, ArtifactInput artifact)
    {
        var root = JsonNode.Parse(bundle)!;

        // The control: the bundle, re-serialized as mutants are, verifies. Otherwise a rejection proves nothing.
        var control = await VerifyAsync(verifier, artifact, Serialize(root));
        Assert.True(control.Verified, string.Join("; ", control.Failures.Select(f => $"{f.Code}: {f.Message} at {f.Location}")));

        var tried = new Dictionary<string, int>(StringComparer.Ordinal);
        var survivors = new List<string>();
        var crashes = new List<string>();
        var uncoded = new List<string>();
        var ignored = 0;
        foreach (var mutant in Mutants(root, new Random(Seed)))
        {
            tried[mutant.Kind] = tried.GetValueOrDefault(mutant.Kind) + 1;
            VerificationResult result;
            try
            {
                result = await VerifyAsync(verifier, artifact, mutant.Json);
            }
#pragma warning disable CA1031 // The sweep records any exception: none may escape VerifyAsync.
            catch (Exception e)
#pragma warning restore CA1031
            {
                crashes.Add($"{mutant}: {e}");
                continue;
            }

            if (result.Verified)
            {
                if (MaySurvive(mutant))
                {
                    ignored++;
                }
                else
                {
                    survivors.Add(mutant.ToString());
                }
            }
            else if (!result.Failures.Any() || result.Failures.Any(f => f.Code is null))
            {
                uncoded.Add(mutant.ToString());
            }
        }

        output.WriteLine($"{vector}: {string.Join(", ", tried.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => $"{t.Key} {t.Value}"))}; "
            + $"total {tried.Values.Sum()}, verified but ignored by design {ignored}, survivors {survivors.Count}, crashes {crashes.Count}");
        Assert.True(tried.Values.Sum() > 0, "no mutant was made");
        Assert.True(crashes.Count == 0, "VerifyAsync threw:\n" + string.Join("\n", crashes));
        Assert.True(survivors.Count == 0, "mutants that still verify:\n" + string.Join("\n", survivors));
        Assert.True(uncoded.Count == 0, "rejected without a diagnostic code:\n" + string.Join("\n", uncoded));
    }

    private static async Task<VerificationResult> VerifyAsync(ProvenanceVerifier verifier, ArtifactInput artifact, string json) =>
        await verifier.VerifyAsync(artifact, [AttestationInput.FromContent("mutant.sigstore.json", Encoding.UTF8.GetBytes(json))],
            TestContext.Current.CancellationToken);

    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static string Serialize(JsonNode root) => root.ToJsonString(Relaxed);

    /// <summary>
    /// One mutant: the path of the field changed, the class of field, what was done (for text, the original, the
    /// position changed and the replacement), and the whole bundle.
    /// </summary>
    private sealed record Mutant(string Path, string Kind, string Change, string Json, string Original, int Position, string Replacement)
    {
        public override string ToString() => $"{Path} ({Change})";
    }

    /// <summary>Every field of the bundle, in document order, mutated in turn and restored.</summary>
    private static IEnumerable<Mutant> Mutants(JsonNode root, Random random)
    {
        foreach (var (path, name) in Leaves(root, "", "").Select(l => (l.Path, l.Name)).ToList())
        {
            var original = Find(root, path).DeepClone();
            var kind = Kind(path);
            var text = original.GetValueKind() == JsonValueKind.String ? original.GetValue<string>() : original.ToJsonString();
            foreach (var (replacement, change, position) in Replacements((JsonValue)original, name, random))
            {
                var replaced = replacement.GetValueKind() == JsonValueKind.String ? replacement.GetValue<string>() : replacement.ToJsonString();
                Find(root, path).ReplaceWith(replacement);
                var json = Serialize(root);
                replacement.ReplaceWith(original.DeepClone());
                yield return new Mutant(path, kind, change, json, text, position, replaced);
            }
        }
    }

    private static JsonValue Find(JsonNode root, string path) => (JsonValue)Leaves(root, "", "").First(l => l.Path == path).Value;

    private static IEnumerable<(JsonValue Value, string Path, string Name)> Leaves(JsonNode node, string path, string name)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (key, child) in o.ToList())
                {
                    if (child is not null)
                    {
                        foreach (var leaf in Leaves(child, path.Length == 0 ? key : $"{path}.{key}", key))
                        {
                            yield return leaf;
                        }
                    }
                }

                break;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++)
                {
                    if (a[i] is { } child)
                    {
                        foreach (var leaf in Leaves(child, string.Create(CultureInfo.InvariantCulture, $"{path}[{i}]"), name))
                        {
                            yield return leaf;
                        }
                    }
                }

                break;
            case JsonValue v:
                yield return (v, path, name);
                break;
        }
    }

    /// <summary>The class of a field, for the tally: what part of the evidence it belongs to.</summary>
    private static string Kind(string path) => path switch
    {
        _ when path.Contains("tlogEntries", StringComparison.Ordinal) => "tlog",
        _ when path.Contains("timestampVerificationData", StringComparison.Ordinal) => "rfc3161",
        _ when path.StartsWith("verificationMaterial", StringComparison.Ordinal) => "certificate-or-key",
        _ when path.Contains("signatures", StringComparison.Ordinal) || path == "messageSignature.signature" => "signature",
        _ when path.StartsWith("dsseEnvelope", StringComparison.Ordinal) => "dsse-payload",
        _ when path.StartsWith("messageSignature", StringComparison.Ordinal) => "message-digest",
        _ => "bundle",
    };

    /// <summary>How many positions of a field are sampled: every byte of a short field would be many slow runs.</summary>
    private static int Samples(string name) => name switch
    {
        "rawBytes" or "signedTimestamp" => 24,
        "canonicalizedBody" or "payload" => 16,
        "signature" or "sig" => 12,
        "hashes" => 2,
        _ => 6,
    };

    private static IEnumerable<(JsonNode Replacement, string Change, int Position)> Replacements(JsonValue value, string name, Random random)
    {
        if (value.GetValueKind() == JsonValueKind.Number)
        {
            var number = value.GetValue<long>();
            yield return (JsonValue.Create(number + 1), "+1", -1);
            yield return (JsonValue.Create(number - 1), "-1", -1);
            yield break;
        }

        if (value.GetValueKind() is JsonValueKind.True or JsonValueKind.False)
        {
            yield return (JsonValue.Create(value.GetValueKind() == JsonValueKind.False), "negated", -1);
            yield break;
        }

        var text = value.GetValue<string>();
        if (BytesFields.Contains(name) && Base64Field.TryDecode(text, out var bytes, out var encoding) && bytes.Length > 0)
        {
            foreach (var position in Positions(bytes.Length, Samples(name), random))
            {
                var bit = random.Next(8);
                var flipped = (byte[])bytes.Clone();
                flipped[position] ^= (byte)(1 << bit);
                yield return (JsonValue.Create(encoding.Encode(flipped)), string.Create(CultureInfo.InvariantCulture, $"byte {position} bit {bit}"), position);
            }

            yield break;
        }

        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var integer))
        {
            yield return (JsonValue.Create((integer + 1).ToString(CultureInfo.InvariantCulture)), "+1", -1);
            if (integer > 0)
            {
                yield return (JsonValue.Create((integer - 1).ToString(CultureInfo.InvariantCulture)), "-1", -1);
            }

            yield break;
        }

        if (text.Length == 0)
        {
            yield return (JsonValue.Create("x"), "empty to x", 0);
            yield break;
        }

        foreach (var position in Positions(text.Length, name == "envelope" ? 16 : 6, random))
        {
            var chars = text.ToCharArray();
            chars[position] = (char)(chars[position] ^ 1);
            yield return (JsonValue.Create(new string(chars)), string.Create(CultureInfo.InvariantCulture, $"char {position}"), position);
        }
    }

    /// <summary>Up to <paramref name="count"/> distinct positions: the first, the last, and seeded random ones between.</summary>
    private static SortedSet<int> Positions(int length, int count, Random random)
    {
        var chosen = new SortedSet<int> { 0, length - 1 };
        while (chosen.Count < Math.Min(count, length))
        {
            chosen.Add(random.Next(length));
        }

        return chosen;
    }

    /// <summary>The base64 alphabet and padding a field was written with, to re-encode a mutant as the bundle had it.</summary>
    private sealed record Base64Field(bool UrlSafe, bool Padded)
    {
        public string Encode(byte[] bytes)
        {
            var text = Convert.ToBase64String(bytes);
            if (UrlSafe)
            {
                text = text.Replace('+', '-').Replace('/', '_');
            }

            return Padded ? text : text.TrimEnd('=');
        }

        public static bool TryDecode(string text, out byte[] bytes, out Base64Field encoding)
        {
            var urlSafe = text.Contains('-', StringComparison.Ordinal) || text.Contains('_', StringComparison.Ordinal);
            var padded = text.Length % 4 == 0;
            encoding = new Base64Field(urlSafe, padded);
            var standard = (urlSafe ? text.Replace('-', '+').Replace('_', '/') : text).PadRight((text.Length + 3) / 4 * 4, '=');
            bytes = new byte[standard.Length];
            if (!Convert.TryFromBase64String(standard, bytes, out var written) || encoding.Encode(bytes[..written]) != text)
            {
                bytes = [];
                return false;
            }

            bytes = bytes[..written];
            return true;
        }
    }
}
