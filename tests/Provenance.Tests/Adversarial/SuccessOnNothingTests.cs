using System.Collections.Immutable;
using System.Text;
using Provenance.Cryptography;
using Provenance.Policy;
using Provenance.Testing;
using Provenance.Verification;

namespace Provenance.Tests.Adversarial;

/// <summary>
/// Verifying nothing must never pass: no attestation, no artifact (given or named by the statement), only
/// attestations of another predicate type than the policy asks for, and a policy that requires nothing.
/// </summary>
public sealed class SuccessOnNothingTests : IDisposable
{
    private static readonly byte[] Artifact = "success on nothing\n"u8.ToArray();
    private readonly TestSigner _signer = TestSigner.Create("ecdsa-p256-sha256");

    public void Dispose() => _signer.Dispose();

    private VerificationKey Key => VerificationKey.Parse(Encoding.ASCII.GetBytes(_signer.PublicKeyPem));

    private ProvenanceVerifier Verifier => new(new VerifierOptions { Keys = [Key] });

    private static ArtifactInput Target => ArtifactInput.FromDigest(ArtifactDigest.Parse(
        "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Artifact))));

    private AttestationInput Signed(byte[] statement) =>
        AttestationInput.FromContent("attestation.json", Encoding.UTF8.GetBytes(AttestationFactory.Envelope(statement, _signer.Sign)));

    [Fact]
    public async Task The_control_verifies()
    {
        Adversary.AssertVerified(await Verifier.VerifyAsync(Target, [Signed(AttestationFactory.StatementFor(Artifact))], TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Zero_attestations_are_not_verified()
    {
        var result = await Verifier.VerifyAsync(Target, [], TestContext.Current.CancellationToken);

        Adversary.AssertRejected(result, DiagnosticCode.NoAttestations);
    }

    [Fact]
    public async Task Zero_artifacts_are_refused_as_misuse()
    {
        // The command line requires one artifact or more (exit 2); the library throws for its caller's mistake.
        await Assert.ThrowsAsync<ArgumentException>(() => Verifier.VerifyAsync([], [Signed(AttestationFactory.StatementFor(Artifact))], TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_signed_statement_naming_zero_artifacts_is_not_verified()
    {
        var statement = """{"_type":"https://in-toto.io/Statement/v1","subject":[],"predicateType":"https://slsa.dev/provenance/v1","predicate":{}}"""u8.ToArray();

        var result = await Verifier.VerifyAsync(Target, [Signed(statement)], TestContext.Current.CancellationToken);

        Adversary.AssertRejected(result, DiagnosticCode.EmptySubjects);
    }

    [Fact]
    public async Task Only_attestations_of_another_predicate_type_do_not_satisfy_a_policy()
    {
        var policy = Load($"""
            name: slsa
            require:
              - predicateType: https://slsa.dev/provenance/v1
                signer: {"{"} keyIds: ["{Key.KeyId}"] {"}"}
            """);
        var attestations = new[]
        {
            Signed(AttestationFactory.StatementFor(Artifact, predicateType: "https://slsa.dev/provenance/v0.2")),
            Signed(AttestationFactory.StatementFor(Artifact, predicateType: "https://spdx.dev/Document")),
        };

        var results = await Verifier.VerifyAsync([Target], attestations, policy, cancellationToken: TestContext.Current.CancellationToken);

        Adversary.AssertRejected(Assert.Single(results), DiagnosticCode.RequirementNotSatisfied);
    }

    [Theory]
    [InlineData("name: nothing\nrequire: []\n")]
    [InlineData("name: nothing\n")]
    [InlineData("name: anyone\nrequire:\n  - predicateType: https://slsa.dev/provenance/v1\n")]
    public void A_policy_that_requires_nothing_or_no_signer_is_refused(string text)
    {
        Assert.False(PolicyLoader.TryLoad(text, "policy.yaml", ImmutableDictionary<string, string>.Empty, out _, out var problem));
        Assert.Equal(DiagnosticCode.InvalidPolicy, problem!.Code);
    }

    private static PolicyDocument Load(string text)
    {
        Assert.True(PolicyLoader.TryLoad(text, "policy.yaml", ImmutableDictionary<string, string>.Empty, out var policy, out var problem), problem?.ToString());
        return policy!;
    }
}
