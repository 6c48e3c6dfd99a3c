namespace Provenance.Http;

/// <summary>
/// A request that could not be made or whose response could not be read within the bounds: offline, refused scheme,
/// connection failure after every retry, timeout, or a body larger than allowed. Callers turn it into a
/// <see cref="Problem"/> for the user; it never means the server's content was judged.
/// </summary>
public sealed class HttpFetchException : Exception
{
    /// <summary>Creates the exception for <paramref name="problem"/>.</summary>
    public HttpFetchException(Problem problem, Exception? inner = null)
        : base(problem?.ToString(), inner)
    {
        ArgumentNullException.ThrowIfNull(problem);
        Problem = problem;
    }

    /// <summary>What went wrong, where (the URL) and what to do.</summary>
    public Problem Problem { get; }
}
