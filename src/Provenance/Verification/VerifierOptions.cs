using System.Collections.Immutable;
using Provenance.Cryptography;
using Provenance.Sigstore;

namespace Provenance.Verification;

/// <summary>
/// What a <see cref="ProvenanceVerifier"/> trusts and how much it requires. Checked when the verifier is built:
/// options that could never verify anything, or that would verify keyless signatures from anyone, are refused.
/// </summary>
public sealed record VerifierOptions
{
    /// <summary>The public keys whose signatures are trusted.</summary>
    public ImmutableArray<VerificationKey> Keys { get; init; } = [];

    /// <summary>How many distinct trusted keys must have signed an envelope (at least 1).</summary>
    public int SignatureThreshold { get; init; } = 1;

    /// <summary>
    /// Sigstore trust material: Fulcio CAs, transparency logs, CT logs, timestamp authorities. Needed for keyless
    /// signatures; when given, the transparency log entries of every bundle are verified too, key-signed or not.
    /// </summary>
    public TrustedRoot? TrustedRoot { get; init; }

    /// <summary>The keyless signers accepted: any one of them must match the certificate.</summary>
    public ImmutableArray<CertificateIdentity> Identities { get; init; } = [];

    /// <summary>
    /// Unsafe: accepts a keyless signature from any identity the trusted root's CAs certified — that is, from
    /// anyone with an email address or a CI account. It gives up knowing who signed; use only to inspect.
    /// </summary>
    public bool AcceptAnyIdentityUnsafe { get; init; }

    /// <summary>How many verified transparency log entries, from distinct logs, a bundle needs (at least 1).</summary>
    public int TransparencyLogThreshold { get; init; } = 1;

    /// <summary>How many independently verified times a keyless signature needs (at least 1).</summary>
    public int TimestampThreshold { get; init; } = 1;

    /// <summary>How many certificate transparency logs must have a verified SCT for the signing certificate (at least 1).</summary>
    public int CertificateTransparencyThreshold { get; init; } = 1;

    internal bool KeylessEnabled => TrustedRoot is not null && (!Identities.IsDefaultOrEmpty || AcceptAnyIdentityUnsafe);

    internal void Validate()
    {
        var keys = Keys.IsDefault ? [] : Keys;
        var identities = Identities.IsDefault ? [] : Identities;
        if (keys.IsEmpty && TrustedRoot is null)
        {
            throw new ArgumentException("A verifier needs trust material: give public keys, or a trusted root with the identities to accept.", nameof(Keys));
        }

        if (keys.IsEmpty && !KeylessEnabled)
        {
            throw new ArgumentException(
                "Keyless verification needs the identities to accept (or AcceptAnyIdentityUnsafe): without them any signer would pass.",
                nameof(Identities));
        }

        if (TrustedRoot is null && (!identities.IsEmpty || AcceptAnyIdentityUnsafe))
        {
            throw new ArgumentException("Identities are checked against keyless certificates, which need a trusted root.", nameof(TrustedRoot));
        }

        if (!identities.IsEmpty && AcceptAnyIdentityUnsafe)
        {
            throw new ArgumentException("Give identities or AcceptAnyIdentityUnsafe, not both.", nameof(AcceptAnyIdentityUnsafe));
        }

        if (keys.Length > Limits.MaxKeys)
        {
            throw new ArgumentException($"At most {Limits.MaxKeys} keys can be trusted at once.", nameof(Keys));
        }

        RequireAtLeastOne(SignatureThreshold, nameof(SignatureThreshold));
        RequireAtLeastOne(TransparencyLogThreshold, nameof(TransparencyLogThreshold));
        RequireAtLeastOne(TimestampThreshold, nameof(TimestampThreshold));
        RequireAtLeastOne(CertificateTransparencyThreshold, nameof(CertificateTransparencyThreshold));
        if (!keys.IsEmpty && SignatureThreshold > keys.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(SignatureThreshold), SignatureThreshold,
                $"The signature threshold ({SignatureThreshold}) is more than the number of trusted keys ({keys.Length}): nothing could verify.");
        }
    }

    private static void RequireAtLeastOne(int value, string name)
    {
        if (value < 1)
        {
            throw new ArgumentOutOfRangeException(name, value, "A threshold must be at least 1: zero would accept missing evidence.");
        }
    }
}
