using Provenance.Http;
using Provenance.Sources.Rekor;
using Provenance.Verification;

namespace Provenance.Cli;

/// <summary>
/// The verify step that looks up the Rekor entries of keyless envelopes carrying none, before verification: only
/// when an attestation needs it, never with --offline (those envelopes then fail with PV1030).
/// </summary>
internal static class LogEntryLookupStep
{
    public const string DefaultRekorUrl = "https://rekor.sigstore.dev";

    /// <summary>The --rekor-url as an absolute http(s) URL, or why it is not one.</summary>
    public static (Uri? Url, Problem? Problem) ParseUrl(string value) => ParseUrl("--rekor-url", value, DefaultRekorUrl);

    /// <summary>A base URL option as an absolute http(s) URL (the HTTP pipeline then refuses plain http to remote hosts), or why it is not one.</summary>
    public static (Uri? Url, Problem? Problem) ParseUrl(string option, string value, string example) =>
        Uri.TryCreate(value, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttps || url.Scheme == Uri.UriSchemeHttp)
            ? (url, null)
            : (null, new Problem(DiagnosticCode.InvalidOptions, $"{option} takes a base URL, such as {example}; \"{value}\" is not one"));

    public static async Task<LookupOutcome> ResolveAsync(
        VerifyRequest request, HttpFetcher fetcher, IReadOnlyList<AttestationInput> attestations, CancellationToken cancellationToken)
    {
        return await new LogEntryLookup(fetcher, ParseUrl(request.RekorUrl).Url!).ResolveAsync(attestations, cancellationToken).ConfigureAwait(false);
    }
}
