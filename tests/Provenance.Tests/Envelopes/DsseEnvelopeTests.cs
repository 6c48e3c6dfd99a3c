using System.Text;
using Provenance.Envelopes;
using Provenance.Json;

namespace Provenance.Tests.Envelopes;

public sealed class DsseEnvelopeTests
{
    [Fact]
    public void Pae_matches_the_dsse_specification_example()
    {
        // DSSE protocol.md, "Pre-Authentication Encoding" example.
        var pae = DsseEnvelope.PreAuthenticationEncoding("http://example.com/HelloWorld", "hello world"u8);
        Assert.Equal("DSSEv1 29 http://example.com/HelloWorld 11 hello world", Encoding.UTF8.GetString(pae));
    }

    [Fact]
    public void Pae_counts_bytes_not_characters()
    {
        var pae = DsseEnvelope.PreAuthenticationEncoding("t/é", "ü"u8);
        Assert.Equal("DSSEv1 4 t/é 2 ü", Encoding.UTF8.GetString(pae));
    }

    private static DsseEnvelope Parse(string json)
    {
        using var document = StrictJson.Parse(Encoding.UTF8.GetBytes(json));
        return DsseEnvelope.Parse(document.RootElement, "$");
    }

    private static Problem ProblemOf(string json) => Assert.Throws<InvalidInputException>(() => Parse(json)).Problem;

    [Fact]
    public void A_well_formed_envelope_is_read_with_every_signature()
    {
        var envelope = Parse("""{"payloadType":"application/vnd.in-toto+json","payload":"e30=","signatures":[{"keyid":"k1","sig":"AQID"},{"sig":"BAU="}]}""");
        Assert.Equal("{}", Encoding.UTF8.GetString(envelope.Payload.Span));
        Assert.Equal(2, envelope.Signatures.Length);
        Assert.Equal("k1", envelope.Signatures[0].KeyId);
        Assert.Null(envelope.Signatures[1].KeyId);
        Assert.Equal(new byte[] { 1, 2, 3 }, envelope.Signatures[0].Signature.ToArray());
    }

    [Theory]
    [InlineData("""{"payload":"e30=","signatures":[{"sig":"AQID"}]}""", DiagnosticCode.MissingField, "$")]
    [InlineData("""{"payloadType":"t","signatures":[{"sig":"AQID"}]}""", DiagnosticCode.MissingField, "$")]
    [InlineData("""{"payloadType":"t","payload":"e30=","signatures":[]}""", DiagnosticCode.NoSignatures, "$.signatures")]
    [InlineData("""{"payloadType":"t","payload":"e30","signatures":[{"sig":"AQID"}]}""", DiagnosticCode.InvalidBase64, "$.payload")]
    [InlineData("""{"payloadType":"t","payload":"e30=","signatures":[{"sig":"AQ-D"}]}""", DiagnosticCode.InvalidBase64, "$.signatures[0].sig")]
    [InlineData("""{"payloadType":"t","payload":"e30=","signatures":[{"sig":""}]}""", DiagnosticCode.InvalidField, "$.signatures[0].sig")]
    [InlineData("""{"payloadType":"t","payload":"e30=","signatures":[{"sig":"AQID","extra":1}]}""", DiagnosticCode.InvalidField, "$.signatures[0].extra")]
    [InlineData("""{"payloadType":"t","payload":"e30=","signatures":[{"sig":"AQID"}],"payloadHash":"x"}""", DiagnosticCode.InvalidField, "$.payloadHash")]
    [InlineData("""{"payloadType":1,"payload":"e30=","signatures":[{"sig":"AQID"}]}""", DiagnosticCode.InvalidField, "$.payloadType")]
    [InlineData("""{"payloadType":"t","payload":"e30=","signatures":{"sig":"AQID"}}""", DiagnosticCode.InvalidField, "$.signatures")]
    public void Malformed_envelopes_are_refused_with_code_and_place(string json, DiagnosticCode code, string location)
    {
        var problem = ProblemOf(json);
        Assert.Equal(code, problem.Code);
        Assert.Equal(location, problem.Location);
    }

    [Fact]
    public void Signatures_are_bounded_in_number()
    {
        var signatures = string.Join(",", Enumerable.Repeat("""{"sig":"AQID"}""", Limits.MaxSignatures + 1));
        var problem = ProblemOf($$"""{"payloadType":"t","payload":"e30=","signatures":[{{signatures}}]}""");
        Assert.Equal(DiagnosticCode.TooManySignatures, problem.Code);
    }
}
