using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Provenance.Attestations;

namespace Provenance.Tests.Attestations;

/// <summary>in-toto Statement v0.1 and v1 parsing, against real statements and single changes to them.</summary>
public sealed class StatementTests
{
    // in-toto Statement v0.1 carrying SLSA v0.2, DSSE envelope written by slsa-github-generator v1.10.0.
    private const string GenericV02 = "slsa-verifier/cli/slsa-verifier/testdata/gha_generic/v1.10.0/binary-linux-amd64-workflow_dispatch.intoto.jsonl";
    // in-toto Statement v1 carrying SLSA v1, a GitHub artifact attestation bundle (sigstore-js 2.1.0).
    private const string SigstoreJsV1 = "cli/pkg/cmd/attestation/test/data/sigstore-js-2.1.0-bundle.json";

    [Fact]
    public void Statement_v01_from_slsa_github_generator()
    {
        var statement = RealWorldStatements.SignedStatement(GenericV02);

        // Expected values: manifest.json's "statement" entry for this file.
        Assert.Equal(StatementVersion.V01, statement.Version);
        Assert.Equal("https://slsa.dev/provenance/v0.2", statement.PredicateType);
        var subject = Assert.Single(statement.Subjects);
        Assert.Equal("gha_generic-binary-linux-amd64-workflow_dispatch", subject.Name);
        Assert.Equal([("sha256", "2892146b063a94cb4a4318c0e98d38af12dcf2b1e29237486b58463b59607bbd")], subject.Digest.StrongDigests);
        Assert.Equal(JsonValueKind.Object, statement.Predicate.ValueKind);
    }

    [Fact]
    public void Statement_v1_from_GitHub_artifact_attestation()
    {
        var statement = RealWorldStatements.SignedStatement(SigstoreJsV1);

        // Expected values: the bundle's decoded payload (subject "pkg:npm/sigstore@2.1.0", a sha512 digest).
        Assert.Equal(StatementVersion.V1, statement.Version);
        Assert.Equal("https://slsa.dev/provenance/v1", statement.PredicateType);
        var subject = Assert.Single(statement.Subjects);
        Assert.Equal("pkg:npm/sigstore@2.1.0", subject.Name);
        Assert.Equal(
            "90f223f992e4c88dd068cd2a5fc57f9d2b30798343dd6e38f29c240e04ba090ef831f84490847c4e82b9232c78e8a258463b1e55c0f7469f730265008fa6633f",
            subject.Digest["sha512"]);
    }

    [Fact]
    public void Plain_v1_statement_with_an_unnamed_gitCommit_subject()
    {
        // The in-toto test-result predicate's example: a v1 subject may omit its name; gitCommit is kept as given.
        var statement = RealWorldStatements.PlainStatement("in-toto-attestation/extracted/test-result.md.example-1.json");

        Assert.Equal(StatementVersion.V1, statement.Version);
        Assert.Equal("https://in-toto.io/attestation/test-result/v0.1", statement.PredicateType);
        var subject = Assert.Single(statement.Subjects);
        Assert.Null(subject.Name);
        Assert.Equal("d20ace7968ba43c0219f62d71334c1095bab1602", subject.Digest["gitCommit"]);
        Assert.True(subject.Digest.HasOnlyWeakDigests);
    }

    [Fact]
    public void Predicate_outlives_the_document_it_was_read_from()
    {
        var statement = RealWorldStatements.SignedStatement(SigstoreJsV1);

        // Parse(ReadOnlyMemory) disposes its document before returning; reading the predicate must still work.
        Assert.Equal("https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1",
            statement.Predicate.GetProperty("buildDefinition").GetProperty("buildType").GetString());
    }

    [Fact]
    public void Absent_predicate_is_undefined()
    {
        var node = RealWorldStatements.SignedStatementNode(SigstoreJsV1);
        node.Remove("predicate");

        Assert.Equal(JsonValueKind.Undefined, RealWorldStatements.Parse(node).Predicate.ValueKind);
    }

    [Fact]
    public void Missing_type_is_not_a_statement()
    {
        // The SLSA repository's Cloud Build example omits _type.
        var error = Assert.Throws<InvalidInputException>(() =>
            RealWorldStatements.PlainStatement("slsa/docs/gcb-triggered-build/examples/v1/example.json"));

        Assert.Equal(DiagnosticCode.NotAnInTotoStatement, error.Problem.Code);
        Assert.Equal("$", error.Problem.Location);
    }

