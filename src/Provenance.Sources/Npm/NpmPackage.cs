using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace Provenance.Sources.Npm;

/// <summary>
/// One published npm package version, <c>NAME@VERSION</c> with NAME plain or scoped (<c>@scope/name</c>), as npm's
/// validate-npm-package-name allows new names (lowercase, URL-safe, at most 214 characters) and an exact semantic
/// version (never a range: what is verified must be one tarball).
/// </summary>
public sealed partial record NpmPackage
{
    private const string Scheme = "npm:";

    private NpmPackage(string name, string version) => (Name, Version) = (name, version);

    /// <summary>The package name, e.g. <c>@sigstore/bundle</c>.</summary>
    public string Name { get; }

    /// <summary>The exact version, e.g. <c>2.1.0</c>.</summary>
    public string Version { get; }

    /// <summary>
    /// The package URL npm's attestations name their subject by (purl-spec npm type: the scope's <c>@</c> is
    /// percent-encoded), e.g. <c>pkg:npm/%40sigstore/bundle@2.1.0</c>.
    /// </summary>
    public string Purl => "pkg:npm/" + (Name.StartsWith('@') ? "%40" + Name[1..] : Name) + "@" + Version;

    /// <summary>The name as one URL path segment, the way the registry addresses scoped packages (<c>@scope%2fname</c>).</summary>
    public string EscapedName => Name.Replace("/", "%2f", StringComparison.Ordinal);

    /// <summary>True for an argument meant as an npm package (<c>npm:</c>...), well-formed or not.</summary>
    public static bool IsReference(string argument) => argument?.StartsWith(Scheme, StringComparison.Ordinal) == true;

    /// <summary>Reads <c>npm:NAME@VERSION</c>.</summary>
    public static bool TryParse(string reference, [NotNullWhen(true)] out NpmPackage? package, [NotNullWhen(false)] out Problem? problem)
    {
        ArgumentNullException.ThrowIfNull(reference);
        package = null;
        problem = null;
        var text = reference.StartsWith(Scheme, StringComparison.Ordinal) ? reference[Scheme.Length..] : reference;
        var at = text.LastIndexOf('@');
        if (at > 0 && TryCreate(text[..at], text[(at + 1)..], out package))
        {
            return true;
        }

        problem = new Problem(DiagnosticCode.NpmReferenceInvalid,
            $"\"{Json.StrictJson.Printable(reference, 80)}\" is not npm:NAME@VERSION with an exact version, e.g. npm:@sigstore/bundle@2.1.0");
        return false;
    }

    /// <summary>A package from a name and an exact version, when both are well-formed.</summary>
    public static bool TryCreate(string name, string version, [NotNullWhen(true)] out NpmPackage? package)
    {
        package = name.Length <= 214 && PackageName().IsMatch(name) && version.Length <= 256 && ExactVersion().IsMatch(version)
            ? new NpmPackage(name, version)
            : null;
        return package is not null;
    }

    /// <inheritdoc />
    public override string ToString() => Scheme + Name + "@" + Version;

    [GeneratedRegex(@"\A(@[a-z0-9\-~][a-z0-9\-._~]*/)?[a-z0-9\-~][a-z0-9\-._~]*\z", RegexOptions.CultureInvariant)]
    private static partial Regex PackageName();

    [GeneratedRegex(@"\A(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*)?(\+[0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*)?\z", RegexOptions.CultureInvariant)]
    private static partial Regex ExactVersion();
}
