using System.Collections.Immutable;
using System.Text;
using System.Text.Json.Nodes;
using Provenance.Http;
using Provenance.Sigstore;
using Provenance.Sources.Rekor;
using Provenance.Testing;
using Provenance.Verification;

namespace Provenance.Sources.Tests.Rekor;

/// <summary>
/// Legacy keyless envelopes (no log material) minted by <see cref="VirtualSigstore"/>, their entries served by a
/// loopback Rekor: the lookup turns each entry into a bundle the library verifies like a local one, so every lie the
/// server can tell fails with the code of the check that catches it.
/// </summary>
public sealed class LogEntryLookupTests : IDisposable
{
    private readonly VirtualSigstore _sigstore = new();

    public void Dispose() => _sigstore.Dispose();

    [Theory]
    [InlineData(LogEntryType.RekorV1Intoto)]
    [InlineData(LogEntryType.RekorV1Dsse)]
    public async Task A_legacy_envelope_verifies_through_the_entry_the_log_serves(LogEntryType log)
    {
        var legacy = Mint(new BundleOptions { Log = log });
        await using var rekor = LoopbackRekor.Serve(legacy);

        var (result, outcome) = await LookUpAndVerifyAsync(rekor, legacy);

        Assert.True(result.Verified, string.Join("; ", result.Failures));
        Assert.True(Assert.Single(outcome.Checks).Passed);
        var search = rekor.Requests[0];
        Assert.Equal("POST", search.Method);
        Assert.Equal(legacy.PayloadKey, JsonNode.Parse(search.BodyText)!["hash"]!.GetValue<string>());
        Assert.Contains(rekor.Requests, r => r.Method == "GET" && r.Path == "/api/v1/log/entries/" + legacy.Uuid);
    }

    [Fact]
    public async Task Without_a_lookup_the_envelope_is_refused_for_want_of_a_log_entry()
    {
        var legacy = Mint(new BundleOptions { Log = LogEntryType.RekorV1Intoto });

        var result = await Verifier().VerifyAsync(ArtifactInput.FromDigest(Digest()), [AttestationInput.FromContent("legacy.intoto.jsonl", legacy.Envelope)],
            TestContext.Current.CancellationToken);

        Assert.False(result.Verified);
        Assert.Equal(DiagnosticCode.LogEntryLookupRequired, Assert.Single(result.Failures).Code);
    }

    [Theory]
    [InlineData(Defect.EntryForOtherArtifact, DiagnosticCode.LogEntryBodyMismatch)]
    [InlineData(Defect.EntryForOtherCertificate, DiagnosticCode.LogEntryBodyMismatch)]
    [InlineData(Defect.InclusionProofTampered, DiagnosticCode.InclusionProofInvalid)]
    [InlineData(Defect.CheckpointWrongRootHash, DiagnosticCode.CheckpointMismatch)]
    [InlineData(Defect.SetInvalid, DiagnosticCode.SetInvalid)]
    [InlineData(Defect.UnknownLogId, DiagnosticCode.TransparencyLogUnknown)]
    public async Task An_entry_the_log_lied_about_is_rejected(Defect lie, DiagnosticCode expected)
    {
        var legacy = Mint(new BundleOptions { Log = LogEntryType.RekorV1Intoto, Defect = lie });
        await using var rekor = LoopbackRekor.Serve(legacy);

        var (result, _) = await LookUpAndVerifyAsync(rekor, legacy);

        Assert.False(result.Verified);
        Assert.Contains(result.Failures, f => f.Code == expected);
    }

    [Fact]
    public async Task A_truncated_inclusion_proof_is_rejected()
    {
        var legacy = Mint(new BundleOptions { Log = LogEntryType.RekorV1Intoto });
        var hashes = legacy.Entry["verification"]!["inclusionProof"]!["hashes"]!.AsArray();
        hashes.RemoveAt(hashes.Count - 1);
        await using var rekor = LoopbackRekor.Serve(legacy);

        var (result, _) = await LookUpAndVerifyAsync(rekor, legacy);

        Assert.False(result.Verified);
        Assert.Contains(result.Failures, f => f.Code == DiagnosticCode.InclusionProofInvalid);
    }

    [Fact]
    public async Task A_valid_entry_for_another_envelope_does_not_vouch_for_this_one()
    {
        var wanted = Mint(new BundleOptions { Log = LogEntryType.RekorV1Intoto });
        var other = Mint(new BundleOptions { Log = LogEntryType.RekorV1Intoto, Artifact = Encoding.UTF8.GetBytes("other\n") });
        // The log answers the search for this envelope with the UUID of another one's (valid) entry.
        await using var rekor = LoopbackRekor.Serve(other with { PayloadKey = wanted.PayloadKey });

        var (result, _) = await LookUpAndVerifyAsync(rekor, wanted);

        Assert.False(result.Verified);
        Assert.Contains(result.Failures, f => f.Code == DiagnosticCode.LogEntryBodyMismatch);
    }

