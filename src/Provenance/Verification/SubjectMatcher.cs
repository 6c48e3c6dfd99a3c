using System.Collections.Immutable;
using System.Globalization;
using Provenance.Attestations;
using Provenance.Cryptography;

namespace Provenance.Verification;

/// <summary>
/// Matches an artifact's digests against a statement's subjects. Only strong digests (sha256 and stronger) of the
/// same algorithm count; a subject named only by sha1 or md5 never matches, whatever its value.
/// </summary>
internal static class SubjectMatcher
{
    public static Check Match(Statement statement, ImmutableArray<ArtifactDigest> artifactDigests, string source)
    {
        var anyStrong = false;
        foreach (var subject in statement.Subjects)
        {
            foreach (var (algorithm, hex) in subject.Digest.StrongDigests)
            {
                anyStrong = true;
                if (!DigestAlgorithms.TryFromName(algorithm, out var digestAlgorithm))
                {
                    continue;
                }

                foreach (var digest in artifactDigests)
                {
                    if (digest.Matches(digestAlgorithm, hex))
                    {
                        var name = subject.Name is { Length: > 0 } n ? $" \"{Json.StrictJson.Printable(n)}\"" : "";
                        return Check.Pass(CheckNames.Subject, $"the artifact is subject{name} ({algorithm})", source);
                    }
                }
            }
        }

        var artifact = artifactDigests.IsDefaultOrEmpty ? "none" : artifactDigests[0].ToString();
        if (!anyStrong)
        {
            return Check.Fail(CheckNames.Subject, new Problem(DiagnosticCode.OnlyWeakDigests,
                "the statement names its subjects by no sha256, sha384 or sha512 digest (only by weak digests such as sha1 or md5, or by identifiers that are not digests of the bytes), so no artifact can match"), source,
                expected: "a sha256, sha384 or sha512 subject digest", actual: DescribeSubjects(statement));
        }

        return Check.Fail(CheckNames.Subject, new Problem(DiagnosticCode.ArtifactNotInSubjects,
            string.Create(CultureInfo.InvariantCulture, $"the artifact's digest is not among the statement's {statement.Subjects.Length} subject(s)")),
            source, expected: artifact, actual: DescribeSubjects(statement));
    }

    private static string DescribeSubjects(Statement statement)
    {
        var shown = statement.Subjects.Take(3)
            .Select(s => s.Digest.StrongDigests.Select(d => $"{d.Algorithm}:{d.Hex}").FirstOrDefault()
                ?? string.Join(", ", s.Digest.Entries.Select(d => $"{Json.StrictJson.Printable(d.Key, 32)}:{Json.StrictJson.Printable(d.Value, 72)}")));
        var more = statement.Subjects.Length > 3 ? $" and {statement.Subjects.Length - 3} more" : "";
        return string.Join(", ", shown) + more;
    }
}
