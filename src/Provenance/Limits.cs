namespace Provenance;

/// <summary>
/// Every bound on untrusted input, in one place. Parsers check these before doing work (and before
/// any cryptography), so a hostile file costs at most what these numbers allow.
/// </summary>
public static class Limits
{
    /// <summary>Largest attestation file read (bundles of real builds are tens of KiB).</summary>
    public const long MaxAttestationFileBytes = 32L * 1024 * 1024;

    /// <summary>Largest HTTP response body read, unless a source asks for less (metadata) or more (artifact downloads).</summary>
    public const long MaxHttpResponseBytes = 64L * 1024 * 1024;

    /// <summary>
    /// Pages of the GitHub attestations API read for one digest (100 attestations each): a server whose next-page
    /// links never end costs at most this many requests.
    /// </summary>
    public const int MaxGitHubAttestationPages = 10;

    /// <summary>Attestations fetched from the GitHub attestations API for one digest, over all its pages.</summary>
    public const int MaxGitHubAttestations = 1_000;

    /// <summary>Largest GitHub release description (the JSON listing its assets) read.</summary>
    public const long MaxGitHubReleaseBytes = 4L * 1024 * 1024;

    /// <summary>Assets of one GitHub release downloaded for <c>--release</c>.</summary>
    public const int MaxGitHubReleaseAssets = 100;

    /// <summary>Largest release asset downloaded as an artifact (streamed to a file, never held in memory).</summary>
    public const long MaxGitHubReleaseAssetBytes = 1L * 1024 * 1024 * 1024;

    /// <summary>Largest key file read.</summary>
    public const long MaxKeyFileBytes = 64 * 1024;

    /// <summary>Deepest JSON nesting accepted anywhere.</summary>
    public const int MaxJsonDepth = 64;

    /// <summary>Signatures in one DSSE envelope.</summary>
    public const int MaxSignatures = 16;

    /// <summary>Subjects in one statement.</summary>
    public const int MaxSubjects = 10_000;

    /// <summary>Digest entries in one subject's digest set.</summary>
    public const int MaxDigestsPerSubject = 16;

    /// <summary>Attestations (lines of a JSON Lines file, items of an array) in one file.</summary>
    public const int MaxAttestationsPerFile = 1_000;

    /// <summary>Largest decoded DSSE payload.</summary>
    public const int MaxPayloadBytes = 16 * 1024 * 1024;

    /// <summary>Largest decoded signature.</summary>
    public const int MaxSignatureBytes = 4 * 1024;

    /// <summary>Keys given to one verification.</summary>
    public const int MaxKeys = 64;

    /// <summary>Largest DER certificate accepted.</summary>
    public const int MaxCertificateBytes = 32 * 1024;

    /// <summary>Certificates in one X.509 certificate chain, of a bundle or of a trusted root's authority.</summary>
    public const int MaxCertificateChainLength = 10;

    /// <summary>Transparency log entries in one bundle.</summary>
    public const int MaxTransparencyLogEntries = 32;

    /// <summary>Authorities or logs of one kind in a trusted root.</summary>
    public const int MaxTrustedRootEntries = 64;

    /// <summary>
    /// Longest RSA modulus accepted for a trusted key; verification cost grows with it, and no signer in the
    /// Sigstore algorithm registry uses more than 4096 bits.
    /// </summary>
    public const int MaxRsaKeyBits = 8192;

    /// <summary>
    /// Sibling hashes in one Merkle inclusion proof: a tree of 2^63 entries needs at most 63, so more is never a
    /// valid proof, only work.
    /// </summary>
    public const int MaxInclusionProofHashes = 64;

    /// <summary>Largest checkpoint (signed note) read; real ones are well under 2 KiB even with many witnesses.</summary>
    public const int MaxCheckpointBytes = 64 * 1024;

    /// <summary>Signature lines in one signed note (golang.org/x/mod/sumdb/note stops at 100; C2SP requires at least 16).</summary>
    public const int MaxNoteSignatures = 100;

    /// <summary>
    /// Largest canonicalized log entry body. An intoto entry embeds the payload base64-encoded twice, so this is
    /// the payload limit with room for that growth.
    /// </summary>
    public const int MaxLogEntryBodyBytes = 2 * MaxPayloadBytes;

    /// <summary>
    /// Longest value of one Fulcio extension (OID 1.3.6.1.4.1.57264.1.*) or subject alternative name; real values are
    /// URIs and digests of at most a few hundred bytes.
    /// </summary>
    public const int MaxFulcioExtensionBytes = 4 * 1024;

    /// <summary>Extensions in one certificate.</summary>
    public const int MaxCertificateExtensions = 64;

    /// <summary>Signed certificate timestamps (RFC 6962) embedded in one certificate.</summary>
    public const int MaxSignedCertificateTimestamps = 32;

