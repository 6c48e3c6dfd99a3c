using System.Collections.Immutable;
using Provenance.Cryptography;

namespace Provenance.Verification;

/// <summary>What a <see cref="ProvenanceVerifier"/> trusts and how much it requires. Checked when the verifier is built.</summary>
public sealed record VerifierOptions
{
    /// <summary>The public keys whose signatures are trusted.</summary>
    public ImmutableArray<VerificationKey> Keys { get; init; } = [];

    /// <summary>How many distinct trusted keys must have signed an envelope (at least 1).</summary>
    public int SignatureThreshold { get; init; } = 1;

    internal void Validate()
    {
        if (Keys.IsDefaultOrEmpty)
        {
            throw new ArgumentException("A verifier needs trust material: give at least one public key.", nameof(Keys));
        }

        if (Keys.Length > Limits.MaxKeys)
        {
            throw new ArgumentException($"At most {Limits.MaxKeys} keys can be trusted at once.", nameof(Keys));
        }

        if (SignatureThreshold < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(SignatureThreshold), SignatureThreshold, "The signature threshold must be at least 1.");
        }

        if (SignatureThreshold > Keys.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(SignatureThreshold), SignatureThreshold,
                $"The signature threshold ({SignatureThreshold}) is more than the number of trusted keys ({Keys.Length}): nothing could verify.");
        }
    }
}
