namespace Provenance;

/// <summary>
/// Stable codes for every failure a user can see, shown as <c>PV</c> and four digits
/// (<see cref="DiagnosticCodes.Format"/>). The numbers never change meaning; new failures get new numbers.
/// Thousands group the stage: 1 input and usage (exit 2), 2 attestation format, 3 signatures,
/// 4 artifact subjects, 5 Sigstore trust, 6 policy.
/// </summary>
public enum DiagnosticCode
{
    /// <summary>A file named on the command line or in the call does not exist.</summary>
    InputNotFound = 1001,
    /// <summary>A file exists but cannot be read.</summary>
    InputUnreadable = 1002,
    /// <summary>A file is empty.</summary>
    InputEmpty = 1003,
    /// <summary>A file is larger than <see cref="Limits"/> allows.</summary>
    InputTooLarge = 1004,
    /// <summary>An artifact given as a digest is not <c>sha256:HEX</c> (or sha384, sha512) with the right length.</summary>
    InvalidArtifactDigest = 1005,
    /// <summary>A key file is not a key the verifier understands: a PEM or DER SubjectPublicKeyInfo to trust, or a PKCS#8 PEM private key to sign with.</summary>
    InvalidKey = 1006,
    /// <summary>A key's algorithm, curve or the requested key algorithm is not supported.</summary>
    UnsupportedKeyAlgorithm = 1007,
    /// <summary>Options that cannot be used together, or a required option is missing.</summary>
    InvalidOptions = 1008,
    /// <summary>A trusted root file is not a valid Sigstore trusted_root.json.</summary>
    InvalidTrustedRoot = 1009,
    /// <summary>A policy file is not a valid policy: syntax, unknown keys, missing parameters, unsafe without saying so.</summary>
    InvalidPolicy = 1010,
    /// <summary>Material would have to be fetched, but the network is off (<c>--offline</c>).</summary>
    NetworkDisabled = 1011,
    /// <summary>A server could not be reached, or kept failing after every retry.</summary>
    FetchFailed = 1012,
    /// <summary>A server did not answer, or did not finish its answer, within the time allowed.</summary>
    FetchTimedOut = 1013,
    /// <summary>A response body is larger than allowed for what was asked.</summary>
    ResponseTooLarge = 1014,
    /// <summary>A URL uses plain http to a host that is neither loopback nor named as insecure, or another scheme.</summary>
    InsecureTransport = 1015,
    /// <summary>A TUF trusted root (<c>--tuf-root</c>) is not a root.json a client can start from, or <c>--tuf-url</c> is not a repository URL.</summary>
    InvalidTufRoot = 1050,
    /// <summary>The TUF cache cannot be read or written (permissions, not a directory), or holds metadata that does not verify.</summary>
    TufCacheUnusable = 1051,
    /// <summary>A TUF repository without a known initial root: give its root.json with <c>--tuf-root</c>.</summary>
    TufRepositoryUnknown = 1052,
    /// <summary>Nothing trusted is cached for the repository and the network is off, so no trusted root can be had.</summary>
    TufNothingCached = 1053,
    // 1020–1029: the GitHub API source; 1030–1039: Rekor and npm sources; 1040–1049: OCI registries; 1050–1059: TUF.
    /// <summary>The GitHub API refused the token (401): it is missing where one is needed, expired or invalid.</summary>
    GitHubUnauthorized = 1020,
    /// <summary>The GitHub API rate limit is used up (403 or 429); the message says when it resets.</summary>
    GitHubRateLimited = 1021,
    /// <summary>The GitHub API refused access (403) for a reason other than the rate limit: the token lacks a permission.</summary>
    GitHubForbidden = 1022,
    /// <summary>The GitHub API found nothing (404): no attestations for the digest, or no such repository or organization the token can see.</summary>
    GitHubNotFound = 1023,
    /// <summary>The GitHub API answered with an unexpected status, a body that is not an attestations listing, or a next-page link elsewhere.</summary>
    GitHubResponseInvalid = 1024,
    /// <summary>More attestations (or pages of them) for one digest than <see cref="Limits.MaxGitHubAttestations"/> allows.</summary>
    GitHubTooManyAttestations = 1025,
    /// <summary>
    /// A release (<c>--release</c>) that cannot be downloaded safely: more assets than <see cref="Limits.MaxGitHubReleaseAssets"/>,
    /// one larger than <see cref="Limits.MaxGitHubReleaseAssetBytes"/>, a name that is not a plain file name, or an asset
    /// URL on another server than the API.
    /// </summary>
    GitHubReleaseRefused = 1026,
    /// <summary>An attestation needs its transparency log entry looked up online, and the network is off (--offline).</summary>
    LogEntryLookupOffline = 1030,
    /// <summary>A transparency log or package registry answered with something other than what its API defines.</summary>
    SourceResponseInvalid = 1031,
    /// <summary>An npm package reference or package-lock.json that cannot be read as one.</summary>
    NpmReferenceInvalid = 1033,
    /// <summary>The npm registry has no such package version.</summary>
    NpmPackageNotFound = 1034,
    /// <summary>An <c>oci://</c> reference is not REGISTRY/REPOSITORY followed by <c>:TAG</c> or <c>@sha256:HEX</c>.</summary>
    InvalidOciReference = 1040,
    /// <summary>A registry answered a request with an error status (not found, denied, unavailable).</summary>
    RegistryRequestFailed = 1041,
    /// <summary>
    /// Content from a registry does not hash to the digest it was asked for or announced with (a manifest, blob or
    /// referrer; or a Docker-Content-Digest header that disagrees with the bytes): the registry or the path to it lies.
    /// </summary>
    RegistryDigestMismatch = 1042,
    /// <summary>A manifest, index or referrers list from a registry is not what the OCI specifications describe.</summary>
    RegistryMalformedContent = 1043,
    /// <summary>Registry authentication failed: credentials refused, or a token endpoint answered with no usable token.</summary>
    RegistryAuthenticationFailed = 1044,
    /// <summary>More referrers, layers or index entries than <see cref="Limits"/> allows.</summary>
    RegistryTooManyEntries = 1045,
    /// <summary>Registry credentials (Docker config file or environment) cannot be read or are malformed.</summary>
    RegistryCredentialsInvalid = 1047,