    /// <summary>Signed timestamps in one bundle (sigstore-go accepts as many).</summary>
    public const int MaxTimestamps = 32;

    /// <summary>
    /// Largest signed timestamp (RFC 3161 TimeStampResp) accepted; real ones are 1 to 6 KiB, embedded certificates
    /// included.
    /// </summary>
    public const int MaxTimestampBytes = 32 * 1024;

    /// <summary>Largest policy or policy fixtures file read.</summary>
    public const int MaxPolicyBytes = 256 * 1024;

    /// <summary>Longest value of one policy parameter (a single line).</summary>
    public const int MaxPolicyParameterLength = 1024;

    /// <summary>Transparency log entries fetched for one attestation found by a log search (a search may name more).</summary>
    public const int MaxLogSearchEntries = 16;

    /// <summary>Largest package-lock.json read.</summary>
    public const long MaxLockfileBytes = 64L * 1024 * 1024;

    /// <summary>Packages with attestations verified from one lockfile.</summary>
    public const int MaxLockfilePackages = 10_000;

    /// <summary>
    /// Largest TUF root metadata (root.json) downloaded or read; Sigstore's and GitHub's are under 10 KiB with a dozen
    /// keys, so 512 KiB leaves room for growth and stops endless data (TUF specification section 5.3.3).
    /// </summary>
    public const long MaxTufRootBytes = 512 * 1024;

    /// <summary>Largest TUF timestamp metadata: it names one file, so real ones are under 2 KiB (section 5.4.1).</summary>
    public const long MaxTufTimestampBytes = 64 * 1024;

    /// <summary>Largest TUF snapshot metadata when the timestamp gives no length (section 5.5.1).</summary>
    public const long MaxTufSnapshotBytes = 4L * 1024 * 1024;

    /// <summary>Largest TUF targets metadata, top-level or delegated, when the snapshot gives no length (section 5.6.1).</summary>
    public const long MaxTufTargetsBytes = 16L * 1024 * 1024;

    /// <summary>
    /// Largest target file fetched through TUF: the target's own length from its signed metadata is the bound, and
    /// never more than this (a Sigstore trusted_root.json is under 20 KiB).
    /// </summary>
    public const long MaxTufTargetBytes = 32L * 1024 * 1024;

    /// <summary>New root versions fetched in one update (section 5.3.3): a repository cannot keep a client rotating forever.</summary>
    public const int MaxTufRootRotations = 32;

    /// <summary>Targets roles visited while searching delegations for one target (section 5.6.7, python-tuf's default).</summary>
    public const int MaxTufDelegatedRoles = 32;

    /// <summary>Deepest chain of delegations followed from the top-level targets role.</summary>
    public const int MaxTufDelegationDepth = 8;

    /// <summary>Keys in one TUF root or delegation; Sigstore's root has about ten.</summary>
    public const int MaxTufKeys = 256;

    /// <summary>Signatures on one TUF metadata file: more than its role's keys can make is never needed, only work.</summary>
    public const int MaxTufSignatures = 256;

    /// <summary>Entries in one TUF snapshot's or timestamp's meta, one targets role's targets, or one delegation list.</summary>
    public const int MaxTufEntries = 100_000;

    /// <summary>Artifacts, and separately attestation files, one invocation verifies, after patterns are expanded.</summary>
    public const int MaxBatchInputs = 100_000;

    /// <summary>
    /// Largest OCI manifest or index read from a registry (the CNCF distribution registry refuses manifests over 4 MiB
    /// by default; attestation manifests are a few KiB).
    /// </summary>
    public const int MaxOciManifestBytes = 4 * 1024 * 1024;

    /// <summary>Descriptors (referrers, index entries, layers) read from one OCI manifest, index or referrers list.</summary>
    public const int MaxOciDescriptors = 256;

    /// <summary>Pages of a referrers list followed (OCI distribution: <c>Link</c> header); more is an endless listing.</summary>
    public const int MaxOciReferrerPages = 8;

    /// <summary>Attestations fetched for one image, across referrers and cosign attestation layers.</summary>
    public const int MaxOciAttestations = 64;

    /// <summary>Largest registry token response read; real ones are JWTs of a few KiB.</summary>
    public const int MaxRegistryTokenResponseBytes = 64 * 1024;

    /// <summary>Largest Docker config file (~/.docker/config.json) read.</summary>
    public const int MaxDockerConfigBytes = 1024 * 1024;

    /// <summary>
    /// Answers one client remembers within an invocation (see Http/FetchCache); past it, fetches are made but not
    /// kept, so a run over many inputs cannot grow memory without end.
    /// </summary>
    public const int MaxFetchCacheEntries = 4_096;
}
