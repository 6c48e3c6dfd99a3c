using System.Security.Cryptography;
using System.Text.Json;
using Provenance.Cryptography;
using Provenance.Envelopes;
using Provenance.Json;
using Provenance.Sigstore;
using Provenance.Testing;

namespace Provenance.Tests.Sigstore;

/// <summary>
/// One case of sigstore-conformance test/assets/bundle-verify, copied to testdata/sigstore-conformance/ (see
/// testdata/NOTICE): its bundle, the trusted root it is verified with (its own trusted_root.json, else the pinned
/// public-good production root, as the suite's runner does) and the artifact a.txt.
/// </summary>
internal sealed class ConformanceCase
{
    private ConformanceCase(string name, SigstoreBundle bundle, TrustedRoot root)
    {
        Name = name;
        Bundle = bundle;
        Root = root;
    }

    public string Name { get; }

    public SigstoreBundle Bundle { get; }

    public TrustedRoot Root { get; }

    public static ConformanceCase Load(string name)
    {
        var directory = TestData.Path("sigstore-conformance", "bundle-verify", name);
        using var document = StrictJson.Parse(File.ReadAllBytes(Path.Combine(directory, "bundle.sigstore.json")));
        var bundle = SigstoreBundle.Parse(document.RootElement.Clone(), "$");
        var ownRoot = Path.Combine(directory, "trusted_root.json");
        var root = TrustedRoot.Parse(File.Exists(ownRoot)
            ? File.ReadAllBytes(ownRoot)
            : TestData.ReadAllBytes("sigstore-conformance", "trusted-roots", "public-good-production.json"));
        return new ConformanceCase(name, bundle, root);
    }

    /// <summary>The first log entry, parsed; conformance bundles carry one.</summary>
    public TransparencyLogEntry Entry()
    {
        Assert.True(TransparencyLogEntry.TryParse(Bundle.TransparencyLogEntries[0], "tlogEntries[0]", out var entry, out var problem),
            problem?.ToString());
        return entry;
    }

    /// <summary>
    /// What the bundle signed, with the digest of the artifact the suite verifies against (a.txt), not the bundle's
    /// own claim, and the key from the case's key.pub for key-based cases.
    /// </summary>
    public SignedContent Content()
    {
        var directory = TestData.Path("sigstore-conformance", "bundle-verify", Name);
        var keyFile = Path.Combine(directory, "key.pub");
        var (kind, material) = File.Exists(keyFile)
            ? (SignerMaterialKind.PublicKey, VerificationKey.Parse(File.ReadAllBytes(keyFile)).SubjectPublicKeyInfo)
            : (SignerMaterialKind.Certificate, Bundle.Certificates[0]);
        if (Bundle.Envelope is { } envelope)
        {
            return SignedContent.ForEnvelope(envelope, kind, material);
        }

        var artifact = TestData.ReadAllBytes("sigstore-conformance", "bundle-verify", "a.txt");
        return SignedContent.ForMessage(Bundle.MessageSignature!.Signature, kind, material, DigestAlgorithm.Sha256, SHA256.HashData(artifact));
    }
}
