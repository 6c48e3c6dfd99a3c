using System.Collections.Immutable;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Provenance.Envelopes;
using Provenance.Http;
using Provenance.Verification;

namespace Provenance.Sources.Rekor;

/// <summary>
/// Finds the transparency log entries of keyless DSSE envelopes that carry none — the SLSA GitHub generator's
/// <c>.intoto.jsonl</c> up to v2.0.0 — and hands each entry back as a Sigstore bundle of that envelope, to be verified
/// exactly as a local bundle. The log is searched by the SHA-256 of the envelope's payload: Rekor indexes intoto 0.0.2
/// and dsse 0.0.1 entries by it (and not by the envelope's own hash, which it cannot recompute). Everything the log
/// returns is untrusted: an entry for another envelope, a bad proof or an unknown log fails verification like a
/// bad local bundle.
/// </summary>
public sealed class LogEntryLookup
{
    /// <summary>The check name lookups report under.</summary>
    public const string CheckName = "log-entry-lookup";

    /// <summary>The public-good Rekor, the default log.</summary>
    public static readonly Uri PublicGoodRekor = new("https://rekor.sigstore.dev");

    private readonly HttpFetcher _fetcher;
    private readonly RekorClient _rekor;

    /// <summary>A lookup in the Rekor at <paramref name="rekorUrl"/> through <paramref name="fetcher"/> (whose Offline forbids it).</summary>
    public LogEntryLookup(HttpFetcher fetcher, Uri rekorUrl)
    {
        ArgumentNullException.ThrowIfNull(fetcher);
        ArgumentNullException.ThrowIfNull(rekorUrl);
        _fetcher = fetcher;
        _rekor = new RekorClient(fetcher, rekorUrl);
    }

