using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Provenance.Envelopes;
using Provenance.Sigstore;

namespace Provenance.Testing;

/// <summary>What a minted bundle signs.</summary>
public enum BundleContent
{
    /// <summary>A DSSE envelope of an in-toto statement naming the artifact.</summary>
    Dsse,
    /// <summary>A message signature over the artifact's bytes.</summary>
    MessageSignature,
}

/// <summary>The transparency log entry type a minted bundle carries (Rekor v1 types, then Rekor v2's).</summary>
public enum LogEntryType
{
    /// <summary>Rekor v1 hashedrekord 0.0.1 (message signatures).</summary>
    RekorV1HashedRekord,
    /// <summary>Rekor v1 dsse 0.0.1.</summary>
    RekorV1Dsse,
    /// <summary>Rekor v1 intoto 0.0.2.</summary>
    RekorV1Intoto,
    /// <summary>Rekor v2 hashedrekord 0.0.2 (a message signature, or a DSSE envelope by the digest of its PAE).</summary>
    RekorV2HashedRekord,
    /// <summary>Rekor v2 dsse 0.0.2.</summary>
    RekorV2Dsse,
}

/// <summary>
/// The one thing wrong with a minted bundle. Everything else about it is minted as a real Sigstore would, so a
/// verifier that rejects it can only be rejecting this.
/// </summary>
public enum Defect
{
    /// <summary>Nothing: the bundle must verify.</summary>
    None,

    // ---- the signing certificate ----
    /// <summary>The leaf is issued by another CA under the same issuer name.</summary>
    CertificateFromUnknownCa,
    /// <summary>The leaf's ten minutes ended before the log integrated the entry.</summary>
    LeafExpiredAtLogTime,
    /// <summary>The leaf lacks the codeSigning extended key usage.</summary>
    LeafWithoutCodeSigning,
    /// <summary>The leaf is marked a CA (basicConstraints cA).</summary>
    LeafIsCa,
    /// <summary>The leaf carries no embedded SCT.</summary>
    SctMissing,
    /// <summary>The leaf's SCT is signed by a CT log the trusted root does not list.</summary>
    SctFromUnknownLog,
    /// <summary>A version 0.1 chain with a self-signed attacker root appended after the real ones.</summary>
    BundleCarriesAttackerRoot,
    /// <summary>The leaf's SAN is another workflow of the repository.</summary>
    IdentityOtherWorkflow,
    /// <summary>The leaf's OIDC issuer (extension .8) is another issuer.</summary>
    IdentityOtherIssuer,

    // ---- the transparency log entry ----
    /// <summary>The bundle carries no transparency log entry.</summary>
    NoLogEntry,
    /// <summary>The entry is from a log the trusted root does not list.</summary>
    UnknownLogId,
    /// <summary>The SET is signed by another key.</summary>
    SetInvalid,
    /// <summary>The integratedTime was changed after the log signed the SET.</summary>
    SetOverOtherTime,
    /// <summary>A version 0.1 bundle's entry without its SET.</summary>
    InclusionPromiseMissingInV01,
    /// <summary>A version 0.2 (or later) bundle's entry without an inclusion proof.</summary>
    InclusionProofMissingInV02,
    /// <summary>A hash of the audit path is changed.</summary>
    InclusionProofTampered,
    /// <summary>The checkpoint, validly signed by the log, commits to another root hash than the proof's.</summary>
    CheckpointWrongRootHash,
    /// <summary>The checkpoint is signed by a key that is not the log's.</summary>
    CheckpointSignedByOtherKey,
    /// <summary>The inclusion proof has no checkpoint.</summary>
    CheckpointMissing,
    /// <summary>The log signed the entry at a time after the verifier's clock.</summary>
    TimeInFuture,
    /// <summary>Two entries, both valid, from one log: one witness, not the two a threshold of 2 asks for.</summary>
    DuplicateEntrySameLog,
    /// <summary>A valid entry, by the same signer, of another artifact.</summary>
    EntryForOtherArtifact,
    /// <summary>A valid entry of the same content with another signature by the same key.</summary>
    EntryForOtherSignature,
    /// <summary>A valid entry of the same content and signature naming another certificate.</summary>
    EntryForOtherCertificate,