    [Fact]
    public async Task A_log_with_no_entry_for_the_envelope_fails_with_not_found()
    {
        var legacy = Mint(new BundleOptions { Log = LogEntryType.RekorV1Intoto, Defect = Defect.NoLogEntry });
        await using var rekor = LoopbackRekor.Serve(legacy);

        var (result, outcome) = await LookUpAndVerifyAsync(rekor, legacy);

        Assert.False(result.Verified);
        Assert.Equal(DiagnosticCode.LogEntryNotFound, Assert.Single(outcome.Checks).Code);

        // A missing entry is missing evidence (not verified, exit 1), not an input that could not be read.
        Assert.False(result.HasInputError);
    }

    [Fact]
    public async Task A_log_answer_outside_the_api_is_refused_with_its_code()
    {
        var legacy = Mint(new BundleOptions { Log = LogEntryType.RekorV1Intoto });
        legacy.Entry["logIndex"] = "not a number";
        await using var rekor = LoopbackRekor.Serve(legacy);

        var (_, outcome) = await LookUpAndVerifyAsync(rekor, legacy);

        Assert.Equal(DiagnosticCode.SourceResponseInvalid, Assert.Single(outcome.Checks).Code);
    }

    [Fact]
    public async Task A_search_naming_many_entries_fetches_no_more_than_the_limit()
    {
        var legacy = Mint(new BundleOptions { Log = LogEntryType.RekorV1Intoto });
        var uuids = new JsonArray([.. Enumerable.Range(0, 40).Select(i => (JsonNode)i.ToString("x64", System.Globalization.CultureInfo.InvariantCulture))]);
        await using var rekor = LoopbackHttpServer.Start(request => request.Method == "POST"
            ? LoopbackResponse.Json(uuids.ToJsonString())
            : LoopbackResponse.Json(new JsonObject { [request.Path.Split('/')[^1]] = legacy.Entry.DeepClone() }.ToJsonString()));

        var (result, _) = await LookUpAndVerifyAsync(rekor, legacy);

        // Every UUID is answered with the one real entry, so what was fetched verifies; the point is how much was.
        Assert.Equal(Limits.MaxLogSearchEntries, rekor.Requests.Count(r => r.Method == "GET"));
        Assert.True(result.Verified, string.Join("; ", result.Failures));
    }

    [Fact]
    public async Task Offline_the_lookup_is_refused_with_its_code_before_any_request()
    {
        var legacy = Mint(new BundleOptions { Log = LogEntryType.RekorV1Intoto });
        await using var rekor = LoopbackRekor.Serve(legacy);

        var (result, outcome) = await LookUpAndVerifyAsync(rekor, legacy, offline: true);

        Assert.False(result.Verified);
        Assert.Equal(DiagnosticCode.LogEntryLookupOffline, Assert.Single(outcome.Checks).Code);
        Assert.Empty(rekor.Requests);
    }

    [Fact]
    public async Task A_bundle_needs_no_lookup_and_is_passed_on_as_read()
    {
        var bundle = Encoding.UTF8.GetBytes(_sigstore.Bundle(new BundleOptions()));
        await using var rekor = LoopbackRekor.Serve();
        using var fetcher = new HttpFetcher(new HttpFetchOptions());

        var outcome = await new LogEntryLookup(fetcher, rekor.BaseUri).ResolveAsync([AttestationInput.FromContent("b.sigstore.json", bundle)],
            TestContext.Current.CancellationToken);

        Assert.Empty(outcome.Checks);
        Assert.Equal("b.sigstore.json", Assert.Single(outcome.Attestations).Name);
        Assert.Empty(rekor.Requests);
    }

    [Fact]
    public async Task Two_envelopes_with_one_payload_cost_one_search_and_one_entry_fetch()
    {
        var legacy = Mint(new BundleOptions { Log = LogEntryType.RekorV1Intoto });
        await using var rekor = LoopbackRekor.Serve(legacy);
        using var fetcher = new HttpFetcher(new HttpFetchOptions());

        var outcome = await new LogEntryLookup(fetcher, rekor.BaseUri).ResolveAsync(
            [AttestationInput.FromContent("a.intoto.jsonl", legacy.Envelope), AttestationInput.FromContent("b.intoto.jsonl", legacy.Envelope)],
            TestContext.Current.CancellationToken);
        var results = outcome.Apply(await Verifier().VerifyAsync([ArtifactInput.FromDigest(Digest())], outcome.Attestations, TestContext.Current.CancellationToken));

        Assert.Equal(2, outcome.Checks.Count(c => c.Passed));
        Assert.Equal(2, outcome.Attestations.Length);
        Assert.True(Assert.Single(results).Verified, string.Join("; ", results[0].Failures));
        Assert.Single(rekor.Requests, r => r.Method == "POST");
        Assert.Single(rekor.Requests, r => r.Method == "GET" && r.Path == "/api/v1/log/entries/" + legacy.Uuid);
    }

