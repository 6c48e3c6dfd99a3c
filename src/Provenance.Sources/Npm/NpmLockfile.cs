using System.Collections.Immutable;
using System.Text.Json;
using Provenance.Cryptography;
using Provenance.Json;

namespace Provenance.Sources.Npm;

/// <summary>A package a lockfile pins: its version and the integrity npm checks the tarball against.</summary>
/// <param name="Package">The name and version.</param>
/// <param name="Integrity">The locked tarball's SHA-512: what is installed is what must be attested.</param>
public sealed record LockedPackage(NpmPackage Package, ArtifactDigest Integrity);

/// <summary>What a lockfile pins: the registry packages, and the entries that name no registry tarball (links, git, files).</summary>
/// <param name="Packages">Registry packages, each once.</param>
/// <param name="NotFromRegistry">Paths of entries without <c>resolved</c> and <c>integrity</c>, which have no registry attestations.</param>
public sealed record NpmLockfile(ImmutableArray<LockedPackage> Packages, ImmutableArray<string> NotFromRegistry)
{
    private const string NodeModules = "node_modules/";

    /// <summary>Reads the lockfile at <paramref name="path"/> (at most <see cref="Limits.MaxLockfileBytes"/>), or says why it cannot.</summary>
    public static async Task<(NpmLockfile? Lockfile, Problem? Problem)> ReadAsync(string path, CancellationToken cancellationToken = default)
    {
        var (content, problem) = await BoundedFile.ReadAsync(path, Limits.MaxLockfileBytes, "lockfile", cancellationToken).ConfigureAwait(false);
        return problem is null ? Parse(content, path) : (null, problem);
    }

    /// <summary>
    /// Reads a package-lock.json (or npm-shrinkwrap.json) of lockfileVersion 2 or 3: its <c>packages</c> map, keyed
    /// by install path, each entry with <c>version</c>, <c>resolved</c> and <c>integrity</c>. Version 1 lockfiles
    /// (npm 6) have no such map and are refused with a request to regenerate.
    /// </summary>
    public static (NpmLockfile? Lockfile, Problem? Problem) Parse(ReadOnlyMemory<byte> content, string source)
    {
        try
        {
            using var document = StrictJson.Parse(content);
            var root = document.RootElement;
            StrictJson.RequireObject(root, "$");
            if (StrictJson.Optional(root, "lockfileVersion") is not { ValueKind: JsonValueKind.Number } lockfileVersion
                || !lockfileVersion.TryGetInt32(out var number) || number is not (2 or 3))
            {
                throw InvalidInputException.At(DiagnosticCode.NpmReferenceInvalid, "$.lockfileVersion",
                    "only lockfileVersion 2 and 3 list every package; regenerate the lockfile with npm 7 or later");
            }

            var packages = ImmutableArray.CreateBuilder<LockedPackage>();
            var notFromRegistry = ImmutableArray.CreateBuilder<string>();
            var seen = new HashSet<(string, string, string)>();
            var entries = StrictJson.Required(root, "packages", "$");
            StrictJson.RequireObject(entries, "$.packages");
            foreach (var entry in entries.EnumerateObject())
            {
                var path = "$.packages[\"" + StrictJson.Printable(entry.Name, 200) + "\"]";
                var at = entry.Name.LastIndexOf(NodeModules, StringComparison.Ordinal);
                if (at < 0)
                {
                    continue; // the root project or a workspace: not something installed from a registry
                }

                StrictJson.RequireObject(entry.Value, path);
                var resolved = StrictJson.OptionalString(entry.Value, "resolved", path);
                var integrity = StrictJson.OptionalString(entry.Value, "integrity", path);
                if (resolved is null || integrity is null || entry.Value.TryGetProperty("link", out _))
                {
                    notFromRegistry.Add(entry.Name);
                    continue;
                }

                // An alias ("x": "npm:y@1") installs under one name a package published under another, named here.
                var name = StrictJson.OptionalString(entry.Value, "name", path) ?? entry.Name[(at + NodeModules.Length)..];
                var version = StrictJson.RequiredString(entry.Value, "version", path);
                if (!NpmPackage.TryCreate(name, version, out var package))
                {
                    throw InvalidInputException.At(DiagnosticCode.NpmReferenceInvalid, path,
                        $"\"{StrictJson.Printable(name, 220)}@{StrictJson.Printable(version, 60)}\" is not a package name with an exact version");
                }

                var digest = NpmRegistryClient.ParseIntegrity(integrity, path + ".integrity");
                if (seen.Add((name, version, digest.Hex)))
                {
                    if (packages.Count == Limits.MaxLockfilePackages)
                    {
                        throw InvalidInputException.At(DiagnosticCode.NpmReferenceInvalid, "$.packages",
                            $"more than {Limits.MaxLockfilePackages} packages; split the verification");
                    }

                    packages.Add(new LockedPackage(package, digest));
                }
            }

            return (new NpmLockfile(packages.ToImmutable(), notFromRegistry.ToImmutable()), null);
        }
        catch (InvalidInputException e)
        {
            return (null, new Problem(DiagnosticCode.NpmReferenceInvalid, "the lockfile cannot be read: " + e.Problem.Message,
                e.Problem.Location is { } at ? source + ": " + at : source));
        }
    }
}
