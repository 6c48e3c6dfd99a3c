using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Provenance.Cryptography;
using Provenance.Json;

namespace Provenance.Tuf;

/// <summary>
/// TUF keys (specification section 4.2 KEYTYPE and SCHEME) and the threshold check of section 5.3.4, 5.4.2, 5.5.3
/// and 5.6.3: ecdsa-sha2-nistp256 (PEM public key, as Sigstore's and GitHub's roots use), ed25519 (hex public key)
/// and rsassa-pss-sha256 (PEM public key).
/// </summary>
internal static class TufKeys
{
    // DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410 section 4), followed by the 32-byte key.
    private static readonly byte[] Ed25519SpkiPrefix = Convert.FromHexString("302a300506032b6570032100");

    public static TufKey Read(string keyId, JsonElement key, string path)
    {
        var keyType = StrictJson.RequiredString(key, "keytype", path);
        var scheme = StrictJson.RequiredString(key, "scheme", path);
        var keyval = StrictJson.Required(key, "keyval", path);
        var publicValue = StrictJson.RequiredString(keyval, "public", StrictJson.Child(path, "keyval"));
        // keyid_hash_algorithms (older keys, Sigstore's root among them) only says how the id was made: ids are names
        // here, looked up in the role's own list, never recomputed or trusted beyond it.
        VerificationKey? verificationKey = (keyType, scheme) switch
        {
            ("ecdsa" or "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp256") => Parse(Encoding.ASCII.GetBytes(publicValue), "ecdsa-p256-sha256"),
            ("ed25519", "ed25519") when publicValue.Length == 64 => Parse([.. Ed25519SpkiPrefix, .. TufMetadata.Hex(publicValue, path, 32)], "ed25519"),
            ("rsa", "rsassa-pss-sha256") => Parse(Encoding.ASCII.GetBytes(publicValue), "rsa-pss-sha256"),
            _ => null,
        };
        return new TufKey(keyId, scheme, verificationKey);
    }

    private static VerificationKey? Parse(byte[] pemOrDer, string algorithm) =>
        VerificationKey.TryParse(pemOrDer, algorithm, out var key, out _) ? key : null;

    /// <summary>
    /// How many distinct keys of <paramref name="role"/> made a valid signature over the metadata's canonical bytes.
    /// A key id the role does not list never counts, whatever key it names; a key counts once however often it signs,
    /// and two key ids for one public key count once.
    /// </summary>
    public static int CountValidSignatures(TufMetadata metadata, IReadOnlyDictionary<string, TufKey> keys, TufRoleKeys role)
    {
        // Each key id is tried once (its first signature), so repeated signatures cost no repeated verification.
        var tried = new HashSet<string>(StringComparer.Ordinal);
        var countedKeys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var signature in metadata.Signatures)
        {
            if (signature.Signature.Length == 0 || !role.KeyIds.Contains(signature.KeyId) || !tried.Add(signature.KeyId)
                || !keys.TryGetValue(signature.KeyId, out var key) || key.Key is not { } verificationKey
                || countedKeys.Contains(verificationKey.SpkiSha256))
            {
                continue;
            }

            if (verificationKey.Verify(metadata.CanonicalSigned, signature.Signature))
            {
                countedKeys.Add(verificationKey.SpkiSha256);
            }
        }

        return countedKeys.Count;
    }

    /// <summary>Throws <see cref="DiagnosticCode.TufThresholdNotMet"/> unless a threshold of the role's keys signed.</summary>
    public static void RequireThreshold(TufMetadata metadata, IReadOnlyDictionary<string, TufKey> keys, TufRoleKeys role, string roleDescription, string location)
    {
        var valid = CountValidSignatures(metadata, keys, role);
        if (valid < role.Threshold)
        {
            throw InvalidInputException.At(DiagnosticCode.TufThresholdNotMet, location, string.Create(CultureInfo.InvariantCulture,
                $"{valid} valid signature(s) by keys of {roleDescription} where {role.Threshold} are required; the metadata was not made by the repository's keys, or a mirror altered it"));
        }
    }

    /// <summary>True when the two role definitions trust different keys or thresholds (a rotation, section 5.3.11).</summary>
    public static bool Rotated(TufRoleKeys before, TufRoleKeys after) =>
        before.Threshold != after.Threshold || !before.KeyIds.ToImmutableSortedSet(StringComparer.Ordinal).SetEquals(after.KeyIds);
}
