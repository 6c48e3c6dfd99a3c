using System.Text;
using Provenance.Cryptography;
using Provenance.Testing;
using Provenance.Verification;

namespace Provenance.Tests.Verification;

/// <summary>
/// <see cref="ProvenanceVerifier.VerifyBatchAsync"/>: each artifact meets the attestations that name it, whatever
/// the parallelism, and the verdicts are those the one-at-a-time verification gives for the same pairs.
/// </summary>
public sealed class BatchVerificationTests : IDisposable
{
    private const int Count = 24;
    private readonly TempDirectory _temp = new();
    private readonly TestSigner _signer = TestSigner.Create("ecdsa-p256-sha256");
    private readonly TestSigner _stranger = TestSigner.Create("ecdsa-p256-sha256");

    public void Dispose()
    {
        _temp.Dispose();
        _signer.Dispose();
        _stranger.Dispose();
    }

    private ProvenanceVerifier Verifier() =>
        new(new VerifierOptions { Keys = [VerificationKey.Parse(Encoding.ASCII.GetBytes(_signer.PublicKeyPem))] });

    /// <summary>
    /// A fixture with two faults: artifact 3's attestation is re-signed by a key nobody trusts, and artifact 5's
    /// attestation is dropped, so exactly those two artifacts must fail.
    /// </summary>
    private (List<ArtifactInput> Artifacts, List<AttestationInput> Attestations) Fixture()
    {
        var names = BatchFixture.Write(_temp.Root, Count, _signer);
        var forged = _temp.Path(names[3]);
        File.WriteAllText(forged + ".intoto.jsonl",
            AttestationFactory.Envelope(AttestationFactory.StatementFor(File.ReadAllBytes(forged), names[3]), _stranger.Sign));
        return (
            [.. names.Select(n => ArtifactInput.FromFile(_temp.Path(n)))],
            [.. names.Where((_, i) => i != 5).Select(n => AttestationInput.FromFile(_temp.Path(n + ".intoto.jsonl")))]);
    }

    private static string Describe(VerificationResult result) =>
        $"{result.Artifact} {result.Verified} [{string.Join(", ", result.Digests)}] "
        + string.Join(" | ", result.Checks.Select(c => $"{c.Name} {c.Passed} {c.Code} {c.Source} {c.Message} {c.Expected} {c.Actual}"))
        + " attested by " + string.Join(", ", result.Attestations.Select(a => a.Source));

    [Fact]
    public async Task Parallel_and_sequential_batches_give_identical_results()
    {
        var (artifacts, attestations) = Fixture();
        var token = TestContext.Current.CancellationToken;

        var sequential = await Verifier().VerifyBatchAsync(artifacts, attestations, new BatchOptions { MaxDegreeOfParallelism = 1 }, token);
        var parallel = await Verifier().VerifyBatchAsync(artifacts, attestations, new BatchOptions { MaxDegreeOfParallelism = 8 }, token);

        Assert.Equal(sequential.Select(Describe), parallel.Select(Describe));
        Assert.Equal(artifacts.Select(a => a.DisplayName), parallel.Select(r => r.Artifact));
    }

    [Fact]
    public async Task Each_artifact_gets_the_verdict_of_verifying_it_alone_against_its_own_attestation()
    {
        var (artifacts, attestations) = Fixture();
        var token = TestContext.Current.CancellationToken;

        var batch = await Verifier().VerifyBatchAsync(artifacts, attestations, cancellationToken: token);

        for (var i = 0; i < Count; i++)
        {
            var own = AttestationInput.FromFile(artifacts[i].Path + ".intoto.jsonl");
            var alone = i == 5 ? null : await Verifier().VerifyAsync(artifacts[i], [own], token);
            Assert.Equal(alone?.Verified ?? false, batch[i].Verified);
            if (batch[i].Verified)
            {
                Assert.Equal([own.Name], batch[i].Attestations.Select(a => a.Source));
            }
            else
            {
                Assert.Contains(batch[i].Failures, f => f.Code == DiagnosticCode.ArtifactNotInSubjects);
            }
        }

        Assert.Equal([3, 5], Enumerable.Range(0, Count).Where(i => !batch[i].Verified));
        // The forged attestation is shown where it matters: in the results of artifacts nothing verified.
        Assert.Contains(batch[3].Failures, f => f.Code == DiagnosticCode.SignatureInvalid);
        Assert.DoesNotContain(batch[0].Checks, c => c.Code == DiagnosticCode.SignatureInvalid);
    }