    // ---- the signature and content ----
    /// <summary>The signature is made by a key other than the certificate's (and logged as made).</summary>
    SignatureInvalid,
    /// <summary>The DSSE payload is changed after it was signed and logged.</summary>
    PayloadTamperedAfterSigning,
    /// <summary>A message signature's digest hint is of another artifact.</summary>
    MessageDigestMismatch,

    // ---- RFC 3161 timestamps ----
    /// <summary>The timestamp is from a TSA the trusted root does not list.</summary>
    TimestampUntrustedTsa,
    /// <summary>The timestamp is over another signature's bytes.</summary>
    TimestampOverOtherSignature,
    /// <summary>The timestamp's time is after the leaf expired.</summary>
    TimestampOutsideLeafValidity,
    /// <summary>A Rekor v2 entry, which gives no time, and no timestamp either.</summary>
    NoTimestampWithRekorV2,
}

/// <summary>A trusted root validity window.</summary>
/// <param name="Start">The start.</param>
/// <param name="End">The end, or none.</param>
public sealed record TrustWindow(DateTimeOffset Start, DateTimeOffset? End = null);

/// <summary>The windows the instance's trusted root gives each of its parts; null keeps the default (from the CA's start, open-ended).</summary>
/// <param name="CertificateAuthority">The Fulcio CA's validFor.</param>
/// <param name="CtLog">The CT log key's validFor.</param>
/// <param name="RekorV1">The Rekor v1 key's validFor.</param>
/// <param name="RekorV2">The Rekor v2 key's validFor.</param>
/// <param name="TimestampAuthority">The TSA's validFor.</param>
public sealed record VirtualSigstoreWindows(
    TrustWindow? CertificateAuthority = null, TrustWindow? CtLog = null, TrustWindow? RekorV1 = null, TrustWindow? RekorV2 = null, TrustWindow? TimestampAuthority = null);

/// <summary>What <see cref="VirtualSigstore.Bundle"/> mints.</summary>
public sealed record BundleOptions
{
    /// <summary>The bundle version (media type).</summary>
    public BundleVersion Version { get; init; } = BundleVersion.V03;

    /// <summary>A DSSE envelope or a message signature.</summary>
    public BundleContent Content { get; init; } = BundleContent.Dsse;

    /// <summary>The log entry type.</summary>
    public LogEntryType Log { get; init; } = LogEntryType.RekorV1Dsse;

    /// <summary>
    /// Whether to add an RFC 3161 timestamp over the signature; by default only where it is the bundle's time
    /// (Rekor v2, which signs no entry timestamp) or the defect is about it.
    /// </summary>
    public bool? Timestamp { get; init; }

    /// <summary>The artifact the bundle signs or names.</summary>
    public byte[] Artifact { get; init; } = VirtualSigstore.DefaultArtifact;

    /// <summary>The identity: a SAN URI, or an email address with <see cref="IdentityIsEmail"/>.</summary>
    public string Identity { get; init; } = VirtualSigstore.DefaultIdentity;

    /// <summary>Whether <see cref="Identity"/> is an email SAN.</summary>
    public bool IdentityIsEmail { get; init; }

    /// <summary>The OIDC issuer (Fulcio extension 1.3.6.1.4.1.57264.1.8).</summary>
    public string Issuer { get; init; } = VirtualSigstore.DefaultIssuer;

    /// <summary>The one defect to mint.</summary>
    public Defect Defect { get; init; }
}

