using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace Provenance.Sources.Oci;

/// <summary>
/// An image named as <c>oci://REGISTRY/REPOSITORY:TAG</c> or <c>oci://REGISTRY/REPOSITORY@sha256:HEX</c>. The
/// grammar is the OCI distribution specification's (repository name components, tag) with the registry always
/// written out: no Docker Hub default, no implicit <c>latest</c>, so what is verified is exactly what was named.
/// </summary>
/// <param name="Registry">The registry host, with its port when one was given (e.g. <c>127.0.0.1:5000</c>).</param>
/// <param name="Repository">The repository name, e.g. <c>library/alpine</c>.</param>
/// <param name="Tag">The tag, when the image was named by tag.</param>
/// <param name="Digest">The manifest digest <c>sha256:HEX</c>, when the image was named by digest.</param>
public sealed partial record OciReference(string Registry, string Repository, string? Tag, string? Digest)
{
    /// <summary>The scheme that marks an artifact argument as an image in a registry.</summary>
    public const string Scheme = "oci://";

    /// <summary>The host without its port, for matching <c>--insecure-registry</c>.</summary>
    public string Host => Uri.TryCreate("http://" + Registry, UriKind.Absolute, out var uri) ? uri.Host : Registry;

    /// <summary>
    /// The host the registry API is served from: Docker Hub's images are named <c>docker.io/…</c> but served from
    /// <c>registry-1.docker.io</c>; every other registry serves its own name.
    /// </summary>
    public string ApiHost => Registry is "docker.io" or "index.docker.io" ? "registry-1.docker.io" : Registry;

    /// <summary>True for an argument that names an image in a registry.</summary>
    public static bool IsOciReference(string argument) =>
        argument is not null && argument.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase);

    /// <summary>Parses <paramref name="text"/>, or says what is wrong with it.</summary>
    public static bool TryParse(string text, [NotNullWhen(true)] out OciReference? reference, [NotNullWhen(false)] out Problem? problem)
    {
        ArgumentNullException.ThrowIfNull(text);
        reference = null;
        problem = null;
        var match = IsOciReference(text) ? Grammar().Match(text[Scheme.Length..]) : Match.Empty;
        if (!match.Success)
        {
            problem = new Problem(DiagnosticCode.InvalidOciReference,
                "not an image reference: write oci://REGISTRY/REPOSITORY:TAG or oci://REGISTRY/REPOSITORY@sha256:HEX "
                + "(registry host with optional port; lowercase repository; 64 lowercase hex digits)", text);
            return false;
        }

        var registry = match.Groups["registry"].Value;
        if (!Uri.TryCreate("https://" + registry + "/", UriKind.Absolute, out var registryUri) || registryUri.PathAndQuery != "/")
        {
            problem = new Problem(DiagnosticCode.InvalidOciReference, $"\"{registry}\" is not a registry host", text);
            return false;
        }

        var tag = match.Groups["tag"].Success ? match.Groups["tag"].Value : null;
        var digest = match.Groups["digest"].Success ? match.Groups["digest"].Value : null;
        reference = new OciReference(registry, match.Groups["repository"].Value, tag, digest);
        return true;
    }

    /// <summary>The same image pinned to <paramref name="digest"/>, the tag kept to say where it came from.</summary>
    public OciReference WithDigest(string digest) => this with { Digest = digest };

    /// <summary>How the image is written: <c>oci://REGISTRY/REPOSITORY@DIGEST</c> when pinned, else with the tag.</summary>
    public override string ToString() =>
        Scheme + Registry + "/" + Repository + (Digest is not null ? "@" + Digest : ":" + Tag);

    // OCI distribution spec: name = [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*,
    // tag = [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}. Only sha256 digests: the one algorithm registries use for manifests.
    [GeneratedRegex(
        @"\A(?<registry>[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::[0-9]{1,5})?|\[[0-9A-Fa-f:.]+\](?::[0-9]{1,5})?)"
        + @"/(?<repository>[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*)"
        + @"(?::(?<tag>[A-Za-z0-9_][A-Za-z0-9._-]{0,127})|@(?<digest>sha256:[0-9a-f]{64}))\z",
        RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture, matchTimeoutMilliseconds: 1000)]
    private static partial Regex Grammar();
}
