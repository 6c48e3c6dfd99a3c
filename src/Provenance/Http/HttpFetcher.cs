using System.Collections.Immutable;
using System.Net;
using System.Reflection;
using System.Text.RegularExpressions;

namespace Provenance.Http;

/// <summary>
/// A GET (or a JSON POST) with every bound of <see cref="ResilientHttpHandler"/>, the body read whole into memory. Sources share one
/// per invocation so connections are reused; thread-safe.
/// </summary>
public sealed class HttpFetcher : IDisposable
{
    // Made on first use: every invocation gets a fetcher, most verify local files only and never need a client.
    private readonly Lazy<HttpClient> _client;

    /// <summary>Creates a fetcher with the given bounds.</summary>
    public HttpFetcher(HttpFetchOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        _client = new Lazy<HttpClient>(() =>
        {
            var client = new HttpClient(new ResilientHttpHandler(options), disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
            client.DefaultRequestHeaders.UserAgent.ParseAdd(UserAgent);
            return client;
        });
    }

    /// <summary>The bounds this fetcher applies.</summary>
    public HttpFetchOptions Options { get; }

    /// <summary>The User-Agent every request carries: servers (GitHub's among them) refuse requests without one.</summary>
    public static string UserAgent { get; } = "provenance/" +
        (typeof(HttpFetcher).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion?.Split('+')[0] ?? "0");

    /// <summary>A new handler with the same bounds, for clients that build their own <see cref="HttpClient"/>.</summary>
    public HttpMessageHandler CreateHandler() => new ResilientHttpHandler(Options);

    /// <summary>
    /// GETs <paramref name="uri"/> and reads the body whatever the status, so callers can explain a refusal.
    /// Throws <see cref="HttpFetchException"/> when no response could be had within the bounds.
    /// </summary>
    public async Task<HttpFetchResponse> GetAsync(
        Uri uri, IEnumerable<KeyValuePair<string, string>>? headers = null, long? maxResponseBytes = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(uri);
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        return await SendAsync(request, headers, maxResponseBytes, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// POSTs <paramref name="json"/> (sent as <c>application/json</c>) to <paramref name="uri"/> and reads the body
    /// whatever the status. A POST is retried only when <paramref name="idempotent"/> says that sending it twice does
    /// no more than sending it once (a search, as Rekor's index query); otherwise a failed attempt is final.
    /// Throws <see cref="HttpFetchException"/> when no response could be had within the bounds.
    /// </summary>
    public async Task<HttpFetchResponse> PostJsonAsync(
        Uri uri, ReadOnlyMemory<byte> json, bool idempotent, long? maxResponseBytes = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(uri);
        using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new ReadOnlyMemoryContent(json) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        request.Headers.Accept.ParseAdd("application/json");
        request.Options.Set(ResilientHttpHandler.IdempotentOption, idempotent);
        return await SendAsync(request, headers: null, maxResponseBytes, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// GETs <paramref name="uri"/> and, on success, streams the body into <paramref name="destination"/> (the returned
    /// response then has an empty body) within <paramref name="maxResponseBytes"/> and <paramref name="attemptTimeout"/>;
    /// any other status is read whole, as <see cref="GetAsync"/> does, so callers can explain it.
    /// </summary>
    public async Task<HttpFetchResponse> DownloadAsync(
        Uri uri, Stream destination, IEnumerable<KeyValuePair<string, string>>? headers, long maxResponseBytes, TimeSpan attemptTimeout,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(uri);
        ArgumentNullException.ThrowIfNull(destination);
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Options.Set(ResilientHttpHandler.AttemptTimeoutOption, attemptTimeout);
        return await SendAsync(request, headers, maxResponseBytes, cancellationToken, destination).ConfigureAwait(false);
    }

    private async Task<HttpFetchResponse> SendAsync(
        HttpRequestMessage request, IEnumerable<KeyValuePair<string, string>>? headers, long? maxResponseBytes, CancellationToken cancellationToken,
        Stream? destination = null)
    {
        var uri = request.RequestUri!;
        foreach (var (name, value) in headers ?? [])
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        if (maxResponseBytes is { } max)
        {
            request.Options.Set(ResilientHttpHandler.MaxResponseBytesOption, max);
        }

        using var response = await _client.Value.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        byte[] body = [];
        try
        {
            if (destination is not null && response.IsSuccessStatusCode)
            {
                await response.Content.CopyToAsync(destination, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (HttpRequestException e)
        {
            throw ResilientHttpHandler.Fail(DiagnosticCode.FetchFailed, uri, "the response broke off: " + e.Message + "; try again", e);
        }

        var responseHeaders = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var header in response.Headers.Concat(response.Content.Headers))
        {
            responseHeaders[header.Key] = string.Join(", ", header.Value);
        }

        return new HttpFetchResponse(response.StatusCode, body, responseHeaders.ToImmutable(), response.RequestMessage?.RequestUri ?? uri);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_client.IsValueCreated)
        {
            _client.Value.Dispose();
        }
    }
}

/// <summary>A response read whole: status, body, headers (names without case) and the URI after redirects.</summary>
public sealed partial record HttpFetchResponse(HttpStatusCode StatusCode, ReadOnlyMemory<byte> Body, ImmutableDictionary<string, string> Headers, Uri Uri)
{
    /// <summary>True for 2xx.</summary>
    public bool IsSuccess => (int)StatusCode is >= 200 and < 300;

    /// <summary>A header's value, or null.</summary>
    public string? Header(string name) => Headers.GetValueOrDefault(name);

    /// <summary>
    /// The <c>rel="next"</c> target of the <c>Link</c> header (RFC 8288: among other links and relations, relative or
    /// absolute), resolved against this response's URI; null when there is none. Where it points is the caller's to
    /// judge: a paginated source must keep to its own server.
    /// </summary>
    public Uri? NextLink()
    {
        if (Header("Link") is not { } link)
        {
            return null;
        }

        foreach (Match match in LinkPattern().Matches(link))
        {
            if (match.Groups["rel"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains("next", StringComparer.OrdinalIgnoreCase)
                && Uri.TryCreate(Uri, match.Groups["target"].Value, out var next))
            {
                return next;
            }
        }

        return null;
    }

    [GeneratedRegex(@"<(?<target>[^<>]*)>\s*;[^,]*?\brel=""?(?<rel>[^"";,]*)""?", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex LinkPattern();
}
