using Provenance.Cryptography;
using Provenance.Sigstore;

namespace Provenance.Verification;

/// <summary>Reads trusted public keys from files, with the size bound and located problems of every other input.</summary>
public static class KeyFiles
{
    /// <summary>
    /// Reads a PEM or DER SubjectPublicKeyInfo from <paramref name="path"/>. A missing, unreadable or unparsable
    /// file is a <see cref="Problem"/> located at the path, never an exception.
    /// </summary>
    public static async Task<(VerificationKey? Key, Problem? Problem)> LoadAsync(string path, string? keyAlgorithm, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var (content, problem) = await BoundedFile.ReadAsync(path, Limits.MaxKeyFileBytes, "key", cancellationToken).ConfigureAwait(false);
        if (problem is not null)
        {
            return (null, problem);
        }

        return VerificationKey.TryParse(content, keyAlgorithm, out var key, out var parseProblem)
            ? (key, null)
            : (null, parseProblem! with { Location = parseProblem!.Location is { } l ? $"{path}: {l}" : path });
    }

    /// <summary>
    /// Reads a PKCS#8 PEM private key from <paramref name="path"/>, to sign with. A missing, unreadable or unusable
    /// file is a <see cref="Problem"/> located at the path, never an exception.
    /// </summary>
    public static async Task<(SigningKey? Key, Problem? Problem)> LoadSigningKeyAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var (content, problem) = await BoundedFile.ReadAsync(path, Limits.MaxKeyFileBytes, "signing key", cancellationToken).ConfigureAwait(false);
        if (problem is not null)
        {
            return (null, problem);
        }

        return SigningKey.TryParse(content, out var key, out var parseProblem)
            ? (key, null)
            : (null, parseProblem with { Location = path });
    }
}

/// <summary>Reads Sigstore trusted roots from files, bounded and with located problems.</summary>
public static class TrustedRootFiles
{
    /// <summary>Reads and parses a trusted_root.json; any failure is a <see cref="Problem"/> located at the path.</summary>
    public static async Task<(TrustedRoot? Root, Problem? Problem)> LoadAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var (content, problem) = await BoundedFile.ReadAsync(path, Limits.MaxAttestationFileBytes, "trusted root", cancellationToken).ConfigureAwait(false);
        if (problem is not null)
        {
            return (null, problem);
        }

        return TrustedRoot.TryParse(content, out var root, out var parseProblem)
            ? (root, null)
            : (null, new Problem(DiagnosticCode.InvalidTrustedRoot, parseProblem!.Message, parseProblem.Location is { } l ? $"{path}: {l}" : path));
    }
}