    [Fact]
    public void Draft_statement_type_is_unsupported()
    {
        // The SLSA repository's GitHub Actions example uses the pre-release _type "https://in-toto.io/Statement/v1?draft".
        var error = Assert.Throws<InvalidInputException>(() =>
            RealWorldStatements.PlainStatement("slsa/docs/github-actions-workflow/examples/v1/example.json"));

        Assert.Equal(DiagnosticCode.UnsupportedStatementType, error.Problem.Code);
        Assert.Equal("$._type", error.Problem.Location);
    }

    [Fact]
    public void In_toto_link_is_not_a_statement()
    {
        // in-toto-golang's DSSE-wrapped link has _type "link": an in-toto layout-era document, not a Statement.
        var error = Assert.Throws<InvalidInputException>(() =>
            RealWorldStatements.SignedStatement("in-toto-golang/test/data/clone-dsse.776a00e2.link"));

        Assert.Equal(DiagnosticCode.NotAnInTotoStatement, error.Problem.Code);
    }

    [Fact]
    public void Empty_predicate_type_is_invalid()
    {
        // slsa-verifier's bundle/valid.intoto.sigstore carries "predicateType": "" (its tests use it for signatures only).
        var error = Assert.Throws<InvalidInputException>(() =>
            RealWorldStatements.SignedStatement("slsa-verifier/verifiers/internal/gha/testdata/bundle/valid.intoto.sigstore"));

        Assert.Equal(DiagnosticCode.InvalidField, error.Problem.Code);
        Assert.Equal("$.predicateType", error.Problem.Location);
    }

    [Fact]
    public void Abbreviated_sha256_is_an_invalid_digest()
    {
        // The in-toto release predicate's example abbreviates its digest to "4faeb1b2...".
        var error = Assert.Throws<InvalidInputException>(() =>
            RealWorldStatements.PlainStatement("in-toto-attestation/extracted/release.md.example-1.json"));

        Assert.Equal(DiagnosticCode.InvalidDigest, error.Problem.Code);
        Assert.Equal("$.subject[0].digest.sha256", error.Problem.Location);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("\"https://in-toto.io/Statement/v1\"")]
    [InlineData("null")]
    public void Non_object_is_not_a_statement(string json)
    {
        var error = Assert.Throws<InvalidInputException>(() => Statement.Parse(Encoding.UTF8.GetBytes(json)));

        Assert.Equal(DiagnosticCode.NotAnInTotoStatement, error.Problem.Code);
    }

    [Theory]
    [InlineData("_type", DiagnosticCode.NotAnInTotoStatement)]
    [InlineData("subject", DiagnosticCode.NotAnInTotoStatement)]
    [InlineData("predicateType", DiagnosticCode.NotAnInTotoStatement)]
    public void Missing_required_field(string field, DiagnosticCode expected)
    {
        var node = RealWorldStatements.SignedStatementNode(SigstoreJsV1);
        node.Remove(field);

        Assert.Equal(expected, RealWorldStatements.ParseFailure(node));
    }

    [Fact]
    public void Unknown_type()
    {
        var node = RealWorldStatements.SignedStatementNode(SigstoreJsV1);
        node["_type"] = "https://in-toto.io/Statement/v2";

        Assert.Equal(DiagnosticCode.UnsupportedStatementType, RealWorldStatements.ParseFailure(node));
    }

    [Fact]
    public void Empty_subjects()
    {
        var node = RealWorldStatements.SignedStatementNode(SigstoreJsV1);
        node["subject"] = new JsonArray();

        Assert.Equal(DiagnosticCode.EmptySubjects, RealWorldStatements.ParseFailure(node));
    }

    [Fact]
    public void Too_many_subjects()
    {
        var node = RealWorldStatements.SignedStatementNode(SigstoreJsV1);
        var subjects = new JsonArray();
        for (var i = 0; i <= Limits.MaxSubjects; i++)
        {
            subjects.Add(node["subject"]![0]!.DeepClone());
        }

        node["subject"] = subjects;

        Assert.Equal(DiagnosticCode.TooManySubjects, RealWorldStatements.ParseFailure(node));
    }

