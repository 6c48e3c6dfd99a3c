using Provenance.Http;

namespace Provenance.Cli;

/// <summary>
/// The one HTTP client of an invocation: every source (GitHub, Rekor, npm, registries, TUF) fetches through it, so
/// --offline and --insecure-registry mean the same everywhere and connections are shared.
/// </summary>
internal static class CliNetwork
{
    public static HttpFetcher CreateFetcher(bool offline, IEnumerable<string> insecureHosts, TimeProvider time) => new(new HttpFetchOptions
    {
        Offline = offline,
        InsecureHosts = new HashSet<string>(insecureHosts, StringComparer.OrdinalIgnoreCase),
        TimeProvider = time,
    });
}