    [Fact]
    public async Task Many_files_keep_their_order_and_only_those_looked_up_are_replaced()
    {
        var legacy = Mint(new BundleOptions { Log = LogEntryType.RekorV1Intoto });
        var bundle = Encoding.UTF8.GetBytes(_sigstore.Bundle(new BundleOptions()));
        await using var rekor = LoopbackRekor.Serve(legacy);
        using var fetcher = new HttpFetcher(new HttpFetchOptions());
        using var temp = new TempDirectory();
        // Files on disk, read in parallel; every tenth one needs a lookup.
        var inputs = Enumerable.Range(0, 60).Select(i =>
        {
            var name = i % 10 == 7 ? $"{i:D2}.intoto.jsonl" : $"{i:D2}.sigstore.json";
            temp.Write(name, i % 10 == 7 ? legacy.Envelope : bundle);
            return AttestationInput.FromFile(temp.Path(name));
        }).ToList();

        var outcome = await new LogEntryLookup(fetcher, rekor.BaseUri).ResolveAsync(inputs, TestContext.Current.CancellationToken);

        // A file needing no lookup is handed on as it came, to be read by the verifier; one looked up becomes its entry's bundle.
        var expected = inputs.Select((input, i) => i % 10 == 7 ? $"{input.Name} (rekor entry {legacy.Uuid})" : input.Name);
        Assert.Equal(expected, outcome.Attestations.Select(a => a.Name));
        Assert.All(outcome.Attestations.Where((_, i) => i % 10 != 7), a => Assert.Contains(a, inputs));
        Assert.Equal(6, outcome.Checks.Count(c => c.Passed));
    }

    /// <summary>Files that cannot hold a certificate are not parsed before verification; the test must never miss one that can.</summary>
    [Theory]
    [InlineData("""{"payloadType":"t","payload":"","signatures":[{"sig":"","cert":"PEM"}]}""", true)]
    [InlineData("""{"payloadType":"t","payload":"","signatures":[{"sig":"","c\u0065rt":"PEM"}]}""", true)]
    [InlineData("""{"a":1}""" + "\n" + """{"signatures":[{"cert":"PEM"}]}""", true)]   // JSON Lines, on the second line
    [InlineData("""{"signatures":[{"cert":""", true)]                                  // unreadable: left to the full parse
    [InlineData("""{"payloadType":"application/vnd.in-toto\u002Bjson","payload":"Y2VydA==","signatures":[{"keyid":"k","sig":""}]}""", false)]
    [InlineData("""{"note":"cert","certificate":1}""", false)]                         // the word as a value, or inside a longer key
    public void Only_json_with_a_cert_key_is_parsed_for_a_lookup(string json, bool parsed)
    {
        Assert.Equal(parsed, LogEntryLookup.MayCarryCertificate(Encoding.UTF8.GetBytes(json)));
    }

    [Fact]
    public void A_legacy_envelope_is_recognised_as_carrying_a_certificate()
    {
        var legacy = Mint(new BundleOptions { Log = LogEntryType.RekorV1Intoto });

        Assert.True(LogEntryLookup.MayCarryCertificate(legacy.Envelope));
    }

    private LegacyEnvelope Mint(BundleOptions options) => LegacyEnvelope.FromBundle(_sigstore.Bundle(options));

    private static Provenance.Cryptography.ArtifactDigest Digest() =>
        Provenance.Cryptography.ArtifactDigest.Parse("sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(VirtualSigstore.DefaultArtifact)));

    private ProvenanceVerifier Verifier()
    {
        Assert.True(TrustedRoot.TryParse(Encoding.UTF8.GetBytes(_sigstore.TrustedRootJson), out var root, out var problem), problem?.ToString());
        return new ProvenanceVerifier(new VerifierOptions
        {
            TrustedRoot = root,
            Identities = [CertificateIdentity.Create(VirtualSigstore.DefaultIdentity, null, VirtualSigstore.DefaultIssuer, null)],
        }, _sigstore.Clock);
    }

    private async Task<(VerificationResult Result, LookupOutcome Outcome)> LookUpAndVerifyAsync(LoopbackHttpServer rekor, LegacyEnvelope legacy, bool offline = false)
    {
        using var fetcher = new HttpFetcher(new HttpFetchOptions { Offline = offline, InitialBackoff = TimeSpan.FromMilliseconds(5) });
        var outcome = await new LogEntryLookup(fetcher, rekor.BaseUri).ResolveAsync(
            [AttestationInput.FromContent("legacy.intoto.jsonl", legacy.Envelope)], TestContext.Current.CancellationToken);
        var results = await Verifier().VerifyAsync([ArtifactInput.FromDigest(Digest())], outcome.Attestations, TestContext.Current.CancellationToken);
        return (outcome.Apply(results)[0], outcome);
    }
}