/// <summary>
/// An in-memory Sigstore instance that mints bundles, valid or with exactly one <see cref="Defect"/>, as sigstore-go's
/// pkg/testing/ca mints its test bundles: a Fulcio-like CA with a CT log (<see cref="TestFulcio"/>), a Rekor v1 and a
/// Rekor v2 log (<see cref="TestRekorLog"/>), and an RFC 3161 TSA (<see cref="TestTimestampAuthority"/>), all with
/// fresh keys, and the trusted_root.json (<see cref="TrustedRootJson"/>) that trusts exactly them.
/// </summary>
/// <remarks>
/// Times: the CA, logs and TSA are trusted from <see cref="TestFulcio.Start"/>; a leaf is valid from
/// <see cref="LeafNotBefore"/> for ten minutes; the content is signed a minute in and logged (and timestamped) at
/// <see cref="IntegratedTime"/>; <see cref="Now"/>, a day later, is the time to verify at (<see cref="Clock"/>).
/// </remarks>
public sealed class VirtualSigstore : IDisposable
{
    /// <summary>The SAN URI of a GitHub Actions release workflow.</summary>
    public const string DefaultIdentity = "https://github.com/example/repo/.github/workflows/release.yml@refs/heads/main";

    /// <summary>GitHub Actions' OIDC issuer.</summary>
    public const string DefaultIssuer = "https://token.actions.githubusercontent.com";

    private const string OtherWorkflow = "https://github.com/example/repo/.github/workflows/other.yml@refs/heads/main";
    private static readonly byte[] OtherArtifact = Encoding.UTF8.GetBytes("another artifact\n");

    private readonly TestFulcio _fulcio;
    private readonly TestRekorLog _rekorV1 = new(RekorGeneration.V1, "rekor.provenance.test");
    private readonly TestRekorLog _rekorV2 = new(RekorGeneration.V2, "log2025-1.rekor.provenance.test");
    private readonly TestTimestampAuthority _tsa;
    private readonly VirtualSigstoreWindows _windows;

    /// <summary>
    /// An instance whose trusted root gives its parts <paramref name="windows"/>, and whose CA and TSA certificates
    /// are valid for <paramref name="certificateAuthorityLifetime"/> from the CA's start (default ten years).
    /// </summary>
    public VirtualSigstore(VirtualSigstoreWindows? windows = null, TimeSpan? certificateAuthorityLifetime = null)
    {
        _fulcio = new TestFulcio("Virtual Fulcio", lifetime: certificateAuthorityLifetime);
        _windows = windows ?? new VirtualSigstoreWindows();
        _tsa = TestTimestampAuthority.Create("Virtual TSA", _fulcio.Start, _fulcio.End);
        TrustedRootJson = Encoding.UTF8.GetString(TrustedRootDocument.Write(
            certificateAuthorities: [_fulcio.CertificateAuthorityJson(_windows.CertificateAuthority?.Start, _windows.CertificateAuthority?.End)],
            transparencyLogs:
            [
                _rekorV1.TrustedRootEntry(_windows.RekorV1?.Start ?? _fulcio.Start, _windows.RekorV1?.End),
                _rekorV2.TrustedRootEntry(_windows.RekorV2?.Start ?? _fulcio.Start, _windows.RekorV2?.End),
            ],
            certificateTransparencyLogs: [_fulcio.CtLogJson(validFrom: _windows.CtLog?.Start, validTo: _windows.CtLog?.End)],
            timestampAuthorities: [_tsa.Trusted(_windows.TimestampAuthority?.Start ?? _fulcio.Start, _windows.TimestampAuthority?.End).ToJson()]));
    }

    /// <summary>The artifact bundles sign by default.</summary>
    public static byte[] DefaultArtifact => Encoding.UTF8.GetBytes("provenance virtual sigstore artifact\n");

    /// <summary>The instance's trusted_root.json (protobuf-specs JSON).</summary>
    public string TrustedRootJson { get; }

    /// <summary>When every leaf's ten minutes start.</summary>
    public DateTimeOffset LeafNotBefore => _fulcio.Start.AddDays(2);

    /// <summary>When entries are integrated and timestamps made.</summary>
    public DateTimeOffset IntegratedTime => LeafNotBefore.AddMinutes(2);

    /// <summary>The time to verify at: a day after signing.</summary>
    public DateTimeOffset Now => LeafNotBefore.AddDays(1);

    /// <summary>A clock stopped at <see cref="Now"/>.</summary>
    public TimeProvider Clock => new FixedTimeProvider(Now);

