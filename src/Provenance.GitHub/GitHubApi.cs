using System.Globalization;
using System.Text.Json;
using Provenance.Http;

namespace Provenance.GitHub;

/// <summary>
/// What every GitHub REST API request shares: its headers (the token only when there is one) and how a refusal is
/// explained (https://docs.github.com/en/rest/using-the-rest-api/troubleshooting-the-rest-api).
/// </summary>
internal sealed class GitHubApi(string? token)
{
    private const int MaxServerMessageLength = 200;
    private readonly string? _token = string.IsNullOrEmpty(token) ? null : token;

    public static Uri WithTrailingSlash(Uri url) => url.AbsoluteUri.EndsWith('/') ? url : new Uri(url.AbsoluteUri + "/");

    /// <summary>True when <paramref name="next"/> is on the server of <paramref name="current"/>: the token may go there.</summary>
    public static bool SameServer(Uri next, Uri current) =>
        string.Equals(next.Scheme, current.Scheme, StringComparison.Ordinal)
        && string.Equals(next.Host, current.Host, StringComparison.OrdinalIgnoreCase) && next.Port == current.Port;

    public List<KeyValuePair<string, string>> Headers(string accept)
    {
        var headers = new List<KeyValuePair<string, string>> { new("Accept", accept), new("X-GitHub-Api-Version", "2022-11-28") };
        if (_token is not null)
        {
            headers.Add(new("Authorization", "Bearer " + _token));
        }

        return headers;
    }

    /// <summary>Why <paramref name="response"/> is not a success, for <paramref name="what"/>; <paramref name="notFound"/> says what a 404 means.</summary>
    public Problem Refusal(HttpFetchResponse response, string what, string notFound)
    {
        var where = response.Uri.ToString();
        var status = (int)response.StatusCode;
        var said = ServerMessage(response.Body.Span) is { } message ? $" (GitHub says: {message})" : "";
        var tokenAdvice = _token is null
            ? "set GH_TOKEN (or GITHUB_TOKEN) to a token that can read it"
            : "check that the token in GH_TOKEN (or GITHUB_TOKEN) can read it";
        if (status == 429 || (status == 403 && (response.Header("x-ratelimit-remaining") == "0" || response.Header("Retry-After") is not null)))
        {
            return new Problem(DiagnosticCode.GitHubRateLimited,
                $"the GitHub API rate limit is used up ({status}){said}; {WhenLimitResets(response)}"
                + (_token is null ? "; a token in GH_TOKEN raises the limit" : ""), where);
        }

        return status switch
        {
            401 => new Problem(DiagnosticCode.GitHubUnauthorized, _token is null
                ? $"the GitHub API wants a token (401){said}; set GH_TOKEN (or GITHUB_TOKEN) to a token that can read {what}"
                : $"the GitHub API refused the token (401){said}: it is invalid or expired; set GH_TOKEN (or GITHUB_TOKEN) to a valid token", where),
            403 => new Problem(DiagnosticCode.GitHubForbidden,
                $"the GitHub API refused access to {what} (403){said}; {tokenAdvice}", where),
            404 => new Problem(DiagnosticCode.GitHubNotFound, $"{notFound} (404){said}; check the name, or {tokenAdvice}", where),
            _ => new Problem(DiagnosticCode.GitHubResponseInvalid,
                $"the GitHub API answered {status}{said}" + (status >= 500 ? " after every retry; try again later" : ""), where),
        };
    }

    /// <summary>
    /// When to try again: <c>Retry-After</c> (secondary limits, 429) in seconds, and the primary limit's reset,
    /// <c>x-ratelimit-reset</c>, as a UTC time (https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api).
    /// </summary>
    private static string WhenLimitResets(HttpFetchResponse response)
    {
        var parts = new List<string>();
        if (response.Header("Retry-After") is { } retryAfter && long.TryParse(retryAfter, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"retry after {seconds} s"));
        }

        if (response.Header("x-ratelimit-reset") is { } reset && long.TryParse(reset, NumberStyles.None, CultureInfo.InvariantCulture, out var epoch)
            && epoch <= DateTimeOffset.MaxValue.ToUnixTimeSeconds())
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"the limit resets at {DateTimeOffset.FromUnixTimeSeconds(epoch):yyyy-MM-ddTHH:mm:ssZ}"));
        }

        return parts.Count > 0 ? string.Join(", ", parts) : "try again later";
    }

    /// <summary>GitHub's <c>message</c> from an error body, cut short and stripped of control characters: it is shown to people.</summary>
    private static string? ServerMessage(ReadOnlySpan<byte> body)
    {
        try
        {
            var message = JsonSerializer.Deserialize(body, GitHubJsonContext.Default.GitHubErrorBody)?.Message;
            if (string.IsNullOrWhiteSpace(message))
            {
                return null;
            }

            var printable = new string(message.Where(c => !char.IsControl(c)).Take(MaxServerMessageLength).ToArray());
            return printable.Length < message.Length ? printable + "…" : printable;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