    [Fact]
    public async Task Streamed_results_are_the_batch_results_in_the_same_order()
    {
        var (artifacts, attestations) = Fixture();
        var token = TestContext.Current.CancellationToken;
        var options = new BatchOptions { MaxDegreeOfParallelism = 3 };

        var batch = await Verifier().VerifyBatchAsync(artifacts, attestations, options, token);
        var streamed = new List<VerificationResult>();
        await foreach (var result in Verifier().VerifyEachAsync(artifacts, attestations, options, token))
        {
            streamed.Add(result);
        }

        Assert.Equal(batch.Select(Describe), streamed.Select(Describe));
    }

    [Fact]
    public async Task The_selector_runs_once_per_artifact_and_its_values_come_in_artifact_order()
    {
        var (artifacts, attestations) = Fixture();
        var token = TestContext.Current.CancellationToken;
        var calls = 0;

        var selected = new List<string>();
        await foreach (var line in Verifier().VerifyEachAsync(artifacts, attestations, result =>
        {
            Interlocked.Increment(ref calls);
            return Describe(result);
        }, new BatchOptions { MaxDegreeOfParallelism = 4 }, token))
        {
            selected.Add(line);
        }

        var batch = await Verifier().VerifyBatchAsync(artifacts, attestations, cancellationToken: token);
        Assert.Equal(batch.Select(Describe), selected);
        Assert.Equal(Count, calls);
    }

    [Fact]
    public void A_wrong_call_fails_where_it_is_made_not_when_first_read()
    {
        var (artifacts, attestations) = Fixture();
        var token = TestContext.Current.CancellationToken;

        Assert.Throws<ArgumentException>(() => Verifier().VerifyEachAsync([], attestations, cancellationToken: token));
        Assert.Throws<ArgumentOutOfRangeException>(() => Verifier().VerifyEachAsync(artifacts, attestations, new BatchOptions { MaxDegreeOfParallelism = 0 }, token));
    }

    [Fact]
    public async Task Only_the_digests_the_attestations_use_are_computed()
    {
        var (artifacts, attestations) = Fixture();

        var batch = await Verifier().VerifyBatchAsync(artifacts[..1], attestations, cancellationToken: TestContext.Current.CancellationToken);

        // The statements name their subjects by sha256 only, so sha384 and sha512 could not change any match.
        Assert.Equal([DigestAlgorithm.Sha256], batch[0].Digests.Select(d => d.Algorithm));
        Assert.True(batch[0].Verified, Describe(batch[0]));
    }

    [Fact]
    public async Task An_unreadable_attestation_fails_every_artifact_as_an_input_error()
    {
        var (artifacts, attestations) = Fixture();
        attestations.Add(AttestationInput.FromFile(_temp.Path("missing.intoto.jsonl")));

        var batch = await Verifier().VerifyBatchAsync(artifacts, attestations, cancellationToken: TestContext.Current.CancellationToken);

        Assert.All(batch, r => Assert.False(r.Verified));
        Assert.All(batch, r => Assert.True(r.HasInputError));
    }

