using System.Globalization;
using Provenance.Json;
using Provenance.Sigstore;
using Provenance.Testing;

namespace Provenance.Tests.Sigstore;

/// <summary>
/// Reads the sigstore-conformance and real-world vectors under testdata/ (see testdata/NOTICE): the bundle's leaf
/// certificate, the integrated time of its first log entry (the lead wires verified time evidence; these unit tests
/// take the logged time as given) and trusted roots.
/// </summary>
internal static class SigstoreVectors
{
    public const string PublicGoodRoot = "sigstore-conformance/trusted-roots/public-good-production.json";

    public static string Case(string name, string file = "bundle.sigstore.json") => $"sigstore-conformance/bundle-verify/{name}/{file}";

    public static SigstoreBundle Bundle(string path)
    {
        using var document = StrictJson.Parse(TestData.ReadAllBytes(path));
        return SigstoreBundle.Parse(document.RootElement, "$");
    }

    /// <summary>The bundle's leaf: verificationMaterial.certificate or the first of x509CertificateChain.</summary>
    public static FulcioCertificate Leaf(string path) => FulcioCertificate.Parse(Bundle(path).Certificates[0]);

    /// <summary>The integratedTime of the bundle's first transparency log entry.</summary>
    public static DateTimeOffset IntegratedTime(string path)
    {
        var entry = Bundle(path).TransparencyLogEntries[0];
        var seconds = long.Parse(entry.GetProperty("integratedTime").GetString()!, CultureInfo.InvariantCulture);
        return DateTimeOffset.FromUnixTimeSeconds(seconds);
    }

    public static TrustedRoot Root(string path) => TrustedRoot.Parse(TestData.ReadAllBytes(path));

    public static TrustedRoot Root(byte[] json) => TrustedRoot.Parse(json);
}
