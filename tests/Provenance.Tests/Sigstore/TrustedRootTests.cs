using System.Text;
using System.Text.Json.Nodes;
using Provenance.Sigstore;
using Provenance.Testing;

namespace Provenance.Tests.Sigstore;

public sealed class TrustedRootTests
{
    private static readonly string PublicGoodPath = TestData.Path("sigstore-conformance/trusted-roots/public-good-production.json");

    private static TrustedRoot Parse(string json)
    {
        Assert.True(TrustedRoot.TryParse(Encoding.UTF8.GetBytes(json), out var root, out var problem), problem?.ToString());
        return root!;
    }

    private static Problem ProblemOf(string json)
    {
        Assert.False(TrustedRoot.TryParse(Encoding.UTF8.GetBytes(json), out _, out var problem));
        return problem!;
    }

    [Fact]
    public void The_public_good_root_reads_with_every_authority_and_log()
    {
        // Expected counts and the Rekor log id come from the file itself (checked with jq when copying it).
        var json = JsonNode.Parse(File.ReadAllText(PublicGoodPath))!;
        var root = Parse(File.ReadAllText(PublicGoodPath));

        Assert.Equal(json["certificateAuthorities"]!.AsArray().Count, root.CertificateAuthorities.Length);
        Assert.Equal(json["tlogs"]!.AsArray().Count, root.TransparencyLogs.Length);
        Assert.Equal(json["ctlogs"]!.AsArray().Count, root.CertificateTransparencyLogs.Length);
        Assert.Equal(json["timestampAuthorities"]!.AsArray().Count, root.TimestampAuthorities.Length);
        var rekor = root.FindTransparencyLog(Convert.FromBase64String("wNI9atQGlz+VWfO6LRygH4QUfY/8W4RFwiT5i5WRgB0="));
        Assert.NotNull(rekor);
        Assert.Equal("https://rekor.sigstore.dev", rekor.BaseUrl);
        Assert.NotNull(rekor.Key);
        Assert.All(root.TransparencyLogs, log => Assert.NotNull(log.Key));
    }

    [Fact]
    public void The_embedded_root_is_the_pinned_public_good_root()
    {
        var pinned = Parse(File.ReadAllText(PublicGoodPath));
        var embedded = TrustedRoot.PublicGood;

        Assert.Equal(pinned.TransparencyLogs.Select(l => Convert.ToBase64String(l.LogId.Span)), embedded.TransparencyLogs.Select(l => Convert.ToBase64String(l.LogId.Span)));
        Assert.Equal(pinned.CertificateAuthorities.Length, embedded.CertificateAuthorities.Length);
        Assert.Same(embedded, TrustedRoot.PublicGood);
    }

    [Fact]
    public void A_validity_window_without_a_start_is_an_error_not_unbounded()
    {
        // sigstore-conformance trust-root-tlog-missing-validity-start_fail carries such a root.
        var problem = ProblemOf(File.ReadAllText(TestData.Path("sigstore-conformance/bundle-verify/trust-root-tlog-missing-validity-start_fail/trusted_root.json")));
        Assert.Equal(DiagnosticCode.MissingField, problem.Code);
        Assert.Contains("validFor", problem.Location, StringComparison.Ordinal);
    }

    [Fact]
    public void The_end_of_a_validity_window_is_inclusive()
    {
        var window = new ValidityPeriod(DateTimeOffset.Parse("2024-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture),
            DateTimeOffset.Parse("2024-02-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(window.Contains(window.Start));
        Assert.True(window.Contains(window.End!.Value));
        Assert.False(window.Contains(window.End.Value.AddTicks(1)));
        Assert.False(window.Contains(window.Start.AddTicks(-1)));
    }

    [Fact]
    public void An_unknown_media_type_is_refused()
    {
        var json = JsonNode.Parse(File.ReadAllText(PublicGoodPath))!.AsObject();
        json["mediaType"] = "application/vnd.dev.sigstore.trustedroot+json;version=0.2";
        Assert.Equal(DiagnosticCode.InvalidField, ProblemOf(json.ToJsonString()).Code);
    }

    [Fact]
    public void A_window_ending_before_it_starts_is_refused()
    {
        var json = JsonNode.Parse(File.ReadAllText(PublicGoodPath))!.AsObject();
        json["tlogs"]![0]!["publicKey"]!["validFor"] = new JsonObject { ["start"] = "2024-01-02T00:00:00Z", ["end"] = "2024-01-01T00:00:00Z" };
        Assert.Equal(DiagnosticCode.InvalidField, ProblemOf(json.ToJsonString()).Code);
    }
}