    /// <summary>The input is not well-formed JSON.</summary>
    MalformedJson = 2001,
    /// <summary>A JSON object repeats a key: which of the two values counts would be a guess.</summary>
    DuplicateJsonKey = 2002,
    /// <summary>JSON nesting is deeper than <see cref="Limits.MaxJsonDepth"/>.</summary>
    JsonTooDeep = 2003,
    /// <summary>A field that must hold standard base64 does not.</summary>
    InvalidBase64 = 2004,
    /// <summary>A DSSE payloadType other than <c>application/vnd.in-toto+json</c>.</summary>
    UnsupportedPayloadType = 2005,
    /// <summary>The signed payload is not an in-toto Statement.</summary>
    NotAnInTotoStatement = 2006,
    /// <summary>A statement without subjects names no artifact.</summary>
    EmptySubjects = 2007,
    /// <summary>The content is none of the containers the verifier reads.</summary>
    UnknownContainer = 2008,
    /// <summary>More signatures than <see cref="Limits.MaxSignatures"/>.</summary>
    TooManySignatures = 2009,
    /// <summary>More subjects than <see cref="Limits.MaxSubjects"/>.</summary>
    TooManySubjects = 2010,
    /// <summary>A Sigstore bundle media type that is not known.</summary>
    UnsupportedBundleMediaType = 2011,
    /// <summary>A required field is missing.</summary>
    MissingField = 2012,
    /// <summary>A field has the wrong JSON type or an invalid value.</summary>
    InvalidField = 2013,
    /// <summary>An in-toto statement <c>_type</c> that is neither v0.1 nor v1.</summary>
    UnsupportedStatementType = 2014,
    /// <summary>More attestations in one file than <see cref="Limits.MaxAttestationsPerFile"/>.</summary>
    TooManyAttestations = 2015,
    /// <summary>A DSSE envelope without signatures.</summary>
    NoSignatures = 2016,
    /// <summary>Verification material the verifier cannot use for this attestation.</summary>
    UnsupportedVerificationMaterial = 2017,
    /// <summary>A digest value that is not lowercase or uppercase hex of the algorithm's length.</summary>
    InvalidDigest = 2018,
    /// <summary>A JSON string, array or document larger than the limits allow.</summary>
    JsonTooLarge = 2019,