    [Fact]
    public void Subjects_at_the_limit_are_accepted()
    {
        var node = RealWorldStatements.SignedStatementNode(SigstoreJsV1);
        var subjects = new JsonArray();
        for (var i = 0; i < Limits.MaxSubjects; i++)
        {
            subjects.Add(node["subject"]![0]!.DeepClone());
        }

        node["subject"] = subjects;

        Assert.Equal(Limits.MaxSubjects, RealWorldStatements.Parse(node).Subjects.Length);
    }

    [Theory]
    [InlineData("2892146b063a94cb4a4318c0e98d38af12dcf2b1e29237486b58463b59607bb")] // one digit short
    [InlineData("2892146b063a94cb4a4318c0e98d38af12dcf2b1e29237486b58463b59607bbdd")] // one digit long
    [InlineData("2892146b063a94cb4a4318c0e98d38af12dcf2b1e29237486b58463b59607bbg")] // not hex
    [InlineData("")]
    public void Bad_sha256_hex(string value)
    {
        var node = RealWorldStatements.SignedStatementNode(GenericV02);
        node["subject"]![0]!["digest"]!["sha256"] = value;

        Assert.Equal(DiagnosticCode.InvalidDigest, RealWorldStatements.ParseFailure(node));
    }

    [Fact]
    public void Uppercase_hex_is_normalised_to_lowercase()
    {
        var node = RealWorldStatements.SignedStatementNode(GenericV02);
        node["subject"]![0]!["digest"]!["sha256"] = "2892146B063A94CB4A4318C0E98D38AF12DCF2B1E29237486B58463B59607BBD";

        // The lowercase value is the one manifest.json records for this subject.
        Assert.Equal("2892146b063a94cb4a4318c0e98d38af12dcf2b1e29237486b58463b59607bbd", RealWorldStatements.Parse(node).Subjects[0].Digest["sha256"]);
    }

    [Fact]
    public void Subject_without_digest_entries()
    {
        var node = RealWorldStatements.SignedStatementNode(SigstoreJsV1);
        node["subject"]![0]!["digest"] = new JsonObject();

        Assert.Equal(DiagnosticCode.InvalidField, RealWorldStatements.ParseFailure(node));
    }

    [Fact]
    public void Subject_without_digest()
    {
        var node = RealWorldStatements.SignedStatementNode(SigstoreJsV1);
        node["subject"]![0]!.AsObject().Remove("digest");

        Assert.Equal(DiagnosticCode.MissingField, RealWorldStatements.ParseFailure(node));
    }

    [Fact]
    public void V01_subject_needs_a_name()
    {
        var node = RealWorldStatements.SignedStatementNode(GenericV02);
        node["subject"]![0]!.AsObject().Remove("name");

        Assert.Equal(DiagnosticCode.MissingField, RealWorldStatements.ParseFailure(node));
    }

    [Fact]
    public void Too_many_digests_in_a_subject()
    {
        var node = RealWorldStatements.SignedStatementNode(GenericV02);
        var digest = node["subject"]![0]!["digest"]!.AsObject();
        for (var i = digest.Count; i <= Limits.MaxDigestsPerSubject; i++)
        {
            digest["custom" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)] = "x";
        }

        Assert.Equal(DiagnosticCode.JsonTooLarge, RealWorldStatements.ParseFailure(node));
    }

    [Fact]
    public void Non_string_predicate_type_is_invalid()
    {
        var node = RealWorldStatements.SignedStatementNode(SigstoreJsV1);
        node["predicateType"] = 1;

        Assert.Equal(DiagnosticCode.InvalidField, RealWorldStatements.ParseFailure(node));
    }

    [Fact]
    public void Subject_content_is_decoded_and_bad_base64_refused()
    {
        var node = RealWorldStatements.SignedStatementNode(SigstoreJsV1);
        node["subject"]![0]!["content"] = "aGVsbG8=";
        Assert.Equal("hello"u8.ToArray(), RealWorldStatements.Parse(node).Subjects[0].Content.ToArray());

        node["subject"]![0]!["content"] = "aGVsbG8";
        Assert.Equal(DiagnosticCode.InvalidBase64, RealWorldStatements.ParseFailure(node));
    }
}
