using System.Collections.Immutable;
using System.Text;
using Provenance.Cryptography;

namespace Provenance.Sources.Npm;

/// <summary>A key the npm registry signs publish attestations with, and when the registry stopped using it.</summary>
/// <param name="Key">The public key.</param>
/// <param name="Expires">The end of its use, as the registry's keys document gives it; null while current.</param>
public sealed record NpmRegistryKey(VerificationKey Key, DateTimeOffset? Expires);

/// <summary>
/// The npm registry's publish-attestation keys, embedded: a key the registry serves at verification time would let
/// the registry vouch for itself. These are the keys of https://registry.npmjs.org/-/npm/v1/keys (ECDSA P-256,
/// SPKI base64); the first is also the key of the real npm vectors in testdata/realworld (sigstore-go's
/// examples/publish_key.pub), whose id a test recomputes. <c>--key</c> replaces them, for other registries.
/// </summary>
public static class NpmRegistryKeys
{
    /// <summary>The keys of registry.npmjs.org.</summary>
    public static ImmutableArray<NpmRegistryKey> PublicRegistry { get; } =
    [
        Create("MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE1Olb3zMAFFxXKHiIkQO5cJ3Yhl5i6UPp+IhuteBJbuHcA5UogKo0EWtlWwW6KSaKoTNEYL7JlCQiVnkhBktUgg==",
            new DateTimeOffset(2025, 1, 29, 0, 0, 0, TimeSpan.Zero)),
        Create("MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEY6Ya7W++7aUPzvMTrezH6Ycx3c+HOKYCcNGybJZSCJq/fd7Qa8uuAKtdIkUQtQiEKERhAmE5lMMJhP8OkDOa2g==", null),
    ];

    private static NpmRegistryKey Create(string spki, DateTimeOffset? expires) =>
        new(VerificationKey.Parse(Encoding.ASCII.GetBytes("-----BEGIN PUBLIC KEY-----\n" + spki + "\n-----END PUBLIC KEY-----\n")), expires);
}