    /// <summary>Why these options cannot be minted (a content the log type cannot record, a defect that does not apply), or null.</summary>
    public static string? Unsupported(BundleOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var dsse = options.Content == BundleContent.Dsse;
        var v2 = IsRekorV2(options.Log);
        return (options.Log, options.Defect) switch
        {
            (LogEntryType.RekorV1HashedRekord, _) when dsse => "Rekor v1 hashedrekord records message signatures only",
            (LogEntryType.RekorV1Dsse or LogEntryType.RekorV1Intoto or LogEntryType.RekorV2Dsse, _) when !dsse => "dsse and intoto entries record DSSE envelopes only",
            _ when v2 && options.Version == BundleVersion.V01 => "a version 0.1 bundle needs a signed entry timestamp, which Rekor v2 does not issue",
            (_, Defect.SetInvalid or Defect.SetOverOtherTime or Defect.TimeInFuture or Defect.InclusionPromiseMissingInV01) when v2 => "Rekor v2 signs no entry timestamp",
            (_, Defect.InclusionPromiseMissingInV01) when options.Version != BundleVersion.V01 => "only version 0.1 requires the inclusion promise",
            (_, Defect.InclusionProofMissingInV02 or Defect.InclusionProofTampered or Defect.CheckpointMissing or Defect.CheckpointSignedByOtherKey or Defect.CheckpointWrongRootHash)
                when options.Version == BundleVersion.V01 => "version 0.1 bundles carry no inclusion proof here",
            (_, Defect.BundleCarriesAttackerRoot) when options.Version == BundleVersion.V03 => "a version 0.3 bundle carries the leaf only",
            (_, Defect.PayloadTamperedAfterSigning) when !dsse => "a message signature has no payload",
            (_, Defect.MessageDigestMismatch) when dsse => "a DSSE envelope has no message digest",
            (_, Defect.NoTimestampWithRekorV2) when !v2 => "only Rekor v2 entries give no time",
            (_, Defect.TimestampUntrustedTsa or Defect.TimestampOverOtherSignature or Defect.TimestampOutsideLeafValidity) when options.Timestamp == false => "the defect is in the timestamp",
            _ => null,
        };
    }

