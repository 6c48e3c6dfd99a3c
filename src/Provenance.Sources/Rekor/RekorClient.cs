using System.Buffers;
using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Provenance.Http;
using Provenance.Json;

namespace Provenance.Sources.Rekor;

/// <summary>
/// The two calls of the Rekor v1 REST API (sigstore/rekor openapi.yaml) a lookup needs: the index search
/// (<c>POST /api/v1/index/retrieve</c>) and an entry by UUID (<c>GET /api/v1/log/entries/{uuid}</c>). It only
/// carries bytes: what an entry proves is decided by the verifier, from the trusted root, never from this server.
/// </summary>
internal sealed partial class RekorClient(HttpFetcher fetcher, Uri baseUrl)
{
    /// <summary>The log's URL, as the user gave it.</summary>
    public Uri BaseUrl { get; } = baseUrl;

    // One log per client, so the payload digest (search) and the UUID (entry) name the request exactly.
    private readonly FetchCache<string, ImmutableArray<string>> _searches = new(comparer: StringComparer.Ordinal);
    private readonly FetchCache<string, ReadOnlyMemory<byte>> _entries = new(comparer: StringComparer.Ordinal);

    /// <summary>
    /// The UUIDs of entries indexed under <paramref name="key"/> (e.g. <c>sha256:HEX</c> of a DSSE payload), at most
    /// <see cref="Limits.MaxLogSearchEntries"/>, without repeats, in the order the log gave them.
    /// </summary>
    public Task<ImmutableArray<string>> SearchAsync(string key, CancellationToken cancellationToken) =>
        _searches.GetOrFetchAsync(key, FetchSearchAsync, cancellationToken);

    /// <summary>The entry with <paramref name="uuid"/>, as the log's JSON object for it (the value under its UUID).</summary>
    public Task<ReadOnlyMemory<byte>> GetEntryAsync(string uuid, CancellationToken cancellationToken) =>
        _entries.GetOrFetchAsync(uuid, FetchEntryAsync, cancellationToken);

    private async Task<ImmutableArray<string>> FetchSearchAsync(string key, CancellationToken cancellationToken)
    {
        var uri = Endpoint("api/v1/index/retrieve");
        var query = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(query))
        {
            writer.WriteStartObject();
            writer.WriteString("hash", key);
            writer.WriteEndObject();
        }

        // The index search changes nothing on the server, so a retry cannot do harm.
        var response = await fetcher.PostJsonAsync(uri, query.WrittenMemory, idempotent: true, Limits.MaxAttestationFileBytes, cancellationToken).ConfigureAwait(false);
        var body = RequireSuccess(response, uri);
        return Parse(body, uri, root =>
        {
            var uuids = ImmutableArray.CreateBuilder<string>();
            foreach (var item in StrictJson.AsArray(root, "$", Limits.MaxAttestationsPerFile, DiagnosticCode.SourceResponseInvalid).EnumerateArray())
            {
                var uuid = StrictJson.AsString(item, "$[]").ToLowerInvariant();
                if (!EntryUuid().IsMatch(uuid))
                {
                    throw InvalidInputException.At(DiagnosticCode.SourceResponseInvalid, "$[]",
                        $"\"{StrictJson.Printable(uuid, 90)}\" is not an entry UUID (64 or 80 hex digits)");
                }

                if (!uuids.Contains(uuid) && uuids.Count < Limits.MaxLogSearchEntries)
                {
                    uuids.Add(uuid);
                }
            }

            return uuids.ToImmutable();
        });
    }

    private async Task<ReadOnlyMemory<byte>> FetchEntryAsync(string uuid, CancellationToken cancellationToken)
    {
        var uri = Endpoint("api/v1/log/entries/" + uuid);
        var response = await fetcher.GetAsync(uri, [KeyValuePair.Create("Accept", "application/json")], Limits.MaxAttestationFileBytes, cancellationToken)
            .ConfigureAwait(false);
        var body = RequireSuccess(response, uri);
        return Parse(body, uri, root =>
        {
            StrictJson.RequireObject(root, "$");
            var entries = root.EnumerateObject().ToList();
            if (entries.Count != 1)
            {
                throw InvalidInputException.At(DiagnosticCode.SourceResponseInvalid, "$",
                    string.Create(CultureInfo.InvariantCulture, $"the answer holds {entries.Count} entries where one was asked for"));
            }

            return Encoding.UTF8.GetBytes(entries[0].Value.GetRawText());
        });
    }

    private Uri Endpoint(string path) => new(new Uri(BaseUrl.ToString().TrimEnd('/') + "/"), path);

    private static ReadOnlyMemory<byte> RequireSuccess(HttpFetchResponse response, Uri uri)
    {
        if (!response.IsSuccess)
        {
            throw new HttpFetchException(new Problem(DiagnosticCode.FetchFailed,
                string.Create(CultureInfo.InvariantCulture, $"the log answered HTTP {(int)response.StatusCode}; check --rekor-url and try again later"),
                uri.ToString()));
        }

        return response.Body;
    }

    private static T Parse<T>(ReadOnlyMemory<byte> body, Uri uri, Func<JsonElement, T> read)
    {
        try
        {
            using var document = StrictJson.Parse(body);
            return read(document.RootElement);
        }
        catch (InvalidInputException e)
        {
            throw new HttpFetchException(new Problem(DiagnosticCode.SourceResponseInvalid,
                "the log's answer is not what the Rekor API defines: " + e.Problem.Message, uri + (e.Problem.Location is { } at ? ": " + at : "")));
        }
    }

    [GeneratedRegex(@"\A([0-9a-f]{16})?[0-9a-f]{64}\z", RegexOptions.CultureInvariant)]
    private static partial Regex EntryUuid();
}
