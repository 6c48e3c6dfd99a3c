using System.Text;
using Provenance.Attestations;
using Provenance.Cryptography;
using Provenance.Testing;
using Provenance.Verification;

namespace Provenance.Tests.Verification;

/// <summary>
/// <see cref="ClaimedSubjects"/> reads a statement's subject digests before it is verified, only to choose what to
/// verify for an artifact. It must never miss a digest the strict reader would match (the artifact would then fail
/// for nothing), and nothing it reads may throw.
/// </summary>
public sealed class ClaimedSubjectsTests
{
    private static readonly string Sha256 = new('a', 64);
    private static readonly string Sha512 = new('b', 128);

    private static (int Subjects, List<ClaimKey> Keys) Read(string json)
    {
        var keys = new List<ClaimKey>();
        return (ClaimedSubjects.Read(Encoding.UTF8.GetBytes(json), keys), keys);
    }

    private static ClaimKey Key(DigestAlgorithm algorithm, string hex) => ClaimKey.Of(new ArtifactDigest(algorithm, hex));

    [Fact]
    public void Each_strong_subject_digest_gives_a_key_and_each_subject_with_one_counts_once()
    {
        var (subjects, keys) = Read($$$"""
            {"_type":"https://in-toto.io/Statement/v1","predicateType":"x","predicate":{"subject":[{"digest":{"sha256":"{{{new string('c', 64)}}}"}}]},
             "subject":[
               {"name":"a","digest":{"sha256":"{{{Sha256}}}","sha512":"{{{Sha512}}}"}},
               {"name":"b","digest":{"gitCommit":"{{{new string('d', 40)}}}","sha1":"{{{new string('e', 40)}}}"}},
               {"name":"c","digest":{"sha384":"{{{new string('F', 96)}}}"}}]}
            """);

        Assert.Equal(2, subjects);
        // Only the statement's own subjects, not a "subject" inside the predicate; hex in either case.
        Assert.Equal([Key(DigestAlgorithm.Sha256, Sha256), Key(DigestAlgorithm.Sha512, Sha512), Key(DigestAlgorithm.Sha384, new string('f', 96))], keys);
    }

    [Theory]
    [InlineData("""{"subject":[{"digest":{"SHA256":"%"}}]}""")] // names are exact, as in the strict reader
    [InlineData("""{"subject":[{"digest":{"sha256":"abc"}}]}""")] // not the algorithm's length
    [InlineData("""{"subject":[{"digest":{"sha256":"#z"}}]}""")] // not hex
    [InlineData("""{"subject":[{"digest":{"sha256":7}}]}""")]
    [InlineData("""{"subject":{"digest":{"sha256":"%"}}}""")] // not an array
    [InlineData("""[{"subject":[{"digest":{"sha256":"%"}}]}]""")] // not an object
    [InlineData("""{"subject":[{"digest":{"sha256":"%"}}]""")] // cut short
    [InlineData("""{"subject":[{"digest":{"sha256":"%"}}]} trailing""")]
    [InlineData("not JSON")]
    [InlineData("")]
    public void A_payload_that_names_no_strong_digest_claims_nothing_and_leaves_the_list_as_it_was(string template)
    {
        var keys = new List<ClaimKey> { Key(DigestAlgorithm.Sha256, Sha256) };

        var subjects = ClaimedSubjects.Read(Encoding.UTF8.GetBytes(template.Replace("%", Sha256, StringComparison.Ordinal).Replace("#", Sha256[1..], StringComparison.Ordinal)), keys);

        Assert.Equal(0, subjects);
        Assert.Equal([Key(DigestAlgorithm.Sha256, Sha256)], keys);
    }

    [Fact]
    public void Escaped_names_and_values_read_as_the_strict_reader_reads_them()
    {
        var escapedHex = string.Concat(Sha256.Select(c => $"\\u{(int)c:x4}"));

        var (subjects, keys) = Read($$$"""{"subj\u0065ct":[{"dig\u0065st":{"sha\u0032\u0035\u0036":"{{{escapedHex}}}"}}]}""");

        Assert.Equal(1, subjects);
        Assert.Equal([Key(DigestAlgorithm.Sha256, Sha256)], keys);
    }

    [Fact]
    public void Nesting_deeper_than_the_reader_allows_claims_nothing_without_throwing()
    {
        var deep = """{"subject":[{"digest":{"sha256":"x"}}],"predicate":""" + new string('[', 10_000) + new string(']', 10_000) + "}";

        Assert.Equal(0, Read(deep).Subjects);
    }

    /// <summary>
    /// Over every DSSE payload among the real vectors, the keys claimed before verification include every digest the
    /// strict statement reader would let an artifact match.
    /// </summary>
    [Fact]
    public void On_real_attestations_every_digest_the_strict_reader_matches_is_claimed()
    {
        var statements = 0;
        foreach (var file in Directory.EnumerateFiles(TestData.Path(), "*", SearchOption.AllDirectories)
                     .Where(f => f.EndsWith(".json", StringComparison.Ordinal) || f.EndsWith(".jsonl", StringComparison.Ordinal)))
        {
            IEnumerable<LoadedAttestation> loaded;
            try
            {
                loaded = AttestationLoader.Load(File.ReadAllBytes(file), file);
            }
            catch (InvalidInputException)
            {
                continue;
            }

            foreach (var envelope in loaded.Select(a => a.Envelope).OfType<Provenance.Envelopes.DsseEnvelope>())
            {
                Statement statement;
                try
                {
                    statement = Statement.Parse(envelope.Payload);
                }
                catch (InvalidInputException)
                {
                    continue;
                }

                var claimed = new List<ClaimKey>();
                var subjects = ClaimedSubjects.Read(envelope.Payload.Span, claimed);
                var strict = statement.Subjects
                    .SelectMany(s => s.Digest.StrongDigests)
                    .Where(d => DigestAlgorithms.TryFromName(d.Algorithm, out _))
                    .Select(d => { DigestAlgorithms.TryFromName(d.Algorithm, out var a); return Key(a, d.Hex); })
                    .ToHashSet();
                Assert.Subset(claimed.ToHashSet(), strict);
                Assert.Equal(statement.Subjects.Count(s => s.Digest.StrongDigests.Any()), subjects);
                statements++;
            }
        }

        // The vectors hold dozens of statements; finding none would mean this test checked nothing.
        Assert.True(statements >= 20, $"only {statements} statements found among the vectors");
    }
}
