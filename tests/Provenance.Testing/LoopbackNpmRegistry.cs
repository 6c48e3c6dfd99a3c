using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace Provenance.Testing;

/// <summary>
/// A package version as the registry would serve it: the tarball (whose SHA-512 the version document gives as
/// <c>dist.integrity</c>, unless <see cref="Integrity"/> says otherwise) and the attestations response, recorded or
/// null for a version published without provenance.
/// </summary>
public sealed record RecordedNpmPackage(string Name, string Version, byte[] Tarball, byte[]? Attestations)
{
    /// <summary>The <c>dist.integrity</c> the document claims; default the tarball's real one.</summary>
    public string? Integrity { get; init; }

    /// <summary>The name and version the document claims to be of; default the real ones.</summary>
    public (string Name, string Version)? DocumentFor { get; init; }

    /// <summary>The SRI of the tarball: <c>sha512-</c> and the base64 SHA-512.</summary>
    public string RealIntegrity => "sha512-" + Convert.ToBase64String(SHA512.HashData(Tarball));

    /// <summary>The version document (abridged to what verification reads, as the registry's has those fields).</summary>
    public JsonObject Document()
    {
        var dist = new JsonObject
        {
            ["integrity"] = Integrity ?? RealIntegrity,
            ["tarball"] = $"https://registry.npmjs.org/{Name}/-/{Name.Split('/')[^1]}-{Version}.tgz",
        };
        if (Attestations is not null)
        {
            dist["attestations"] = new JsonObject
            {
                ["url"] = $"https://registry.npmjs.org/-/npm/v1/attestations/{Name}@{Version}",
                ["provenance"] = new JsonObject { ["predicateType"] = "https://slsa.dev/provenance/v1" },
            };
        }

        return new JsonObject { ["name"] = DocumentFor?.Name ?? Name, ["version"] = DocumentFor?.Version ?? Version, ["dist"] = dist };
    }
}

/// <summary>An npm registry on 127.0.0.1 serving version documents and attestations of the given packages; 404 otherwise.</summary>
public static class LoopbackNpmRegistry
{
    public static LoopbackHttpServer Serve(params RecordedNpmPackage[] packages)
    {
        ArgumentNullException.ThrowIfNull(packages);
        return LoopbackHttpServer.Start(request =>
        {
            var path = Uri.UnescapeDataString(request.Path);
            foreach (var package in packages)
            {
                if (path == $"/{package.Name}/{package.Version}")
                {
                    return LoopbackResponse.Json(package.Document().ToJsonString());
                }

                if (path == $"/-/npm/v1/attestations/{package.Name}@{package.Version}" && package.Attestations is { } attestations)
                {
                    return LoopbackResponse.Bytes(attestations, "application/json");
                }
            }

            return LoopbackResponse.Json("{\"error\":\"Not found\"}", 404);
        });
    }
}
