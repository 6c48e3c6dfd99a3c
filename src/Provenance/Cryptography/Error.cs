using System.Globalization;

namespace Provenance.Cryptography;

/// <summary>Every exception this namespace throws, so that their messages are written once.</summary>
internal static class Error
{
    public static ArgumentOutOfRangeException UnknownDigestAlgorithm(DigestAlgorithm algorithm) =>
        new(nameof(algorithm), algorithm, "Not a DigestAlgorithm value.");

    public static ArgumentException InvalidDigestHex(string paramName, DigestAlgorithm algorithm) =>
        new(string.Create(CultureInfo.InvariantCulture,
            $"A {algorithm.Name()} digest is {2 * algorithm.SizeInBytes()} hex characters."), paramName);

    /// <summary>For <c>Parse</c> methods, whose callers promised well-formed input.</summary>
    public static FormatException Format(Problem problem) => new(problem.ToString());
}
