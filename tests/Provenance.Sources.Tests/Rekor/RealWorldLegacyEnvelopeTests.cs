using System.Text.Json;
using Provenance.Http;
using Provenance.Sources.Rekor;
using Provenance.Testing;
using Provenance.Verification;

namespace Provenance.Sources.Tests.Rekor;

/// <summary>
/// The ten SLSA GitHub generator envelopes of testdata/realworld that carry no log entry (testdata/NOTICE; the
/// vector manifest's format "slsa-github-generator legacy .intoto.jsonl"): each is recognised as needing a lookup,
/// and with the network off fails with the code that says so, without a request.
/// </summary>
public sealed class RealWorldLegacyEnvelopeTests
{
    public static TheoryData<string> LegacyEnvelopes()
    {
        using var manifest = JsonDocument.Parse(File.ReadAllBytes(TestData.RealWorld("manifest.json")));
        var data = new TheoryData<string>();
        foreach (var record in manifest.RootElement.GetProperty("provenance").EnumerateArray())
        {
            if (record.GetProperty("format").GetString()!.Contains("slsa-github-generator legacy .intoto.jsonl", StringComparison.Ordinal))
            {
                data.Add(record.GetProperty("local_path").GetString()!);
            }
        }

        return data;
    }

    [Fact]
    public void The_manifest_names_ten_legacy_envelopes() => Assert.Equal(10, LegacyEnvelopes().Count);

    [Theory]
    [MemberData(nameof(LegacyEnvelopes))]
    public async Task A_real_legacy_envelope_needs_a_lookup_which_offline_refuses(string path)
    {
        using var fetcher = new HttpFetcher(new HttpFetchOptions { Offline = true });
        var lookup = new LogEntryLookup(fetcher, LogEntryLookup.PublicGoodRekor);

        var outcome = await lookup.ResolveAsync([AttestationInput.FromFile(TestData.RealWorld(path))], TestContext.Current.CancellationToken);

        var check = Assert.Single(outcome.Checks);
        Assert.False(check.Passed);
        Assert.Equal(DiagnosticCode.LogEntryLookupOffline, check.Code);
        Assert.Single(outcome.Attestations);
    }
}