    /// <summary>No signature verified with any of the trusted keys.</summary>
    SignatureInvalid = 3001,
    /// <summary>No key or other trust material was given to verify a signature with.</summary>
    NoTrustMaterial = 3002,
    /// <summary>Fewer distinct trusted keys signed than the threshold requires.</summary>
    SignatureThresholdNotMet = 3003,

    /// <summary>The artifact's digest is not a subject of any verified statement.</summary>
    ArtifactNotInSubjects = 4001,
    /// <summary>The subjects carry only weak digests (sha1, md5), which never match.</summary>
    OnlyWeakDigests = 4002,
    /// <summary>No attestation was given.</summary>
    NoAttestations = 4003,
    /// <summary>The npm package version has no attestations (it was not published with provenance).</summary>
    NpmAttestationsMissing = 4004,
    /// <summary>The registry holds no attestation for the image: no referrer of a known bundle type and no cosign attestation tag.</summary>
    RegistryNoAttestations = 4005,

    // ---- 5000-5029: Fulcio certificates, chains and certificate transparency ----
    /// <summary>A certificate is not a well-formed DER X.509 v3 certificate (RFC 5280 section 4.1), or repeats an extension.</summary>
    CertificateMalformed = 5001,
    /// <summary>The signing certificate does not chain to any certificate authority of the trusted root.</summary>
    CertificateChainUntrusted = 5002,
    /// <summary>The signing certificate, or a certificate of its authority, is not valid at a verified time.</summary>
    CertificateNotValidAtTime = 5003,
    /// <summary>The certificate authority the signing certificate chains to is not trusted (validFor) at a verified time.</summary>
    CertificateAuthorityNotValidAtTime = 5004,
    /// <summary>The signing certificate lacks the codeSigning extended key usage or the digitalSignature key usage.</summary>
    CertificateMissingCodeSigning = 5005,
    /// <summary>The signing certificate carries no signed certificate timestamp (RFC 6962) from a trusted log.</summary>
    SctMissing = 5006,
    /// <summary>Fewer signed certificate timestamps verified with trusted logs than the threshold requires, or the list is malformed.</summary>
    SctInvalid = 5007,
    /// <summary>The signing certificate is a CA certificate, which must never sign artifacts.</summary>
    CertificateIsCa = 5008,
    /// <summary>A certificate's public key or signature algorithm is not one the verifier supports.</summary>
    CertificateUnsupportedAlgorithm = 5009,
    /// <summary>A certificate marks an extension critical that the verifier does not process (RFC 5280 section 4.2).</summary>
    CertificateUnhandledCriticalExtension = 5010,
    /// <summary>A Fulcio extension (OID 1.3.6.1.4.1.57264.1.*) or subject alternative name is malformed or too large.</summary>
    FulcioExtensionMalformed = 5011,
    /// <summary>The bundle carries an intermediate or root certificate that is not one of the trusted authority's.</summary>
    CertificateChainMismatch = 5012,

