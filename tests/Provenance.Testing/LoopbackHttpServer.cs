using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Provenance.Testing;

/// <summary>A request as the loopback server saw it.</summary>
public sealed record LoopbackRequest(string Method, string PathAndQuery, IReadOnlyDictionary<string, string> Headers)
{
    /// <summary>The path without the query.</summary>
    public string Path => PathAndQuery.Split('?', 2)[0];

    /// <summary>A header's value, or null.</summary>
    public string? Header(string name) => Headers.GetValueOrDefault(name);

    /// <summary>The request body (empty for none).</summary>
    public byte[] Body { get; init; } = [];

    /// <summary>The request body as UTF-8 text.</summary>
    public string BodyText => System.Text.Encoding.UTF8.GetString(Body);
}

/// <summary>
/// A response to serve: status, body, headers; <see cref="BytesPerSecond"/> trickles the body (slow retrieval) and
/// <see cref="Delay"/> waits before the headers.
/// </summary>
public sealed record LoopbackResponse(int Status, byte[] Body, IReadOnlyDictionary<string, string>? Headers = null)
{
    public TimeSpan Delay { get; init; }

    public int? BytesPerSecond { get; init; }

    /// <summary>Sends no Content-Length, so a client cannot refuse the size before reading.</summary>
    public bool Chunked { get; init; }

    public static LoopbackResponse Json(string json, int status = 200, IReadOnlyDictionary<string, string>? headers = null) =>
        new(status, System.Text.Encoding.UTF8.GetBytes(json), new Dictionary<string, string>(headers ?? new Dictionary<string, string>()) { ["Content-Type"] = "application/json" });

    public static LoopbackResponse Bytes(byte[] body, string contentType = "application/octet-stream") =>
        new(200, body, new Dictionary<string, string> { ["Content-Type"] = contentType });

    public static LoopbackResponse Text(int status, string body = "") => new(status, System.Text.Encoding.UTF8.GetBytes(body));
}

/// <summary>
/// A real HTTP server on 127.0.0.1 for tests of network clients: every request goes to the handler, and is recorded.
/// Responses are the recorded or minted ones a test gives; nothing here reaches the internet.
/// </summary>
public sealed class LoopbackHttpServer : IAsyncDisposable
{
    private readonly HttpListener _listener;
    private readonly Func<LoopbackRequest, LoopbackResponse> _handler;
    private readonly Task _loop;
    private readonly ConcurrentQueue<LoopbackRequest> _requests = new();
    private readonly CancellationTokenSource _stop = new();

    private LoopbackHttpServer(HttpListener listener, Uri baseUri, Func<LoopbackRequest, LoopbackResponse> handler)
    {
        (_listener, BaseUri, _handler) = (listener, baseUri, handler);
        _loop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>The server's address, ending with a slash: <c>http://127.0.0.1:PORT/</c>.</summary>
    public Uri BaseUri { get; }

    /// <summary>Every request served so far, in order of arrival.</summary>
    public IReadOnlyList<LoopbackRequest> Requests => [.. _requests];

    /// <summary>An absolute URI on this server.</summary>
    public Uri Url(string pathAndQuery) => new(BaseUri, pathAndQuery.TrimStart('/'));

    /// <summary>Starts a server on a free loopback port.</summary>
    public static LoopbackHttpServer Start(Func<LoopbackRequest, LoopbackResponse> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        for (var attempt = 0; ; attempt++)
        {
            var port = FreePort();
            var prefix = $"http://127.0.0.1:{port}/";
            var listener = new HttpListener();
            listener.Prefixes.Add(prefix);
            try
            {
                listener.Start();
                return new LoopbackHttpServer(listener, new Uri(prefix), handler);
            }
            catch (HttpListenerException) when (attempt < 10)
            {
                // Another process took the port between probing and listening: try another.
                listener.Close();
            }
        }
    }

    /// <summary>Starts a server that serves fixed responses by path (and query, when the key has one); 404 otherwise.</summary>
    public static LoopbackHttpServer Serve(IReadOnlyDictionary<string, LoopbackResponse> routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        return Start(request =>
            routes.TryGetValue(request.PathAndQuery, out var exact) ? exact
            : routes.TryGetValue(request.Path, out var byPath) ? byPath
            : LoopbackResponse.Text(404, "{\"message\":\"Not Found\"}"));
    }

    internal static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(() => ServeAsync(context));
        }
    }

    private async Task ServeAsync(HttpListenerContext context)
    {
        var headers = context.Request.Headers.AllKeys
            .Where(k => k is not null)
            .ToDictionary(k => k!, k => context.Request.Headers[k] ?? "", StringComparer.OrdinalIgnoreCase);
        var request = new LoopbackRequest(context.Request.HttpMethod, context.Request.Url!.PathAndQuery, headers);
        try
        {
            if (context.Request.HasEntityBody)
            {
                using var body = new MemoryStream();
                await context.Request.InputStream.CopyToAsync(body, _stop.Token).ConfigureAwait(false);
                request = request with { Body = body.ToArray() };
            }

            _requests.Enqueue(request);
            LoopbackResponse response;
            try
            {
                response = _handler(request);
            }
            catch (Exception e)
            {
                // A handler bug is the test's, so show it to the test rather than hang the client.
                response = LoopbackResponse.Text(599, "handler threw: " + e);
            }

            if (response.Delay > TimeSpan.Zero)
            {
                await Task.Delay(response.Delay, _stop.Token).ConfigureAwait(false);
            }

            context.Response.StatusCode = response.Status;
            foreach (var (name, value) in response.Headers ?? new Dictionary<string, string>())
            {
                if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
                {
                    context.Response.ContentType = value;
                }
                else
                {
                    context.Response.Headers[name] = value;
                }
            }

            context.Response.SendChunked = response.Chunked || response.BytesPerSecond is not null;
            if (!context.Response.SendChunked)
            {
                context.Response.ContentLength64 = response.Body.Length;
            }

            var output = context.Response.OutputStream;
            if (response.BytesPerSecond is { } rate)
            {
                var chunk = Math.Max(1, rate / 10);
                for (var offset = 0; offset < response.Body.Length; offset += chunk)
                {
                    await output.WriteAsync(response.Body.AsMemory(offset, Math.Min(chunk, response.Body.Length - offset)), _stop.Token).ConfigureAwait(false);
                    await output.FlushAsync(_stop.Token).ConfigureAwait(false);
                    await Task.Delay(100, _stop.Token).ConfigureAwait(false);
                }
            }
            else
            {
                await output.WriteAsync(response.Body, _stop.Token).ConfigureAwait(false);
            }

            context.Response.Close();
        }
        catch (Exception e) when (e is HttpListenerException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            // The client went away (as a client that enforces a size or time limit does): nothing to answer.
            context.Response.Abort();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Close();
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }
}
