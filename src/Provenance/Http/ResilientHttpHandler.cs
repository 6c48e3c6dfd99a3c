using System.Globalization;
using System.Net;

namespace Provenance.Http;

/// <summary>
/// The one HTTP pipeline of every network source: refuses to run offline, refuses plain http to anything but
/// loopback and named hosts, follows redirects itself (re-checking the scheme and dropping credentials when the
/// host changes), retries idempotent requests on 408, 429, 5xx and connection failures with exponential backoff and
/// a bounded <c>Retry-After</c>, and bounds each attempt's time and each body's size while it is read.
/// </summary>
/// <remarks>
/// A <see cref="DelegatingHandler"/> so that clients with their own HTTP stack (Octokit) get the same behaviour.
/// </remarks>
public sealed class ResilientHttpHandler : DelegatingHandler
{
    /// <summary>Per-request override of <see cref="HttpFetchOptions.MaxResponseBytes"/> (for example an artifact download).</summary>
    public static readonly HttpRequestOptionsKey<long> MaxResponseBytesOption = new("Provenance.MaxResponseBytes");

    /// <summary>
    /// Marks a request other than GET or HEAD as safe to send more than once (a search by POST), so it is retried
    /// like a GET; unmarked, such a request is sent once.
    /// </summary>
    public static readonly HttpRequestOptionsKey<bool> IdempotentOption = new("Provenance.Idempotent");

    /// <summary>
    /// Per-request override of <see cref="HttpFetchOptions.AttemptTimeout"/>: a large artifact download needs longer
    /// than a metadata request, and is still cut off when it stalls past this.
    /// </summary>
    public static readonly HttpRequestOptionsKey<TimeSpan> AttemptTimeoutOption = new("Provenance.AttemptTimeout");

    private const int MaxRedirects = 5;
    private readonly HttpFetchOptions _options;

    /// <summary>Creates the handler; it sends through <see cref="HttpFetchOptions.InnerHandler"/> or its own socket handler.</summary>
    public ResilientHttpHandler(HttpFetchOptions options)
        : base((options ?? throw new ArgumentNullException(nameof(options))).InnerHandler ?? CreateSocketsHandler())
    {
        if (options.MaxAttempts < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxAttempts, "MaxAttempts must be at least 1.");
        }

