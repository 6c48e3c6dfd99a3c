using Provenance.Sigstore;
using Provenance.Testing;
using Provenance.Verification;

namespace Provenance.Benchmarks;

/// <summary>
/// Real keyless inputs: the sigstore-conformance happy-path bundles (testdata/sigstore-conformance, see
/// testdata/NOTICE), their artifact a.txt and the identity the suite signed them with, verified against the
/// embedded public-good trusted root.
/// </summary>
internal static class KeylessInputs
{
    public const string Identity =
        "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";

    public const string Issuer = "https://token.actions.githubusercontent.com";

    /// <summary>A DSSE bundle (in-toto statement) and a message-signature bundle, both v0.3.</summary>
    public static readonly string[] BundleNames = ["happy-path-intoto-in-dsse-v3", "happy-path-v0.3"];

    public static string BundlePath(string name) => TestData.Path("sigstore-conformance", "bundle-verify", name, "bundle.sigstore.json");

    public static string ArtifactPath => TestData.Path("sigstore-conformance", "a.txt");

    public static byte[] Bundle(string name) => File.ReadAllBytes(BundlePath(name));

    /// <summary>The only bundle's attestation, parsed as verification parses it.</summary>
    public static LoadedAttestation Load(string name) => AttestationLoader.Load(Bundle(name), name).Single();

    public static VerifierOptions Options(TrustedRoot root) => new()
    {
        TrustedRoot = root,
        Identities = [CertificateIdentity.Create(Identity, null, Issuer, null)],
    };
}
