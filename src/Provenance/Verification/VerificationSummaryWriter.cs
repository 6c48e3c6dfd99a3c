using System.Buffers;
using System.Collections.Immutable;
using System.Reflection;
using System.Security.Cryptography;
using System.Text.Json;
using Provenance.Attestations;
using Provenance.Cryptography;
using Provenance.Envelopes;

namespace Provenance.Verification;

/// <summary>A file a verification summary names as its policy or an input attestation: its URI and the SHA-256 of its bytes.</summary>
/// <param name="Uri">Where the file is (a path or URI).</param>
/// <param name="Sha256">Lowercase hex SHA-256 of the file's bytes.</param>
public sealed record SummaryResource(string Uri, string Sha256)
{
    /// <summary>The resource at <paramref name="uri"/> whose bytes are <paramref name="content"/>.</summary>
    public static SummaryResource FromContent(string uri, ReadOnlySpan<byte> content)
    {
        ArgumentException.ThrowIfNullOrEmpty(uri);
        return new SummaryResource(uri, Convert.ToHexStringLower(SHA256.HashData(content)));
    }
}

/// <summary>What a verification summary records beyond the verification result itself.</summary>
public sealed record VerificationSummaryOptions
{
    /// <summary>The clock <c>timeVerified</c> is read from; required (the library never reads the system clock).</summary>
    public required TimeProvider TimeProvider { get; init; }

    /// <summary>The policy file verified against; null when there was none (the summary then has an empty <c>policy</c>).</summary>
    public SummaryResource? Policy { get; init; }

    /// <summary>The attestation files the verifier read.</summary>
    public ImmutableArray<SummaryResource> InputAttestations { get; init; } = [];
}

/// <summary>
/// Writes SLSA Verification Summary Attestations v1 (https://slsa.dev/spec/v1.0/verification_summary): an in-toto
/// Statement v1 (in-toto attestation spec v1, statement.md) that this verifier checked an artifact, and the verdict.
/// </summary>
/// <remarks>
/// <c>verifiedLevels</c> is always empty: a level is a claim about the build platform that this verifier does not
/// yet establish (a known builder's identity bound to the provenance), and an empty list claims nothing.
/// </remarks>
public static class VerificationSummaryWriter
{
    /// <summary><c>verifier.id</c>.</summary>
    public const string VerifierId = "https://github.com/provenance/provenance";

    /// <summary>The <c>slsaVersion</c> the summary is written against.</summary>
    public const string SlsaVersion = "1.0";

    /// <summary><c>verifier.version["provenance"]</c>: this library's informational version.</summary>
    public static string VerifierVersion { get; } =
        typeof(VerificationSummaryWriter).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    /// <summary>True when <paramref name="result"/> has a digest to name as the summary's subject (an unreadable artifact has none).</summary>
    public static bool CanSummarize(VerificationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return !result.Digests.IsEmpty;
    }

    /// <summary>
    /// The statement, as compact UTF-8 JSON: subject the artifact (its file name and sha256, or the digest it was
    /// given as), <c>verificationResult</c> PASSED exactly when <see cref="VerificationResult.Verified"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The result has no digest (see <see cref="CanSummarize"/>).</exception>
    public static byte[] CreateStatement(VerificationResult result, VerificationSummaryOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.TimeProvider);
        if (!CanSummarize(result))
        {
            throw new ArgumentException("A verification summary names the artifact by digest; this result has none.", nameof(result));
        }

        var givenAsDigest = result.Digests.Any(d => d.ToString() == result.Artifact);
        var sha256 = result.Digests.Where(d => d.Algorithm == DigestAlgorithm.Sha256).ToList();
        var subjectDigests = sha256.Count > 0 ? sha256 : [.. result.Digests];

        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("_type", Statement.TypeV1);
            writer.WriteStartArray("subject");
            writer.WriteStartObject();
            if (!givenAsDigest)
            {
                writer.WriteString("name", Path.GetFileName(result.Artifact));
            }

            writer.WriteStartObject("digest");
            foreach (var digest in subjectDigests)
            {
                writer.WriteString(digest.Algorithm.Name(), digest.Hex);
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
            writer.WriteEndArray();
            writer.WriteString("predicateType", VerificationSummary.PredicateType);
            writer.WriteStartObject("predicate");
            writer.WriteStartObject("verifier");
            writer.WriteString("id", VerifierId);
            writer.WriteStartObject("version");
            writer.WriteString("provenance", VerifierVersion);
            writer.WriteEndObject();
            writer.WriteEndObject();
            writer.WriteString("timeVerified", Rfc3339.Format(options.TimeProvider.GetUtcNow()));
            writer.WriteString("resourceUri", result.Artifact);
            writer.WritePropertyName("policy");
            WriteResource(writer, options.Policy);
            writer.WriteStartArray("inputAttestations");
            foreach (var attestation in options.InputAttestations)
            {
                WriteResource(writer, attestation);
            }

            writer.WriteEndArray();
            writer.WriteString("verificationResult", result.Verified ? "PASSED" : "FAILED");
            writer.WriteStartArray("verifiedLevels");
            writer.WriteEndArray();
            writer.WriteString("slsaVersion", SlsaVersion);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The statement in a DSSE envelope signed by <paramref name="key"/>, as one line of JSON.</summary>
    public static byte[] CreateSignedEnvelope(VerificationResult result, VerificationSummaryOptions options, SigningKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return DsseEnvelope.Sign(DsseEnvelope.InTotoPayloadType, CreateStatement(result, options), key).ToJson();
    }

    private static void WriteResource(Utf8JsonWriter writer, SummaryResource? resource)
    {
        writer.WriteStartObject();
        if (resource is not null)
        {
            writer.WriteString("uri", resource.Uri);
            writer.WriteStartObject("digest");
            writer.WriteString("sha256", resource.Sha256);
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }
}
