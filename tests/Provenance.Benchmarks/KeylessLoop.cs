using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Provenance.Cryptography;
using Provenance.Sigstore;
using Provenance.Verification;

namespace Provenance.Benchmarks;

/// <summary>
/// Keyless verifications per second in one process, the way compare.sh measures sigstore-js: trust material built
/// once, then each bundle parsed from its bytes, verified and matched to the artifact, for a fixed time.
/// Usage: <c>loop SECONDS TRUSTED_ROOT ARTIFACT BUNDLE...</c> with the conformance identity (<see cref="KeylessInputs"/>).
/// </summary>
internal static class KeylessLoop
{
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(2);

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length < 4 || !double.TryParse(args[0], CultureInfo.InvariantCulture, out var seconds))
        {
            await Console.Error.WriteLineAsync("usage: loop SECONDS TRUSTED_ROOT ARTIFACT BUNDLE...");
            return 2;
        }

        var root = TrustedRoot.Parse(await File.ReadAllBytesAsync(args[1]));
        var verifier = new ProvenanceVerifier(KeylessInputs.Options(root));
        ArtifactInput[] artifact = [ArtifactInput.FromDigest(ArtifactDigest.FromHash(DigestAlgorithm.Sha256, SHA256.HashData(await File.ReadAllBytesAsync(args[2]))))];
        var bundles = new List<AttestationInput[]>();
        foreach (var path in args[3..])
        {
            bundles.Add([AttestationInput.FromContent(path, await File.ReadAllBytesAsync(path))]);
        }

        // The first round warms up and proves that every bundle verifies: a failure path would measure nothing useful.
        foreach (var bundle in bundles)
        {
            if (!(await verifier.VerifyAsync(artifact, bundle))[0].Verified)
            {
                await Console.Error.WriteLineAsync($"{bundle[0].Name} does not verify");
                return 1;
            }
        }

        // Both sides warm up for the same time before counting: JIT tiers (here) and V8's optimiser (there) settle.
        var warmUp = Stopwatch.StartNew();
        while (warmUp.Elapsed < WarmUp)
        {
            foreach (var bundle in bundles)
            {
                _ = await verifier.VerifyAsync(artifact, bundle);
            }
        }

        var count = 0;
        var clock = Stopwatch.StartNew();
        var end = TimeSpan.FromSeconds(seconds);
        while (clock.Elapsed < end)
        {
            foreach (var bundle in bundles)
            {
                _ = await verifier.VerifyAsync(artifact, bundle);
            }

            count += bundles.Count;
        }

        Console.WriteLine((count / clock.Elapsed.TotalSeconds).ToString("F1", CultureInfo.InvariantCulture));
        return 0;
    }
}