    /// <summary>Mints a bundle (protobuf-specs JSON) per <paramref name="options"/>.</summary>
    /// <exception cref="ArgumentException">The options make no sense (<see cref="Unsupported"/>).</exception>
    public string Bundle(BundleOptions options)
    {
        if (Unsupported(options) is { } reason)
        {
            throw new ArgumentException(reason, nameof(options));
        }

        var defect = options.Defect;
        using var signingKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var strangerKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var attacker = new TestFulcio("Attacker");
        var leafOptions = new TestLeafOptions
        {
            SanUri = defect == Defect.IdentityOtherWorkflow ? OtherWorkflow : options.IdentityIsEmail ? DefaultIdentity : options.Identity,
            Email = options.IdentityIsEmail && defect != Defect.IdentityOtherWorkflow ? options.Identity : null,
            Extensions = [TestFulcio.FulcioExtension(8, defect == Defect.IdentityOtherIssuer ? "https://accounts.attacker.test" : options.Issuer)],
            SubjectKey = signingKey,
            NotBefore = defect == Defect.LeafExpiredAtLogTime ? LeafNotBefore.AddHours(-1) : LeafNotBefore,
            CodeSigning = defect != Defect.LeafWithoutCodeSigning,
            IsCa = defect == Defect.LeafIsCa,
            WithSct = defect != Defect.SctMissing,
            SctLogKey = defect == Defect.SctFromUnknownLog ? strangerKey : null,
        };
        var leaf = defect == Defect.CertificateFromUnknownCa ? _fulcio.IssueLeafFromImpostor(leafOptions) : _fulcio.IssueLeaf(leafOptions);

        SignFunction sign = defect == Defect.SignatureInvalid ? data => Sign(strangerKey, data) : data => Sign(signingKey, data);
        var signed = SignContent(options.Content, options.Artifact, sign);
        var logged = defect switch
        {
            Defect.EntryForOtherArtifact => SignContent(options.Content, OtherArtifact, sign),
            Defect.EntryForOtherSignature => Resign(options, signed, sign),
            _ => signed,
        };
        var loggedCertificate = defect == Defect.EntryForOtherCertificate ? _fulcio.IssueLeaf(leafOptions) : leaf;

        var material = new JsonObject();
        switch (options.Version)
        {
            case BundleVersion.V01:
                byte[][] chain = defect == Defect.BundleCarriesAttackerRoot
                    ? [leaf, _fulcio.Intermediate, _fulcio.Root, attacker.Root]
                    : [leaf, _fulcio.Intermediate, _fulcio.Root];
                material["x509CertificateChain"] = Chain(chain);
                break;
            case BundleVersion.V02:
                material["x509CertificateChain"] = Chain(defect == Defect.BundleCarriesAttackerRoot ? [leaf, attacker.Root] : [leaf]);
                break;
            default:
                material["certificate"] = new JsonObject { ["rawBytes"] = Convert.ToBase64String(leaf) };
                break;
        }

        material["tlogEntries"] = LogEntries(options, Body(options.Log, loggedCertificate, logged));

        var rekorV2 = IsRekorV2(options.Log);
        var timestamp = defect == Defect.NoTimestampWithRekorV2
            ? false
            : options.Timestamp ?? (rekorV2 || defect is Defect.TimestampUntrustedTsa or Defect.TimestampOverOtherSignature or Defect.TimestampOutsideLeafValidity);
        if (timestamp)
        {
            material["timestampVerificationData"] = Timestamps(defect, signed.Signature, sign);
        }

        var content = signed.Content;
        if (defect == Defect.PayloadTamperedAfterSigning)
        {
            content["payload"] = Convert.ToBase64String(AttestationFactory.StatementFor(options.Artifact, predicateType: "https://slsa.dev/provenance/v0.2"));
        }
        else if (defect == Defect.MessageDigestMismatch)
        {
            content["messageDigest"]!["digest"] = Convert.ToBase64String(SHA256.HashData(OtherArtifact));
        }

        return new JsonObject
        {
            ["mediaType"] = options.Version switch
            {
                BundleVersion.V01 => "application/vnd.dev.sigstore.bundle+json;version=0.1",
                BundleVersion.V02 => "application/vnd.dev.sigstore.bundle+json;version=0.2",
                _ => "application/vnd.dev.sigstore.bundle.v0.3+json",
            },
            ["verificationMaterial"] = material,
            [options.Content == BundleContent.Dsse ? "dsseEnvelope" : "messageSignature"] = content,
        }.ToJsonString();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _fulcio.Dispose();
        _rekorV1.Dispose();
        _rekorV2.Dispose();
        _tsa.Dispose();
    }

    /// <summary>What was signed: the bundle's content, the signature, and the digest a hashedrekord entry records.</summary>
    private sealed record Signed(JsonObject Content, byte[] Signature, byte[] Digest, byte[] Payload, byte[] EnvelopeBytes);

    private static bool IsRekorV2(LogEntryType type) => type is LogEntryType.RekorV2HashedRekord or LogEntryType.RekorV2Dsse;

