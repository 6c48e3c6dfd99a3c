namespace Provenance.Http;

/// <summary>
/// How every network source (GitHub API, Rekor, registries, TUF repositories) talks HTTP: one set of bounds, so a
/// slow, huge or flaky server costs at most what these allow and an offline run never opens a socket.
/// </summary>
public sealed record HttpFetchOptions
{
    /// <summary>Refuses every request with <see cref="DiagnosticCode.NetworkDisabled"/>, before any connection.</summary>
    public bool Offline { get; init; }

    /// <summary>
    /// Longest one attempt may take, from sending the request to the last byte of the body: a server that trickles
    /// bytes (TUF's slow retrieval attack) is cut off here.
    /// </summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Attempts per request, the first included; retries happen on 408, 429, 5xx and connection failures.</summary>
    public int MaxAttempts { get; init; } = 4;

    /// <summary>Wait before the first retry; each later retry waits twice as long as the one before.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Longest wait a server may ask for with <c>Retry-After</c>; asked for longer, the response is returned as it is
    /// so the caller can say when to try again rather than hang.
    /// </summary>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Largest response body read unless a request asks for less (or more, for artifact downloads).</summary>
    public long MaxResponseBytes { get; init; } = Limits.MaxHttpResponseBytes;

    /// <summary>
    /// Hosts that may be reached over plain <c>http://</c> besides loopback addresses (as <c>--insecure-registry</c>);
    /// every other host must use https.
    /// </summary>
    public IReadOnlySet<string> InsecureHosts { get; init; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>The clock a <c>Retry-After</c> date is read against.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>The handler that sends requests; null for a new <see cref="SocketsHttpHandler"/>.</summary>
    public HttpMessageHandler? InnerHandler { get; init; }
}
