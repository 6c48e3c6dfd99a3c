using System.Text;
using System.Text.Json.Nodes;
using Provenance.Testing;

namespace Provenance.Cli.Tests;

/// <summary>
/// The skeleton's acceptance, through the command line: a key-signed envelope verifies for every supported
/// algorithm, and each single change (payload, signature, payloadType, key, artifact) exits 1 with the code
/// that names it. Keys are generated and envelopes signed here.
/// </summary>
public sealed class AcceptanceTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    public static TheoryData<string> Algorithms => [.. TestSigner.AllAlgorithms];

    private sealed record Setup(string Artifact, string Attestation, string Key, string Algorithm);

    private Setup Prepare(TestSigner signer, Func<string, string>? tamper = null, byte[]? artifactOverride = null)
    {
        var artifact = Encoding.UTF8.GetBytes("release artifact built by " + signer.Algorithm);
        var envelope = AttestationFactory.Envelope(AttestationFactory.StatementFor(artifact), signer.Sign);
        return new Setup(
            _temp.Write("artifact.bin", artifactOverride ?? artifact),
            _temp.Write("artifact.intoto.jsonl", Encoding.UTF8.GetBytes((tamper ?? (e => e))(envelope) + "\n")),
            _temp.Write("key.pem", Encoding.ASCII.GetBytes(signer.PublicKeyPem)),
            signer.Algorithm);
    }

    private static Task<CliRunner.Run> RunAsync(Setup setup) =>
        CliRunner.InProcessAsync("verify", setup.Artifact, "-a", setup.Attestation, "--key", setup.Key, "--key-algorithm", setup.Algorithm);

    [Theory]
    [MemberData(nameof(Algorithms))]
    public async Task A_key_signed_envelope_verifies(string algorithm)
    {
        using var signer = TestSigner.Create(algorithm);
        var run = await RunAsync(Prepare(signer));
        Assert.True(run.ExitCode == 0, run.Output + run.Error);
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public async Task Each_single_change_is_rejected_with_its_code(string algorithm)
    {
        using var signer = TestSigner.Create(algorithm);
        using var stranger = TestSigner.Create(algorithm);

        var changedPayload = await RunAsync(Prepare(signer, e => AttestationFactory.With(e, o =>
            o["payload"] = Convert.ToBase64String(AttestationFactory.StatementFor("something else"u8)))));
        var changedSignature = await RunAsync(Prepare(signer, e => AttestationFactory.With(e, o =>
        {
            var sig = Convert.FromBase64String(o["signatures"]![0]!["sig"]!.GetValue<string>());
            sig[^1] ^= 0x80;
            o["signatures"]![0]!["sig"] = Convert.ToBase64String(sig);
        })));
        var changedType = await RunAsync(Prepare(signer, e => AttestationFactory.With(e, o => o["payloadType"] = "application/vnd.in-toto+jsonx")));
        var wrongKey = Prepare(signer) with { Key = _temp.Write("stranger.pem", Encoding.ASCII.GetBytes(stranger.PublicKeyPem)) };
        var changedArtifact = await RunAsync(Prepare(signer, artifactOverride: "a different artifact"u8.ToArray()));

        AssertRejected(changedPayload, "PV3001");
        AssertRejected(changedSignature, "PV3001");
        AssertRejected(changedType, "PV2005");
        AssertRejected(await RunAsync(wrongKey), "PV3001");
        AssertRejected(changedArtifact, "PV4001");
    }

    private static void AssertRejected(CliRunner.Run run, string code)
    {
        Assert.Equal(1, run.ExitCode);
        Assert.Contains(code, run.Output, StringComparison.Ordinal);
    }
}