    /// <summary>
    /// One attestation names every artifact while each artifact also has its own: more files than the batch holds
    /// verified at once pass between two uses of the shared one, so it is dropped and verified again, and every
    /// artifact still gets both.
    /// </summary>
    [Fact]
    public async Task An_attestation_naming_every_artifact_counts_for_each_however_many_files_come_between()
    {
        const int Many = 300;
        var directory = _temp.Path("many");
        var names = BatchFixture.Write(directory, Many, _signer, artifactBytes: 16);
        var everything = AttestationFactory.With(Encoding.UTF8.GetString(AttestationFactory.StatementFor([], "all")), statement =>
            statement["subject"] = new System.Text.Json.Nodes.JsonArray([.. names.Select(name => new System.Text.Json.Nodes.JsonObject
            {
                ["name"] = name,
                ["digest"] = new System.Text.Json.Nodes.JsonObject
                {
                    ["sha256"] = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(Path.Combine(directory, name)))),
                },
            })]));
        var shared = _temp.Write("all.intoto.jsonl", Encoding.UTF8.GetBytes(AttestationFactory.Envelope(Encoding.UTF8.GetBytes(everything), _signer.Sign)));
        List<AttestationInput> attestations = [.. names.Select(n => AttestationInput.FromFile(Path.Combine(directory, n + ".intoto.jsonl"))), AttestationInput.FromFile(shared)];

        var batch = await Verifier().VerifyBatchAsync([.. names.Select(n => ArtifactInput.FromFile(Path.Combine(directory, n)))], attestations,
            new BatchOptions { MaxDegreeOfParallelism = 2 }, TestContext.Current.CancellationToken);

        for (var i = 0; i < Many; i++)
        {
            Assert.True(batch[i].Verified, Describe(batch[i]));
            Assert.Equal([attestations[i].Name, shared], batch[i].Attestations.Select(a => a.Source));
        }
    }

    /// <summary>A summary names as its inputs the attestation files the artifact was checked against, not every file of the batch.</summary>
    [Fact]
    public async Task Each_result_names_only_the_attestation_files_it_was_checked_against()
    {
        var (artifacts, attestations) = Fixture();

        var batch = await Verifier().VerifyBatchAsync(artifacts, attestations, cancellationToken: TestContext.Current.CancellationToken);

        var own = Assert.Single(batch[0].AttestationFiles);
        Assert.Equal(SummaryResource.FromContent(attestations[0].Name, File.ReadAllBytes(attestations[0].Path!)), own);
        // The forged one was checked (and failed); nothing was checked for the artifact without an attestation.
        Assert.Equal(attestations[3].Name, Assert.Single(batch[3].AttestationFiles).Uri);
        Assert.Empty(batch[5].AttestationFiles);
    }

    /// <summary>
    /// An attestation whose subjects cannot be read before verification leads from no digest, so it is verified at
    /// once; when it fails, the artifacts nothing verified show why.
    /// </summary>
    [Fact]
    public async Task An_attestation_whose_subjects_cannot_be_read_is_shown_where_nothing_verified()
    {
        var (artifacts, attestations) = Fixture();
        var unreadable = _temp.Write("no-statement.intoto.jsonl", Encoding.UTF8.GetBytes(
            AttestationFactory.Envelope("""{"_type":"https://in-toto.io/Statement/v1"}"""u8, _signer.Sign)));
        attestations.Add(AttestationInput.FromFile(unreadable));

        var batch = await Verifier().VerifyBatchAsync(artifacts, attestations, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Contains(batch[5].Failures, f => f.Name == CheckNames.Statement && f.Source == unreadable);
        Assert.True(batch[0].Verified, Describe(batch[0]));
        Assert.DoesNotContain(batch[0].Checks, c => c.Source == unreadable);
    }

    [Fact]
    public async Task Progress_counts_every_artifact_and_every_byte()
    {
        var (artifacts, attestations) = Fixture();
        var seen = new System.Collections.Concurrent.ConcurrentBag<BatchProgress>();

        await Verifier().VerifyBatchAsync(artifacts, attestations,
            new BatchOptions { MaxDegreeOfParallelism = 4, Progress = new SynchronousProgress(seen.Add) }, TestContext.Current.CancellationToken);

        // Each artifact's completion once (byte reports repeat the count so far), and in the end every byte of every artifact.
        Assert.Equal(Enumerable.Range(0, Count + 1), seen.Select(p => p.Done).Distinct().Order());
        Assert.All(seen, p => Assert.Equal(Count, p.Total));
        Assert.Equal(artifacts.Sum(a => new FileInfo(a.Path!).Length), seen.Max(p => p.BytesHashed));
    }

    [Fact]
    public async Task Verifying_without_a_batch_reports_progress_for_large_artifacts_too()
    {
        var (artifacts, attestations) = Fixture();
        // A large artifact, several reads long, attested like the others.
        var large = new byte[(3 * ArtifactHasher.ChunkBytes) + 5];
        new Random(7).NextBytes(large);
        var path = _temp.Write("large.bin", large);
        File.WriteAllText(path + ".intoto.jsonl", AttestationFactory.Envelope(AttestationFactory.StatementFor(large, "large.bin"), _signer.Sign));
        var seen = new List<BatchProgress>();

        var results = await Verifier().VerifyAsync([artifacts[0], ArtifactInput.FromFile(path)],
            [attestations[0], AttestationInput.FromFile(path + ".intoto.jsonl")], new SynchronousProgress(seen.Add), TestContext.Current.CancellationToken);

        Assert.All(results, r => Assert.True(r.Verified, Describe(r)));
        Assert.Equal(new BatchProgress(2, 2, new FileInfo(artifacts[0].Path!).Length + large.Length), seen[^1]);
        // While the large one was hashed, the count stood at one done and the bytes grew.
        var during = seen.Where(p => p.Done == 1).Select(p => p.BytesHashed).ToList();
        Assert.True(during.Count > 2, $"{during.Count} reports while the large artifact was hashed");
        Assert.Equal(during.Order(), during);
    }

    /// <summary>Unlike <see cref="Progress{T}"/>, reports on the calling thread, so every report has arrived when the batch returns.</summary>
    private sealed class SynchronousProgress(Action<BatchProgress> report) : IProgress<BatchProgress>
    {
        public void Report(BatchProgress value) => report(value);
    }
}