    // ---- 5030-5059: transparency logs (Rekor v1 and v2), Merkle proofs, checkpoints ----
    /// <summary>A transparency log entry is malformed: a missing or negative index, a number that is not an integer, a bad hash length.</summary>
    LogEntryMalformed = 5030,
    /// <summary>The entry names a log the trusted root does not list; entries are only trusted through the root.</summary>
    TransparencyLogUnknown = 5031,
    /// <summary>A bundle that must carry a signed entry timestamp (inclusion promise) does not (bundle v0.1).</summary>
    InclusionPromiseMissing = 5032,
    /// <summary>The signed entry timestamp (SET) does not verify with the log's key.</summary>
    SetInvalid = 5033,
    /// <summary>A bundle that must carry an inclusion proof with a checkpoint does not (bundle v0.2 and later, Rekor v2).</summary>
    InclusionProofMissing = 5034,
    /// <summary>The Merkle audit path does not lead from the entry to the proof's root hash (RFC 9162 section 2.1.3.2).</summary>
    InclusionProofInvalid = 5035,
    /// <summary>The checkpoint is not a well-formed signed note or tlog-checkpoint, is not signed by the log, or a log signature fails.</summary>
    CheckpointInvalid = 5036,
    /// <summary>The checkpoint is validly signed but commits to another tree size or root hash than the inclusion proof.</summary>
    CheckpointMismatch = 5037,
    /// <summary>The log entry body does not record this signature, key or certificate, digest or envelope.</summary>
    LogEntryBodyMismatch = 5038,
    /// <summary>The log entry's kind or version is not one the verifier can bind to the signed content.</summary>
    LogEntryKindUnsupported = 5039,
    /// <summary>The log's key was not valid (per the trusted root) at the entry's integrated time.</summary>
    LogKeyNotValidAtTime = 5040,
    /// <summary>The bundle has no transparency log entry where one is required.</summary>
    LogEntryMissing = 5041,

    // ---- 5060-5079: RFC 3161 timestamps ----
    /// <summary>
    /// A signed timestamp that is not a DER RFC 3161 TimeStampResp holding one TimeStampToken (section 2.4.2), has
    /// bytes after it, names a hash other than SHA-256, SHA-384 or SHA-512, or whose imprint has the wrong length.
    /// </summary>
    TimestampMalformed = 5060,
    /// <summary>The timestamp response's status is neither granted nor grantedWithMods (RFC 3161 section 2.4.2).</summary>
    TimestampNotGranted = 5061,
    /// <summary>The token's message imprint is not the hash of this bundle's signature: it timestamps something else.</summary>
    TimestampImprintMismatch = 5062,
    /// <summary>No timestamp authority of the trusted root issued the token, or the authority's chain does not verify.</summary>
    TimestampUntrustedAuthority = 5063,
    /// <summary>The token's CMS signature does not verify with the trusted timestamp authority's certificate.</summary>
    TimestampSignatureInvalid = 5064,
    /// <summary>
    /// The token's time is outside the validity of the authority's certificates or the window the trusted root gives
    /// the authority.
    /// </summary>
    TimestampNotValidAtTime = 5065,
    /// <summary>
    /// The timestamp signing certificate lacks the critical, sole id-kp-timeStamping extended key usage (RFC 3161
    /// section 2.3), or an intermediate of its chain is not restricted to timestamping.
    /// </summary>
    TimestampAuthorityMissingEku = 5066,
    /// <summary>The token is signed with a certificate authority's certificate rather than a timestamping key.</summary>
    TimestampSignerIsCertificateAuthority = 5067,
    /// <summary>The token's ESSCertID or ESSCertIDv2 signing-certificate attribute names another certificate (RFC 5816).</summary>
    TimestampSigningCertificateMismatch = 5068,
    /// <summary>More signed timestamps in one bundle than <see cref="Limits.MaxTimestamps"/>.</summary>
    TooManyTimestamps = 5069,
    /// <summary>One signed timestamp given twice: a duplicate must not count twice towards a threshold.</summary>
    DuplicateTimestamp = 5070,
    /// <summary>The token's time is outside the validity of the certificate that made the signature it timestamps.</summary>
    TimestampOutsideSignerValidity = 5071,

    // ---- 5080-5099: keyless verification as a whole (identity, time, thresholds) ----

