using System.Text;
using Provenance.Json;

namespace Provenance.Sources.Oci;

/// <summary>A user name and password (or identity token) for one registry; never shown in messages.</summary>
public sealed record RegistryCredential(string Username, string Password)
{
    /// <summary>The value of an <c>Authorization: Basic</c> header (RFC 7617).</summary>
    internal string BasicAuthorization => Convert.ToBase64String(Encoding.UTF8.GetBytes(Username + ":" + Password));

    /// <inheritdoc />
    public override string ToString() => Username + ":***";
}

/// <summary>
/// Registry credentials from the places Docker keeps them: the <c>auths</c> of a Docker config file
/// (<c>$DOCKER_CONFIG/config.json</c>, else <c>~/.docker/config.json</c>), each <c>auth</c> being base64 of
/// <c>user:password</c>. Credential helpers (<c>credsStore</c>, <c>credHelpers</c>) are not run: running a program
/// named by a config file is more than a verifier should do; give such credentials through the environment instead.
/// </summary>
public static class RegistryCredentials
{
    /// <summary>
    /// The credential to use for <paramref name="registry"/>: <paramref name="given"/> when there is one (from the
    /// environment), else the registry's entry in the Docker config file at <paramref name="dockerConfigPath"/> (no
    /// file: anonymous).
    /// </summary>
    public static async Task<(RegistryCredential? Credential, Problem? Problem)> FindAsync(
        string registry, RegistryCredential? given, string dockerConfigPath, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(dockerConfigPath);
        if (given is not null || !File.Exists(dockerConfigPath))
        {
            return (given, null);
        }

        var (content, problem) = await BoundedFile.ReadAsync(dockerConfigPath, Limits.MaxDockerConfigBytes, "Docker config", cancellationToken).ConfigureAwait(false);
        return problem is not null
            ? (null, problem with { Code = DiagnosticCode.RegistryCredentialsInvalid })
            : FromDockerConfig(content, registry, dockerConfigPath);
    }

    /// <summary>
    /// The credential for <paramref name="registry"/> (host with optional port) from the config file's content, or
    /// null when it names none; a problem when the file is malformed.
    /// </summary>
    public static (RegistryCredential? Credential, Problem? Problem) FromDockerConfig(ReadOnlyMemory<byte> content, string registry, string source)
    {
        ArgumentException.ThrowIfNullOrEmpty(registry);
        if (content.Length > Limits.MaxDockerConfigBytes)
        {
            return (null, new Problem(DiagnosticCode.RegistryCredentialsInvalid,
                $"the Docker config file is larger than {Limits.MaxDockerConfigBytes} bytes", source));
        }

        try
        {
            using var document = StrictJson.Parse(content);
            var root = document.RootElement;
            StrictJson.RequireObject(root, "$");
            if (StrictJson.Optional(root, "auths") is not { } auths)
            {
                return (null, null);
            }

            StrictJson.RequireObject(auths, "$.auths");
            foreach (var entry in auths.EnumerateObject())
            {
                if (!string.Equals(RegistryKey(entry.Name), registry, StringComparison.OrdinalIgnoreCase)
                    && !(IsDockerHub(registry) && IsDockerHub(RegistryKey(entry.Name))))
                {
                    continue;
                }

                var path = StrictJson.Child("$.auths", entry.Name);
                StrictJson.RequireObject(entry.Value, path);
                if (StrictJson.OptionalString(entry.Value, "auth", path) is { Length: > 0 } auth)
                {
                    var decoded = Encoding.UTF8.GetString(StrictJson.DecodeBase64(auth, StrictJson.Child(path, "auth"), 16 * 1024));
                    var colon = decoded.IndexOf(':', StringComparison.Ordinal);
                    if (colon <= 0)
                    {
                        return (null, new Problem(DiagnosticCode.RegistryCredentialsInvalid,
                            "the auth value is not base64 of user:password; log in again (docker login)", StrictJson.Child(path, "auth") + " in " + source));
                    }

                    return (new RegistryCredential(decoded[..colon], decoded[(colon + 1)..]), null);
                }

                if (StrictJson.OptionalString(entry.Value, "username", path) is { Length: > 0 } user
                    && StrictJson.OptionalString(entry.Value, "password", path) is { } password)
                {
                    return (new RegistryCredential(user, password), null);
                }
            }

            return (null, null);
        }
        catch (InvalidInputException e)
        {
            return (null, new Problem(DiagnosticCode.RegistryCredentialsInvalid,
                "the Docker config file is not valid: " + e.Problem.Message, (e.Problem.Location ?? "$") + " in " + source));
        }
    }

    /// <summary>Docker Hub's names: docker login writes its credentials under https://index.docker.io/v1/.</summary>
    private static bool IsDockerHub(string registry) =>
        registry.Equals("docker.io", StringComparison.OrdinalIgnoreCase)
        || registry.Equals("index.docker.io", StringComparison.OrdinalIgnoreCase)
        || registry.Equals("registry-1.docker.io", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The registry an <c>auths</c> key names: Docker writes bare hosts (<c>registry:5000</c>) and, for older logins,
    /// URLs (<c>https://registry:5000/v1/</c>).
    /// </summary>
    internal static string RegistryKey(string key)
    {
        var withoutScheme = key.StartsWith("https://", StringComparison.OrdinalIgnoreCase) ? key["https://".Length..]
            : key.StartsWith("http://", StringComparison.OrdinalIgnoreCase) ? key["http://".Length..]
            : key;
        var slash = withoutScheme.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? withoutScheme : withoutScheme[..slash];
    }
}
