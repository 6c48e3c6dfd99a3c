using System.Globalization;

namespace Provenance.Testing;

/// <summary>
/// Writes a release-like folder for batch verification: <c>artifact-N.bin</c> with distinct bytes and, beside each,
/// <c>artifact-N.bin.intoto.jsonl</c>, a DSSE envelope over a statement naming it, signed by one key whose public
/// half is <c>key.pub</c>. Tests use small counts; the benchmark program writes 10,000 (see the README).
/// </summary>
public static class BatchFixture
{
    public const string KeyFile = "key.pub";

    /// <summary>Writes <c>ARTIFACT.intoto.jsonl</c> naming the existing file, and the key, beside it.</summary>
    public static void Attest(string artifactPath, TestSigner signer)
    {
        ArgumentNullException.ThrowIfNull(signer);
        File.WriteAllText(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(artifactPath))!, KeyFile), signer.PublicKeyPem);
        var statement = AttestationFactory.StatementFor(File.ReadAllBytes(artifactPath), Path.GetFileName(artifactPath));
        File.WriteAllText(artifactPath + ".intoto.jsonl", AttestationFactory.Envelope(statement, signer.Sign) + "\n");
    }

    /// <summary>The artifact file names, in the order written (which is not ordinal order beyond 9).</summary>
    public static IReadOnlyList<string> Write(string directory, int count, TestSigner signer, int artifactBytes = 1024)
    {
        ArgumentNullException.ThrowIfNull(signer);
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, KeyFile), signer.PublicKeyPem);
        var names = new List<string>(count);
        var content = new byte[artifactBytes];
        for (var i = 0; i < count; i++)
        {
            var name = string.Create(CultureInfo.InvariantCulture, $"artifact-{i}.bin");
            new Random(i).NextBytes(content);
            File.WriteAllBytes(Path.Combine(directory, name), content);
            var envelope = AttestationFactory.Envelope(AttestationFactory.StatementFor(content, name), signer.Sign);
            File.WriteAllText(Path.Combine(directory, name + ".intoto.jsonl"), envelope + "\n");
            names.Add(name);
        }

        return names;
    }
}
