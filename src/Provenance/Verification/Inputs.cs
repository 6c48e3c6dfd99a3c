using Provenance.Cryptography;

namespace Provenance.Verification;

/// <summary>An artifact to verify: a file to hash, or a digest the caller already has.</summary>
public sealed record ArtifactInput
{
    private ArtifactInput(string? path, ArtifactDigest? digest)
    {
        Path = path;
        Digest = digest;
    }

    /// <summary>The file to hash, when the artifact is a file.</summary>
    public string? Path { get; }

    /// <summary>The digest, when the artifact is given only by its digest.</summary>
    public ArtifactDigest? Digest { get; }

    /// <summary>How the artifact is shown in results.</summary>
    public string DisplayName => Path ?? Digest!.ToString();

    /// <summary>A file, hashed while streaming (sha256, sha384 and sha512).</summary>
    public static ArtifactInput FromFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return new ArtifactInput(path, null);
    }

    /// <summary>A digest only: the artifact itself is not read.</summary>
    public static ArtifactInput FromDigest(ArtifactDigest digest)
    {
        ArgumentNullException.ThrowIfNull(digest);
        return new ArtifactInput(null, digest);
    }
}

/// <summary>An attestation file to read, or its content already in memory.</summary>
public sealed record AttestationInput
{
    private AttestationInput(string name, string? path, ReadOnlyMemory<byte>? content)
    {
        Name = name;
        Path = path;
        Content = content;
    }

    /// <summary>How the attestation is named in results.</summary>
    public string Name { get; }

    internal string? Path { get; }

    internal ReadOnlyMemory<byte>? Content { get; }

    /// <summary>An attestation file, read when verifying (at most <see cref="Limits.MaxAttestationFileBytes"/>).</summary>
    public static AttestationInput FromFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return new AttestationInput(path, path, null);
    }

    /// <summary>Attestation content already in memory, for example fetched from an API.</summary>
    public static AttestationInput FromContent(string name, ReadOnlyMemory<byte> content)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return new AttestationInput(name, null, content);
    }
}
