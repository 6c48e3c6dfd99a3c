using System.Globalization;
using BenchmarkDotNet.Running;
using Provenance.Benchmarks;
using Provenance.Testing;

// compare.sh's modes: `loop SECONDS ROOT ARTIFACT BUNDLE...` (in-process keyless throughput) and
// `generate DIR COUNT` (a batch of key-signed attestations and their artifacts) and `attest FILE` (FILE.intoto.jsonl
// and key.pub beside an existing file). Anything else is BenchmarkDotNet's.
switch (args.FirstOrDefault())
{
    case "loop":
        return await KeylessLoop.RunAsync(args[1..]);
    case "generate" when args.Length == 3:
        using (var signer = TestSigner.Create("ecdsa-p256-sha256"))
        {
            BatchFixture.Write(args[1], int.Parse(args[2], CultureInfo.InvariantCulture), signer);
        }

        return 0;
    case "attest" when args.Length == 2:
        using (var signer = TestSigner.Create("ecdsa-p256-sha256"))
        {
            BatchFixture.Attest(args[1], signer);
        }

        return 0;
    default:
        BenchmarkSwitcher.FromAssembly(typeof(KeylessInputs).Assembly).Run(args);
        return 0;
}