    /// <summary>A keyless signature, but no signer identity to accept was given.</summary>
    KeylessIdentityRequired = 5080,
    /// <summary>A keyless DSSE envelope without a log entry: its entry must be found in the log online.</summary>
    LogEntryLookupRequired = 5081,
    /// <summary>Fewer verified times than required for a keyless signature.</summary>
    NoVerifiedTime = 5082,
    /// <summary>The certificate's identity or issuer is not one of those accepted.</summary>
    IdentityMismatch = 5083,
    /// <summary>A verified time lies in the future of this machine's clock.</summary>
    TimeInFuture = 5084,
    /// <summary>A message signature's digest hint is not the artifact's digest.</summary>
    MessageDigestMismatch = 5085,
    /// <summary>The transparency log holds no entry for the attestation, so nothing witnesses when it was signed.</summary>
    LogEntryNotFound = 5086,

    // ---- 5100-5129: TUF repositories (The Update Framework specification 1.0, client workflow section 5) ----

    /// <summary>TUF metadata that is not what the specification defines: a missing or mistyped field, an unknown spec_version, a number that is not an integer.</summary>
    TufMetadataMalformed = 5100,
    /// <summary>Fewer distinct keys of the role than its threshold signed the metadata (key compromise below threshold, malicious mirrors).</summary>
    TufThresholdNotMet = 5101,
    /// <summary>The metadata expired before the update started (indefinite freeze).</summary>
    TufMetadataExpired = 5102,
    /// <summary>A version lower than one trusted before (rollback), or a targets role the previous snapshot listed is gone.</summary>
    TufRollback = 5103,
    /// <summary>
    /// A version other than the one the referring metadata names: root not N+1, snapshot or targets not as the timestamp
    /// or snapshot says (mix-and-match, fast-forward).
    /// </summary>
    TufVersionMismatch = 5104,
    /// <summary>Metadata whose length or hashes differ from what the referring metadata says.</summary>
    TufMetadataHashMismatch = 5105,
    /// <summary>A target file whose length or hashes differ from its signed targets metadata (arbitrary software).</summary>
    TufTargetHashMismatch = 5106,
    /// <summary>The target is in no targets role trusted for its path (wrong software).</summary>
    TufTargetUnknown = 5107,
    /// <summary>Metadata of another role than the one asked for: a <c>_type</c> that does not match (wrong software).</summary>
    TufWrongRole = 5108,
    /// <summary>The delegation search visited more roles or went deeper than <see cref="Limits"/> allows.</summary>
    TufDelegationLimit = 5109,
    /// <summary>An update failed and the last verified trusted root has expired, so there is nothing safe to verify with.</summary>
    TufTrustExpired = 5110,

    // ---- 6000-6099: policy ----

    /// <summary>No verified attestation of the required predicate type names the artifact.</summary>
    RequirementNotSatisfied = 6001,
    /// <summary>The signer is not the one the policy requires (key, identity, issuer or certificate extension).</summary>
    SignerMismatch = 6002,
    /// <summary>The SLSA provenance does not meet the policy (builder, build type, source, ref, commit, workflow).</summary>
    ProvenanceMismatch = 6003,
    /// <summary>A condition on a statement field does not hold.</summary>
    ConditionFailed = 6004,
    /// <summary>The predicate is not well-formed SLSA provenance, so its constraints cannot be checked.</summary>
    ProvenanceMalformed = 6005,
    /// <summary>The build is older than the policy allows, or says nothing of when it ran.</summary>
    BuildTooOld = 6006,
    /// <summary>The certificate's source (GitHub Actions) disagrees with the provenance's source.</summary>
    CertificateProvenanceMismatch = 6007,
}

/// <summary>Formatting and classification of <see cref="DiagnosticCode"/>.</summary>
public static class DiagnosticCodes
{
    /// <summary>The code as users see it, for example <c>PV2002</c>.</summary>
    public static string Format(this DiagnosticCode code) =>
        "PV" + ((int)code).ToString("D4", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>True for failures of the input or the invocation (exit code 2) rather than of verification.</summary>
    public static bool IsInputError(this DiagnosticCode code) => (int)code is >= 1000 and < 2000;
}
