using System.Collections.Immutable;
using System.Text;
using Provenance;
using Provenance.Cryptography;
using Provenance.Policy;
using Provenance.Sigstore;
using Provenance.Verification;
using SharpFuzz;

// Fuzz targets for every parser of untrusted input, one per argument, each calling the parser as the verifier
// does. A parser may refuse input only as the library's contract allows: a Problem result, or an
// InvalidInputException inside the library that its boundary turns into one. Any other exception escapes to
// SharpFuzz, which reports it to libFuzzer as a crash.
//
//   Provenance.Fuzz TARGET              run under libFuzzer (run.sh starts it through the driver)
//   Provenance.Fuzz TARGET FILE...      run each file once, outside libFuzzer, to replay a crash (uninstrumented
//                                       build only: instrumented code needs the driver's coverage map)
if (args.Length == 0 || !FuzzTargets.All.TryGetValue(args[0], out var target))
{
    await Console.Error.WriteLineAsync($"usage: Provenance.Fuzz {string.Join('|', FuzzTargets.All.Keys)} [FILE...]").ConfigureAwait(false);
    return 2;
}

if (args.Length > 1)
{
    foreach (var file in args.Skip(1))
    {
        target(await File.ReadAllBytesAsync(file).ConfigureAwait(false));
        await Console.Out.WriteLineAsync($"{file}: no crash").ConfigureAwait(false);
    }

    return 0;
}

Fuzzer.LibFuzzer.Run(span => target(span.ToArray()));
return 0;

/// <summary>The targets, by the name run.sh and the corpus folders use.</summary>
internal static class FuzzTargets
{
    private static readonly ImmutableDictionary<string, string> PolicyParameters =
        ImmutableDictionary<string, string>.Empty.Add("repository", "example/repo");

    public static readonly ImmutableDictionary<string, Action<byte[]>> All = new Dictionary<string, Action<byte[]>>(StringComparer.Ordinal)
    {
        // A Sigstore bundle (or any container) through the whole keyless verifier: loading, log entries,
        // checkpoints, timestamps, certificates, the statement. VerifyAsync never throws for untrusted input.
        ["bundle"] = data => Trust.Verify(Trust.KeylessVerifier, data),
        // A DSSE envelope (or JSON Lines of them) through the key-based verifier.
        ["envelope"] = data => Trust.Verify(Trust.KeyVerifier, data),
        ["trusted-root"] = data => TrustedRoot.TryParse(data, out _, out _),
        // A checkpoint as a log entry's inclusion proof carries it: read as Rekor v1 and as C2SP signed notes.
        ["checkpoint"] = data =>
        {
            var text = Encoding.UTF8.GetString(data);
            Refused(() => CheckpointVerifier.VerifyRekorV1(text, Trust.LogKey));
            Refused(() => CheckpointVerifier.VerifyC2sp(text, "rekor.sigstore.dev", Trust.LogKey));
        },
        // A key file as --key (public) and --vsa-key (private) read it.
        ["pem"] = data =>
        {
            VerificationKey.TryParse(data, null, out _, out _);
            if (SigningKey.TryParse(data, out var signing, out _))
            {
                signing.Dispose();
            }
        },
        ["policy"] = data => PolicyLoader.TryLoad(Encoding.UTF8.GetString(data), "policy.yaml", PolicyParameters, out _, out _),
    }.ToImmutableDictionary(StringComparer.Ordinal);

    /// <summary>Runs a parser that reports refusal by throwing the library's own exception, as its callers expect.</summary>
    private static void Refused(Action parse)
    {
        try
        {
            parse();
        }
        catch (InvalidInputException)
        {
            // The expected refusal: the verifier turns it into a Problem with a code.
        }
    }
}

/// <summary>
/// The trust the targets verify with, built on first use: that is inside the first fuzzed run, after SharpFuzz has
/// set up the coverage map that the instrumented library writes to on every branch.
/// </summary>
internal static class Trust
{
    private static readonly string TrustDirectory = Path.Combine(AppContext.BaseDirectory, "trust");

    // Built once: a fuzz run executes millions of inputs against the same trust.
    private static readonly TrustedRoot Root = LoadRoot();
    private static readonly VerificationKey Key = VerificationKey.Parse(File.ReadAllBytes(Path.Combine(TrustDirectory, "key.pub")));
    public static readonly VerificationKey LogKey = Root.TransparencyLogs.First(l => l.Key is not null).Key!;

    public static readonly ProvenanceVerifier KeylessVerifier = new(new VerifierOptions
    {
        TrustedRoot = Root,
        Identities = [CertificateIdentity.Create(null, ".*", null, ".*")],
    });

    public static readonly ProvenanceVerifier KeyVerifier = new(new VerifierOptions { Keys = [Key] });

    private static readonly ArtifactInput Artifact = ArtifactInput.FromDigest(ArtifactDigest.Parse("sha256:" + new string('a', 64)));

    private static TrustedRoot LoadRoot() =>
        TrustedRoot.TryParse(File.ReadAllBytes(Path.Combine(TrustDirectory, "trusted_root.json")), out var root, out var problem)
            ? root!
            : throw new InvalidOperationException("the fuzz targets' trusted root does not parse: " + problem);

    public static void Verify(ProvenanceVerifier verifier, byte[] data) =>
        verifier.VerifyAsync(Artifact, [AttestationInput.FromContent("fuzz.json", data)]).GetAwaiter().GetResult();
}