    private static byte[] Sign(ECDsa key, ReadOnlySpan<byte> data) => key.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);

    private static Signed SignContent(BundleContent content, byte[] artifact, SignFunction sign)
    {
        if (content == BundleContent.MessageSignature)
        {
            var signature = sign(artifact);
            var digest = SHA256.HashData(artifact);
            var message = new JsonObject
            {
                ["messageDigest"] = new JsonObject { ["algorithm"] = "SHA2_256", ["digest"] = Convert.ToBase64String(digest) },
                ["signature"] = Convert.ToBase64String(signature),
            };
            return new Signed(message, signature, digest, [], []);
        }

        var statement = AttestationFactory.StatementFor(artifact);
        var envelope = AttestationFactory.Envelope(statement, sign);
        var node = JsonNode.Parse(envelope)!.AsObject();
        return new Signed(node, Convert.FromBase64String(node["signatures"]![0]!["sig"]!.GetValue<string>()),
            SHA256.HashData(DsseEnvelope.PreAuthenticationEncoding(DsseEnvelope.InTotoPayloadType, statement)), statement, Encoding.UTF8.GetBytes(envelope));
    }

    /// <summary>The same content signed again by the same key: ECDSA's random nonce makes it another valid signature.</summary>
    private static Signed Resign(BundleOptions options, Signed signed, SignFunction sign)
    {
        while (true)
        {
            var again = SignContent(options.Content, options.Artifact, sign);
            if (!again.Signature.AsSpan().SequenceEqual(signed.Signature))
            {
                return again;
            }
        }
    }

    private static JsonObject Chain(byte[][] certificates) => new()
    {
        ["certificates"] = new JsonArray([.. certificates.Select(c => (JsonNode)new JsonObject { ["rawBytes"] = Convert.ToBase64String(c) })]),
    };

    /// <summary>
    /// The entry body as the log canonicalizes it, per the Rekor type schemas (sigstore/rekor pkg/types, and
    /// rekor-tiles' hashedrekord and dsse 0.0.2): keys in code-point order.
    /// </summary>
    private static (byte[] Body, string Kind, string Version) Body(LogEntryType type, byte[] certificate, Signed signed)
    {
        var pem = Convert.ToBase64String(Encoding.UTF8.GetBytes(PemEncoding.WriteString("CERTIFICATE", certificate)));
        var signature = Convert.ToBase64String(signed.Signature);
        var verifier = new JsonObject
        {
            ["keyDetails"] = "PKIX_ECDSA_P256_SHA_256",
            ["x509Certificate"] = new JsonObject { ["rawBytes"] = Convert.ToBase64String(certificate) },
        };
        var payloadHash = SHA256.HashData(signed.Payload);
        var (kind, version, spec) = type switch
        {
            LogEntryType.RekorV1HashedRekord => ("hashedrekord", "0.0.1", new JsonObject
            {
                ["data"] = new JsonObject { ["hash"] = HexHash(signed.Digest) },
                ["signature"] = new JsonObject { ["content"] = signature, ["publicKey"] = new JsonObject { ["content"] = pem } },
            }),
            LogEntryType.RekorV1Dsse => ("dsse", "0.0.1", new JsonObject
            {
                ["envelopeHash"] = HexHash(SHA256.HashData(signed.EnvelopeBytes)),
                ["payloadHash"] = HexHash(payloadHash),
                ["signatures"] = new JsonArray(new JsonObject { ["signature"] = signature, ["verifier"] = pem }),
            }),
            LogEntryType.RekorV1Intoto => ("intoto", "0.0.2", new JsonObject
            {
                ["content"] = new JsonObject
                {
                    ["envelope"] = new JsonObject
                    {
                        ["payload"] = Twice(signed.Payload),
                        ["payloadType"] = DsseEnvelope.InTotoPayloadType,
                        ["signatures"] = new JsonArray(new JsonObject { ["publicKey"] = pem, ["sig"] = Twice(signed.Signature) }),
                    },
                    ["hash"] = HexHash(SHA256.HashData(signed.EnvelopeBytes)),
                    ["payloadHash"] = HexHash(payloadHash),
                },
            }),
            LogEntryType.RekorV2HashedRekord => ("hashedrekord", "0.0.2", new JsonObject
            {
                ["hashedRekordV002"] = new JsonObject
                {
                    ["data"] = new JsonObject { ["algorithm"] = "SHA2_256", ["digest"] = Convert.ToBase64String(signed.Digest) },
                    ["signature"] = new JsonObject { ["content"] = signature, ["verifier"] = verifier },
                },
            }),
            _ => ("dsse", "0.0.2", new JsonObject
            {
                ["dsseV002"] = new JsonObject
                {
                    ["payloadHash"] = new JsonObject { ["algorithm"] = "SHA2_256", ["digest"] = Convert.ToBase64String(payloadHash) },
                    ["signatures"] = new JsonArray(new JsonObject { ["content"] = signature, ["verifier"] = verifier }),
                },
            }),
        };
        var body = new JsonObject { ["apiVersion"] = version, ["kind"] = kind, ["spec"] = spec };
        return (Encoding.UTF8.GetBytes(body.ToJsonString()), kind, version);

        static JsonObject HexHash(byte[] hash) => new() { ["algorithm"] = "sha256", ["value"] = Convert.ToHexStringLower(hash) };

        // intoto 0.0.2 bytes fields hold the DSSE base64 text, so JSON carries them base64-encoded twice.
        static string Twice(byte[] value) => Convert.ToBase64String(Encoding.ASCII.GetBytes(Convert.ToBase64String(value)));
    }

    private JsonArray LogEntries(BundleOptions options, (byte[] Body, string Kind, string Version) logged)
    {
        var defect = options.Defect;
        var log = IsRekorV2(options.Log) ? _rekorV2 : _rekorV1;
        using var stranger = new TestRekorLog(log.Generation, "rekor.stranger.test");
        long? integratedTime = log.Generation == RekorGeneration.V1
            ? (defect == Defect.TimeInFuture ? Now.AddDays(1) : IntegratedTime).ToUnixTimeSeconds()
            : null;
        var entry = (defect == Defect.UnknownLogId ? stranger : log).Entry(logged.Body, logged.Kind, logged.Version, integratedTime);
        var proof = entry["inclusionProof"]!.AsObject();
        switch (defect)
        {
            case Defect.NoLogEntry:
                return [];
            case Defect.SetInvalid:
                entry["inclusionPromise"]!["signedEntryTimestamp"] = Convert.ToBase64String(stranger.SignedEntryTimestamp(entry));
                break;
            case Defect.SetOverOtherTime:
                entry["integratedTime"] = (integratedTime!.Value + 60).ToString(System.Globalization.CultureInfo.InvariantCulture);
                break;
            case Defect.InclusionPromiseMissingInV01:
                entry.Remove("inclusionPromise");
                break;
            case Defect.InclusionProofMissingInV02:
                entry.Remove("inclusionProof");
                break;
            case Defect.InclusionProofTampered:
                var hash = Convert.FromBase64String(proof["hashes"]![0]!.GetValue<string>());
                hash[0] ^= 1;
                proof["hashes"]![0] = Convert.ToBase64String(hash);
                break;
            case Defect.CheckpointWrongRootHash:
                proof["checkpoint"]!["envelope"] = log.Checkpoint(5, SHA256.HashData(Encoding.UTF8.GetBytes("another tree")));
                break;
            case Defect.CheckpointSignedByOtherKey:
                proof["checkpoint"]!["envelope"] = log.Checkpoint(5, Convert.FromBase64String(proof["rootHash"]!.GetValue<string>()), stranger);
                break;
            case Defect.CheckpointMissing:
                proof.Remove("checkpoint");
                break;
        }

        if (options.Version == BundleVersion.V01)
        {
            // Version 0.1 bundles, as cosign wrote them, carry the inclusion promise alone.
            entry.Remove("inclusionProof");
        }

        var entries = new JsonArray(entry);
        if (defect == Defect.DuplicateEntrySameLog)
        {
            var second = log.Entry(logged.Body, logged.Kind, logged.Version, integratedTime, leafIndex: 1);
            if (options.Version == BundleVersion.V01)
            {
                second.Remove("inclusionProof");
            }

            entries.Add(second);
        }

        return entries;
    }

    private JsonObject Timestamps(Defect defect, byte[] signature, SignFunction sign)
    {
        using var stranger = TestTimestampAuthority.Create("Stranger TSA", _fulcio.Start, _fulcio.End);
        var tsa = defect == Defect.TimestampUntrustedTsa ? stranger : _tsa;
        var stamped = defect == Defect.TimestampOverOtherSignature ? sign(OtherArtifact) : signature;
        var genTime = defect == Defect.TimestampOutsideLeafValidity ? LeafNotBefore.AddMinutes(11) : IntegratedTime;
        return new JsonObject
        {
            ["rfc3161Timestamps"] = new JsonArray(new JsonObject { ["signedTimestamp"] = Convert.ToBase64String(tsa.Timestamp(stamped, genTime)) }),
        };
    }
}
