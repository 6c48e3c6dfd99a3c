using System.Text.Json.Nodes;
using Provenance.Attestations;

namespace Provenance.Tests.Attestations;

/// <summary>SLSA VSA v1, against slsa-verifier's key-signed Google BCID summary and single changes to it.</summary>
public sealed class VerificationSummaryTests
{
    private const string BcidVsa = "slsa-verifier/cli/slsa-verifier/testdata/vsa/gce/v1/gke-gce-pre.bcid-vsa.jsonl";

    private static Problem Failure(JsonNode statement)
    {
        Assert.False(VerificationSummary.TryFrom(RealWorldStatements.Parse(statement), out var summary, out var problem));
        Assert.Null(summary);
        return Assert.IsType<Problem>(problem);
    }

    [Fact]
    public void Google_BCID_summary()
    {
        var statement = RealWorldStatements.SignedStatement(BcidVsa);

        Assert.True(VerificationSummary.TryFrom(statement, out var summary, out var problem));
        Assert.Null(problem);

        // manifest.json predicate_summary for this file.
        Assert.Equal("https://bcid.corp.google.com/verifier/bcid_package_enforcer/v0.1", summary.VerifierId);
        Assert.Empty(summary.VerifierVersion);
        Assert.Equal(new DateTimeOffset(2024, 6, 12, 7, 24, 34, TimeSpan.Zero).AddTicks(3_516_080), summary.TimeVerified);
        Assert.Equal("gce_image://gke-node-images:gke-12615-gke1418000-cos-101-17162-463-29-c-cgpv1-pre", summary.ResourceUri);
        Assert.Equal("googlefile:/google_src/files/642513192/depot/google3/production/security/bcid/software/gce_image/gke/vm_images.sw_policy.textproto",
            summary.Policy.Uri);
        Assert.Equal(SummaryVerdict.Passed, summary.Result);
        Assert.Equal(["BCID_L1", "SLSA_BUILD_LEVEL_2"], summary.VerifiedLevels);
        Assert.Empty(summary.InputAttestations);
        Assert.Empty(summary.DependencyLevels);
        Assert.Null(summary.SlsaVersion);
        // The subject's only digest is "gce_image_id": kept as given, and never a match for an artifact.
        Assert.Equal("8970095005306000053", statement.Subjects[0].Digest["gce_image_id"]);
        Assert.True(statement.Subjects[0].Digest.HasOnlyWeakDigests);
    }

    [Fact]
    public void Optional_fields_when_present()
    {
        var node = RealWorldStatements.SignedStatementNode(BcidVsa);
        var predicate = node["predicate"]!;
        predicate["verifier"]!["version"] = new JsonObject { ["slsa-verifier"] = "2.6.0" };
        predicate["verificationResult"] = "FAILED";
        predicate["dependencyLevels"] = new JsonObject { ["SLSA_BUILD_LEVEL_3"] = 5, ["SLSA_BUILD_LEVEL_1"] = 1 };
        predicate["slsaVersion"] = "1.0";
        predicate["inputAttestations"] = new JsonArray(new JsonObject
        {
            ["uri"] = "https://example.com/provenance.json",
            ["digest"] = new JsonObject { ["sha256"] = "2892146b063a94cb4a4318c0e98d38af12dcf2b1e29237486b58463b59607bbd" },
        });

        Assert.True(VerificationSummary.TryFrom(RealWorldStatements.Parse(node), out var summary, out _));

        Assert.Equal("2.6.0", summary.VerifierVersion["slsa-verifier"]);
        Assert.Equal(SummaryVerdict.Failed, summary.Result);
        Assert.Equal(5, summary.DependencyLevels["SLSA_BUILD_LEVEL_3"]);
        Assert.Equal("1.0", summary.SlsaVersion);
        Assert.Equal("https://example.com/provenance.json", Assert.Single(summary.InputAttestations).Uri);
    }

    [Fact]
    public void Provenance_is_not_a_summary()
    {
        var statement = RealWorldStatements.SignedStatement("cli/pkg/cmd/attestation/test/data/sigstore-js-2.1.0-bundle.json");

        Assert.False(VerificationSummary.TryFrom(statement, out var summary, out var problem));
        Assert.Null(summary);
        Assert.Null(problem);
    }

    [Theory]
    [InlineData("verifier")]
    [InlineData("timeVerified")]
    [InlineData("resourceUri")]
    [InlineData("policy")]
    [InlineData("verificationResult")]
    [InlineData("verifiedLevels")]
    public void Required_field_missing(string field)
    {
        var node = RealWorldStatements.SignedStatementNode(BcidVsa);
        node["predicate"]!.AsObject().Remove(field);

        var problem = Failure(node);

        Assert.Equal(DiagnosticCode.MissingField, problem.Code);
        Assert.Equal("$.predicate", problem.Location);
    }

    [Fact]
    public void Unknown_result()
    {
        var node = RealWorldStatements.SignedStatementNode(BcidVsa);
        node["predicate"]!["verificationResult"] = "passed";

        Assert.Equal(DiagnosticCode.InvalidField, Failure(node).Code);
    }

    [Fact]
    public void Bad_time_verified()
    {
        var node = RealWorldStatements.SignedStatementNode(BcidVsa);
        node["predicate"]!["timeVerified"] = "2024-06-12T07:24:34.351608";

        var problem = Failure(node);

        Assert.Equal(DiagnosticCode.InvalidField, problem.Code);
        Assert.Equal("$.predicate.timeVerified", problem.Location);
    }

    [Fact]
    public void Negative_dependency_count()
    {
        var node = RealWorldStatements.SignedStatementNode(BcidVsa);
        node["predicate"]!["dependencyLevels"] = new JsonObject { ["SLSA_BUILD_LEVEL_3"] = -1 };

        Assert.Equal(DiagnosticCode.InvalidField, Failure(node).Code);
    }
}
