using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace Provenance.Cryptography;

/// <summary>
/// The digest of an artifact, as users write it (<c>sha256:HEX</c>, the OCI / in-toto spelling) and as
/// <see cref="ArtifactHasher"/> computes it. The hex is always lowercase and of the algorithm's length.
/// </summary>
public sealed record ArtifactDigest
{
    /// <summary>Creates a digest; <paramref name="hex"/> may be upper or lower case.</summary>
    /// <exception cref="ArgumentException">The hex is not of the algorithm's length.</exception>
    public ArtifactDigest(DigestAlgorithm algorithm, string hex)
    {
        ArgumentNullException.ThrowIfNull(hex);
        if (!IsHexOfLength(hex, algorithm))
        {
            throw Error.InvalidDigestHex(nameof(hex), algorithm);
        }

        Algorithm = algorithm;
        Hex = hex.ToLowerInvariant();
    }

    /// <summary>The digest algorithm.</summary>
    public DigestAlgorithm Algorithm { get; }

    /// <summary>Lowercase hex of the digest.</summary>
    public string Hex { get; }

    /// <summary>Parses <c>sha256:HEX</c>, <c>sha384:HEX</c> or <c>sha512:HEX</c>.</summary>
    public static bool TryParse(
        string? text,
        [NotNullWhen(true)] out ArtifactDigest? digest,
        [NotNullWhen(false)] out Problem? problem)
    {
        digest = null;
        var separator = text is null ? -1 : text.IndexOf(':', StringComparison.Ordinal);
        if (text is null || separator < 0)
        {
            problem = new Problem(DiagnosticCode.InvalidArtifactDigest,
                $"'{text}' is not a digest; write it as sha256:HEX (or sha384:, sha512:)");
            return false;
        }

        var name = text[..separator];
        var hex = text[(separator + 1)..];
        if (!DigestAlgorithms.TryFromName(name, out var algorithm))
        {
            problem = new Problem(DiagnosticCode.InvalidArtifactDigest, DigestAlgorithms.IsWeak(name)
                ? $"'{name}' is too weak to identify an artifact; give its sha256, sha384 or sha512 digest"
                : $"unknown digest algorithm '{name}'; use sha256, sha384 or sha512");
            return false;
        }

        if (!IsHexOfLength(hex, algorithm))
        {
            problem = new Problem(DiagnosticCode.InvalidArtifactDigest,
                $"a {algorithm.Name()} digest is {2 * algorithm.SizeInBytes()} hex characters; got '{hex}'");
            return false;
        }

        digest = new ArtifactDigest(algorithm, hex);
        problem = null;
        return true;
    }

    /// <summary>Parses a digest known to be well formed, such as a constant.</summary>
    /// <exception cref="FormatException">The text is not a digest.</exception>
    public static ArtifactDigest Parse(string text) =>
        TryParse(text, out var digest, out var problem) ? digest : throw Error.Format(problem);

    /// <summary>
    /// True when <paramref name="algorithm"/> and <paramref name="hex"/> (any case) name this digest; compared
    /// in fixed time, as subject digests come from untrusted statements.
    /// </summary>
    public bool Matches(DigestAlgorithm algorithm, string? hex) =>
        algorithm == Algorithm && DigestAlgorithms.FixedTimeHexEquals(Hex, hex);

    /// <summary>The digest bytes.</summary>
    public byte[] ToBytes() => Convert.FromHexString(Hex);

    /// <inheritdoc />
    public override string ToString() => Algorithm.Name() + ":" + Hex;

    private static bool IsHexOfLength(string hex, DigestAlgorithm algorithm) =>
        hex.Length == 2 * algorithm.SizeInBytes() && hex.AsSpan().IndexOfAnyExcept(HexDigits) < 0;

    private static readonly System.Buffers.SearchValues<char> HexDigits =
        System.Buffers.SearchValues.Create("0123456789abcdefABCDEF");

    internal static ArtifactDigest FromHash(DigestAlgorithm algorithm, ReadOnlySpan<byte> hash) =>
        new(algorithm, Convert.ToHexStringLower(hash));
}