    /// <summary>
    /// The attestations to verify: every input as it was, except that a file whose attestations are all envelopes
    /// needing a lookup is replaced by one bundle per entry found. A file that needed a lookup is handed on as the
    /// bytes read, so the verifier sees what was looked up.
    /// </summary>
    public async Task<LookupOutcome> ResolveAsync(IReadOnlyList<AttestationInput> inputs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        // Reading and parsing is most of the work for a batch of thousands of files, and needs no network: in
        // parallel. Only what a lookup needs is kept of each parse, and the bytes only of files with an envelope to
        // look up; the lookups themselves go one at a time, in order.
        var read = new (ReadOnlyMemory<byte>? Content, List<LoadedAttestation> Legacy, bool AllLegacy)[inputs.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, inputs.Count),
            new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken },
            async (i, token) =>
            {
                var (content, loaded, rereadable) = await ReadAsync(inputs[i], token).ConfigureAwait(false);
                var legacy = loaded.Where(NeedsLookup).ToList();
                read[i] = (legacy.Count == 0 && rereadable ? null : content, legacy, legacy.Count > 0 && legacy.Count == loaded.Length);
            }).ConfigureAwait(false);

        var resolved = ImmutableArray.CreateBuilder<AttestationInput>();
        var checks = ImmutableArray.CreateBuilder<Check>();
        for (var i = 0; i < inputs.Count; i++)
        {
            var input = inputs[i];
            var (content, legacy, allLegacy) = read[i];
            if (content is null)
            {
                // Handed on as it came, not as the bytes read here: a batch would otherwise hold every file in memory.
                // The verifier reads it again and judges what it reads; nothing here vouched for these bytes.
                resolved.Add(input);
                continue;
            }

            var bundles = new List<AttestationInput>();
            var failed = false;
            foreach (var attestation in legacy)
            {
                var (found, check) = await LookUpAsync(attestation, cancellationToken).ConfigureAwait(false);
                checks.Add(check);
                failed |= !check.Passed;
                bundles.AddRange(found);
            }

            // A file that also holds attestations needing no lookup, or whose lookup failed, or a pipe that needed
            // none, is kept as it is, so the verifier still reports on all of it.
            if (failed || !allLegacy)
            {
                resolved.Add(AttestationInput.FromContent(input.Name, content.Value));
            }

            resolved.AddRange(bundles);
        }

        return new LookupOutcome(resolved.ToImmutable(), checks.ToImmutable());
    }

    /// <summary>A keyless in-toto envelope with no log entry: its certificate is there, the evidence of its time is not.</summary>
    internal static bool NeedsLookup(LoadedAttestation attestation) =>
        attestation is { Bundle: null, Envelope: { } envelope }
        && envelope.PayloadType == DsseEnvelope.InTotoPayloadType
        && envelope.Signatures.Any(s => s.CertificatePem is not null);

    /// <summary>
    /// Whether the JSON (one document or JSON Lines) may hold a DSSE signature's <c>cert</c>: only then can an
    /// envelope need a lookup, so a file without that key is not parsed here (the verifier parses it anyway). Keys
    /// are compared as a reader unescapes them, so <c>"c\u0065rt"</c> counts; JSON this reader cannot read is left
    /// to the full parse.
    /// </summary>
    internal static bool MayCarryCertificate(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { AllowMultipleValues = true, MaxDepth = Limits.MaxJsonDepth + 1 });
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("cert"u8))
                {
                    return true;
                }
            }
        }
        catch (JsonException)
        {
            return true;
        }

        return false;
    }

    /// <summary>Reads one input, and parses it when it may need a lookup. <c>Rereadable</c> is false for a pipe, whose bytes must be handed on.</summary>
    private static async Task<(ReadOnlyMemory<byte>? Content, ImmutableArray<LoadedAttestation> Loaded, bool Rereadable)> ReadAsync(
        AttestationInput input, CancellationToken cancellationToken)
    {
        ReadOnlyMemory<byte> content;
        var rereadable = true;
        if (input.Content is { } inMemory)
        {
            content = inMemory;
        }
        else
        {
            var (bytes, problem, again) = await BoundedFile.ReadOnceAsync(input.Path!, Limits.MaxAttestationFileBytes, "attestation", cancellationToken)
                .ConfigureAwait(false);
            if (problem is not null)
            {
                // The verifier reads it again and reports why it cannot.
                return (null, [], true);
            }

            content = bytes;
            rereadable = again;
        }

        if (!MayCarryCertificate(content.Span))
        {
            return (content, [], rereadable);
        }

        try
        {
            return (content, AttestationLoader.Load(content, input.Name), rereadable);
        }
        catch (InvalidInputException)
        {
            return (content, [], rereadable);
        }
    }

    private async Task<(List<AttestationInput> Bundles, Check Check)> LookUpAsync(LoadedAttestation attestation, CancellationToken cancellationToken)
    {
        var envelope = attestation.Envelope!;
        var source = attestation.Source;
        var rekor = _rekor.BaseUrl.ToString();
        if (_fetcher.Options.Offline)
        {
            return ([], Fail(source, new Problem(DiagnosticCode.LogEntryLookupOffline,
                "the envelope is signed keyless but carries no transparency log entry, and --offline forbids looking it up in " + rekor
                + "; drop --offline, or verify the Sigstore bundle of the same attestation instead", "signatures")));
        }

        if (CertificateDer(envelope) is not { } certificate)
        {
            return ([], Fail(source, new Problem(DiagnosticCode.UnsupportedVerificationMaterial,
                "the envelope's certificate is not one PEM certificate, so no log entry can be bound to it", "signatures[].cert")));
        }

        var key = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(envelope.Payload.Span));
        var bundles = new List<AttestationInput>();
        try
        {
            var uuids = await _rekor.SearchAsync(key, cancellationToken).ConfigureAwait(false);
            foreach (var uuid in uuids)
            {
                var entry = await _rekor.GetEntryAsync(uuid, cancellationToken).ConfigureAwait(false);
                try
                {
                    bundles.Add(AttestationInput.FromContent(source + " (rekor entry " + uuid + ")", RekorEntryBundle.Create(entry, envelope, certificate)));
                }
                catch (InvalidInputException e)
                {
                    return ([], Fail(source, new Problem(DiagnosticCode.SourceResponseInvalid,
                        "the log's entry " + uuid + " is not what the Rekor API defines: " + e.Problem.Message, rekor + (e.Problem.Location is { } at ? ": " + at : ""))));
                }
            }
        }
        catch (HttpFetchException e)
        {
            return ([], Fail(source, e.Problem));
        }

        if (bundles.Count == 0)
        {
            return ([], Fail(source, new Problem(DiagnosticCode.LogEntryNotFound,
                $"{rekor} holds no entry for the envelope's payload ({key}), so nothing witnesses when it was signed; check --rekor-url", "payload")));
        }

        return (bundles, new Check(CheckName, true,
            string.Create(CultureInfo.InvariantCulture, $"found {bundles.Count} entr{(bundles.Count == 1 ? "y" : "ies")} for the payload {key} in {rekor}, each verified as a bundle"), source));
    }

    private static Check Fail(string source, Problem problem) =>
        new(CheckName, false, problem.Message, source, problem.Code, Location: problem.Location);

    /// <summary>The DER of the first signature's certificate: the leaf, as the SLSA generator embeds it.</summary>
    private static byte[]? CertificateDer(DsseEnvelope envelope)
    {
        var pem = envelope.Signatures.First(s => s.CertificatePem is not null).CertificatePem!;
        if (!PemEncoding.TryFind(pem, out var fields) || !pem[fields.Label].SequenceEqual("CERTIFICATE"))
        {
            return null;
        }

        var der = new byte[fields.DecodedDataLength];
        return Convert.TryFromBase64Chars(pem[fields.Base64Data], der, out var written) && written <= Limits.MaxCertificateBytes ? der[..written] : null;
    }
}

/// <summary>The attestations to verify after lookups, and a check per lookup made.</summary>
/// <param name="Attestations">The inputs, with looked-up entries as bundles.</param>
/// <param name="Checks">One check per envelope looked up: what was found, or why nothing was.</param>
public sealed record LookupOutcome(ImmutableArray<AttestationInput> Attestations, ImmutableArray<Check> Checks)
{
    /// <summary>
    /// The results with the lookup checks added before their own; a failed lookup leaves an input unread, so, as
    /// with an unreadable file, no result is verified.
    /// </summary>
    public ImmutableArray<VerificationResult> Apply(ImmutableArray<VerificationResult> results) =>
        Checks.IsEmpty ? results : [.. results.Select(Apply)];

    /// <summary>One result with the lookup checks added before its own, as <see cref="Apply(ImmutableArray{VerificationResult})"/> does for each.</summary>
    public VerificationResult Apply(VerificationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return Checks.IsEmpty ? result : result with { Checks = [.. Checks, .. result.Checks], Verified = result.Verified && Checks.All(c => c.Passed) };
    }
}