        _options = options;
    }

    /// <inheritdoc />
    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken) =>
        SendAsync(request, cancellationToken).GetAwaiter().GetResult();

    /// <inheritdoc />
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var uri = request.RequestUri ?? throw new ArgumentException("The request has no URI.", nameof(request));
        if (_options.Offline)
        {
            throw Fail(DiagnosticCode.NetworkDisabled, uri,
                "not fetched: the network is off (--offline); drop --offline, or give the material as a local file");
        }

        var maxBytes = request.Options.TryGetValue(MaxResponseBytesOption, out var requested) ? requested : _options.MaxResponseBytes;
        var timeout = request.Options.TryGetValue(AttemptTimeoutOption, out var requestedTimeout) ? requestedTimeout : _options.AttemptTimeout;
        var retryable = request.Method == HttpMethod.Get || request.Method == HttpMethod.Head
            || (request.Options.TryGetValue(IdempotentOption, out var idempotent) && idempotent);

        // The body is read once so every attempt (and a 307/308 redirect) sends the same bytes.
        var body = request.Content is null ? null : await request.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        var backoff = _options.InitialBackoff;
        var redirects = 0;
        var carriesCredentials = true;
        for (var attempt = 1; ; attempt++)
        {
            RequireAllowedScheme(uri);
            using var attemptTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            attemptTimeout.CancelAfter(timeout);
            var started = Environment.TickCount64;
            HttpResponseMessage response;
            try
            {
                // Not disposed here: the response refers to it, and it holds no content to free.
                var copy = CopyForAttempt(request, uri, carriesCredentials, body);
                response = await base.SendAsync(copy, attemptTimeout.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpRequestException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                if (!retryable || attempt >= _options.MaxAttempts)
                {
                    throw e is OperationCanceledException
                        ? Fail(DiagnosticCode.FetchTimedOut, uri, string.Create(CultureInfo.InvariantCulture,
                            $"no response within {timeout.TotalSeconds:0.#} s after {attempt} attempt(s); try again later or check the URL"), e)
                        : Fail(DiagnosticCode.FetchFailed, uri, $"cannot connect after {attempt} attempt(s): {e.Message}; check the URL and the network", e);
                }

                await Task.Delay(backoff, cancellationToken).ConfigureAwait(false);
                backoff *= 2;
                continue;
            }

            // A request with a body follows only the redirects that keep method and body (307, 308); for the others
            // the caller sees the redirect rather than have its POST silently turned into something else.
            if (IsRedirect(response.StatusCode) && response.Headers.Location is { } location
                && (body is null || response.StatusCode is HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect))
            {
                response.Dispose();
                if (++redirects > MaxRedirects)
                {
                    throw Fail(DiagnosticCode.FetchFailed, uri, $"more than {MaxRedirects} redirects; the server is misconfigured");
                }

                var next = location.IsAbsoluteUri ? location : new Uri(uri, location);
                carriesCredentials &= string.Equals(next.Host, uri.Host, StringComparison.OrdinalIgnoreCase) && next.Port == uri.Port;
                uri = next;
                attempt--;
                continue;
            }

            if (retryable && attempt < _options.MaxAttempts && IsRetryable(response.StatusCode))
            {
                var wait = RetryAfter(response, _options.TimeProvider) is { } asked ? (asked > backoff ? asked : backoff) : backoff;
                if (wait > _options.MaxRetryAfter)
                {
                    // The server wants a longer pause than a verification should hang for: let the caller say when.
                    return Bounded(response, uri, maxBytes, timeout, started);
                }

                response.Dispose();
                await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
                backoff *= 2;
                continue;
            }

            return Bounded(response, uri, maxBytes, timeout, started);
        }
    }

    /// <summary>How long the server asked to wait, from <c>Retry-After</c> as seconds or as a date.</summary>
    public static TimeSpan? RetryAfter(HttpResponseMessage response, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(clock);
        return response.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta < TimeSpan.Zero ? TimeSpan.Zero : delta,
            { Date: { } date } => date - clock.GetUtcNow() is var d && d > TimeSpan.Zero ? d : TimeSpan.Zero,
            _ => null,
        };
    }

    private static HttpResponseMessage Bounded(HttpResponseMessage response, Uri uri, long maxBytes, TimeSpan timeout, long started)
    {
        if (response.Content.Headers.ContentLength is { } length && length > maxBytes)
        {
            response.Dispose();
            throw TooLarge(uri, maxBytes);
        }

        var remaining = timeout - TimeSpan.FromMilliseconds(Environment.TickCount64 - started);
        response.Content = new BoundedContent(response.Content, uri, maxBytes, remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero, timeout);
        return response;
    }

    private void RequireAllowedScheme(Uri uri)
    {
        if (uri.Scheme == Uri.UriSchemeHttps)
        {
            return;
        }

        if (uri.Scheme == Uri.UriSchemeHttp && (uri.IsLoopback || _options.InsecureHosts.Contains(uri.Host)))
        {
            return;
        }

        throw Fail(DiagnosticCode.InsecureTransport, uri, uri.Scheme == Uri.UriSchemeHttp
            ? "plain http is used only for loopback addresses and hosts named as insecure; use https"
            : $"the scheme \"{uri.Scheme}\" is not fetched; use https");
    }

    private static HttpRequestMessage CopyForAttempt(HttpRequestMessage request, Uri uri, bool carriesCredentials, byte[]? body)
    {
        var copy = new HttpRequestMessage(request.Method, uri) { Version = request.Version, VersionPolicy = request.VersionPolicy };
        if (body is not null)
        {
            copy.Content = new ByteArrayContent(body);
            foreach (var header in request.Content!.Headers)
            {
                copy.Content.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }

        foreach (var header in request.Headers)
        {
            // A redirect to another host must not take the caller's token with it.
            if (!carriesCredentials && (header.Key.Equals("Authorization", StringComparison.OrdinalIgnoreCase)
                || header.Key.Equals("Cookie", StringComparison.OrdinalIgnoreCase)))
            {
                continue;
            }

            copy.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        foreach (var option in request.Options)
        {
            ((IDictionary<string, object?>)copy.Options)[option.Key] = option.Value;
        }

        return copy;
    }

    private static bool IsRedirect(HttpStatusCode status) =>
        status is HttpStatusCode.MovedPermanently or HttpStatusCode.Found or HttpStatusCode.SeeOther
            or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;

    private static bool IsRetryable(HttpStatusCode status) =>
        status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)status >= 500;

    private static SocketsHttpHandler CreateSocketsHandler() => new()
    {
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.All,
        ConnectTimeout = TimeSpan.FromSeconds(15),
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        UseCookies = false,
    };

    internal static HttpFetchException TooLarge(Uri uri, long maxBytes) =>
        Fail(DiagnosticCode.ResponseTooLarge, uri, string.Create(CultureInfo.InvariantCulture,
            $"the response is larger than {maxBytes} bytes, the most read from one request; the server is sending something other than expected"));

    internal static HttpFetchException Fail(DiagnosticCode code, Uri uri, string message, Exception? inner = null) =>
        new(new Problem(code, message, Redacted(uri)), inner);

    /// <summary>The URL as shown to users: without user information, which may hold a password.</summary>
    internal static string Redacted(Uri uri) =>
        uri.UserInfo.Length == 0 ? uri.ToString() : new UriBuilder(uri) { UserName = "", Password = "" }.Uri.ToString();

    /// <summary>A response body that stops at a size and a deadline while it is read, however it is read.</summary>
    private sealed class BoundedContent : HttpContent
    {
        private readonly HttpContent _inner;
        private readonly Uri _uri;
        private readonly long _maxBytes;
        private readonly TimeSpan _remaining;
        private readonly TimeSpan _attemptTimeout;

        public BoundedContent(HttpContent inner, Uri uri, long maxBytes, TimeSpan remaining, TimeSpan attemptTimeout)
        {
            (_inner, _uri, _maxBytes, _remaining, _attemptTimeout) = (inner, uri, maxBytes, remaining, attemptTimeout);
            foreach (var header in inner.Headers)
            {
                Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }

        protected override async Task<Stream> CreateContentReadStreamAsync() =>
            new BoundedStream(await _inner.ReadAsStreamAsync().ConfigureAwait(false), this);

        protected override async Task<Stream> CreateContentReadStreamAsync(CancellationToken cancellationToken) =>
            new BoundedStream(await _inner.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), this);

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            var source = await CreateContentReadStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (source.ConfigureAwait(false))
            {
                await source.CopyToAsync(stream, cancellationToken).ConfigureAwait(false);
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _inner.Dispose();
            }

            base.Dispose(disposing);
        }

        private sealed class BoundedStream(Stream inner, BoundedContent content) : Stream
        {
            private readonly CancellationTokenSource _deadline = new(content._remaining);
            private long _read;

            public override bool CanRead => true;
            public override bool CanSeek => false;
            public override bool CanWrite => false;
            public override long Length => throw new NotSupportedException();
            public override long Position { get => _read; set => throw new NotSupportedException(); }

            public override int Read(byte[] buffer, int offset, int count) =>
                ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

            public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
                ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

            public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
            {
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _deadline.Token);
                int n;
                try
                {
                    n = await inner.ReadAsync(buffer, linked.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException e) when (_deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                {
                    throw Fail(DiagnosticCode.FetchTimedOut, content._uri, string.Create(CultureInfo.InvariantCulture,
                        $"the response did not arrive within {content._attemptTimeout.TotalSeconds:0.#} s; the server is too slow or stalled"), e);
                }

                _read += n;
                if (_read > content._maxBytes)
                {
                    throw TooLarge(content._uri, content._maxBytes);
                }

                return n;
            }

            public override void Flush()
            {
            }

            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

            public override void SetLength(long value) => throw new NotSupportedException();

            public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

            protected override void Dispose(bool disposing)
            {
                if (disposing)
                {
                    inner.Dispose();
                    _deadline.Dispose();
                }

                base.Dispose(disposing);
            }
        }
    }
}
