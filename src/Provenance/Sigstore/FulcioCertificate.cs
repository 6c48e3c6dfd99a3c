using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using System.Formats.Asn1;
using System.Text;
using Provenance.Cryptography;

namespace Provenance.Sigstore;

/// <summary>The kinds of subject alternative name a Fulcio certificate names its signer with (RFC 5280 section 4.2.1.6).</summary>
public enum SubjectAlternativeNameKind
{
    /// <summary>uniformResourceIdentifier, for workload identities such as a GitHub Actions workflow.</summary>
    Uri,
    /// <summary>rfc822Name, for people who signed in with an email identity.</summary>
    Email,
    /// <summary>otherName of type 1.3.6.1.4.1.57264.1.7 (a UTF8String username), as Fulcio issues for some identity providers.</summary>
    OtherName,
}

/// <summary>One subject alternative name of a Fulcio certificate.</summary>
/// <param name="Kind">Which kind of name.</param>
/// <param name="Value">The name as the certificate states it.</param>
public sealed record SubjectAlternativeName(SubjectAlternativeNameKind Kind, string Value)
{
    /// <summary>
    /// Whether the text is a name of its kind: an email address has no scheme (RFC 5321 forbids a colon outside
    /// quotes), a URI has one (RFC 3986 section 3.1). Only such names identify a signer: an email SAN spelling a
    /// workflow URI was vouched for by an email provider, not by the CI system, and must not pass for that workflow.
    /// </summary>
    internal bool IsOfItsKind => Kind switch
    {
        SubjectAlternativeNameKind.Email => Value.Contains('@', StringComparison.Ordinal) && !Value.Contains(':', StringComparison.Ordinal),
        SubjectAlternativeNameKind.Uri => HasScheme(Value),
        _ => true,
    };

    private static bool HasScheme(string uri)
    {
        var colon = uri.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 && char.IsAsciiLetter(uri[0])
            && uri.AsSpan(0, colon).IndexOfAnyExcept(SchemeCharacters) < 0;
    }

    private static readonly System.Buffers.SearchValues<char> SchemeCharacters =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-.");
}

/// <summary>
/// The Fulcio certificate extensions 1.3.6.1.4.1.57264.1.1 to .23 (sigstore/fulcio docs/oid-info.md): each value
/// as the certificate states it, or null when absent. .1 to .6 are raw UTF-8 strings (deprecated); .8 onwards
/// are DER UTF8Strings. For GitHub Actions the values come from the OIDC token's claims.
/// </summary>
public sealed record FulcioExtensions
{
    /// <summary>1.3.6.1.4.1.57264.1.1, the OIDC issuer (deprecated raw string).</summary>
    public string? IssuerV1 { get; init; }
    /// <summary>1.3.6.1.4.1.57264.1.2, the GitHub workflow trigger, <c>event_name</c> (deprecated).</summary>
    public string? GitHubWorkflowTrigger { get; init; }
    /// <summary>1.3.6.1.4.1.57264.1.3, the GitHub workflow commit, <c>sha</c> (deprecated).</summary>
    public string? GitHubWorkflowSha { get; init; }
    /// <summary>1.3.6.1.4.1.57264.1.4, the GitHub workflow name, <c>workflow</c> (deprecated).</summary>
    public string? GitHubWorkflowName { get; init; }
    /// <summary>1.3.6.1.4.1.57264.1.5, the GitHub repository, <c>repository</c> (deprecated).</summary>
    public string? GitHubWorkflowRepository { get; init; }
    /// <summary>1.3.6.1.4.1.57264.1.6, the GitHub ref, <c>ref</c> (deprecated).</summary>
    public string? GitHubWorkflowRef { get; init; }
    /// <summary>1.3.6.1.4.1.57264.1.8, the OIDC issuer (V2).</summary>
    public string? Issuer { get; init; }
    /// <summary>1.3.6.1.4.1.57264.1.9, the build signer URI: the build instructions that signed.</summary>
    public string? BuildSignerUri { get; init; }
    /// <summary>1.3.6.1.4.1.57264.1.10, the build signer digest.</summary>
    public string? BuildSignerDigest { get; init; }
    /// <summary>1.3.6.1.4.1.57264.1.11, the runner environment, such as <c>github-hosted</c>.</summary>
    public string? RunnerEnvironment { get; init; }
    /// <summary>1.3.6.1.4.1.57264.1.12, the source repository URI.</summary>
    public string? SourceRepositoryUri { get; init; }
    /// <summary>1.3.6.1.4.1.57264.1.13, the source repository digest (commit).</summary>
    public string? SourceRepositoryDigest { get; init; }
    /// <summary>1.3.6.1.4.1.57264.1.14, the source repository ref.</summary>
    public string? SourceRepositoryRef { get; init; }
    /// <summary>1.3.6.1.4.1.57264.1.15, the source repository's immutable identifier.</summary>
    public string? SourceRepositoryIdentifier { get; init; }
    /// <summary>1.3.6.1.4.1.57264.1.16, the source repository owner URI.</summary>
    public string? SourceRepositoryOwnerUri { get; init; }
    /// <summary>1.3.6.1.4.1.57264.1.17, the source repository owner's immutable identifier.</summary>
    public string? SourceRepositoryOwnerIdentifier { get; init; }
    /// <summary>1.3.6.1.4.1.57264.1.18, the build config URI: the top-level build instructions.</summary>
    public string? BuildConfigUri { get; init; }
    /// <summary>1.3.6.1.4.1.57264.1.19, the build config digest.</summary>
    public string? BuildConfigDigest { get; init; }
    /// <summary>1.3.6.1.4.1.57264.1.20, the build trigger, such as <c>push</c>.</summary>
    public string? BuildTrigger { get; init; }
    /// <summary>1.3.6.1.4.1.57264.1.21, the run invocation URI.</summary>
    public string? RunInvocationUri { get; init; }
    /// <summary>1.3.6.1.4.1.57264.1.22, the source repository visibility at signing, such as <c>public</c>.</summary>
    public string? SourceRepositoryVisibilityAtSigning { get; init; }
    /// <summary>1.3.6.1.4.1.57264.1.23, the deployment environment.</summary>
    public string? DeploymentEnvironment { get; init; }
}

/// <summary>
/// A typed summary of a Fulcio leaf certificate (RFC 5280; Fulcio docs/oid-info.md and
/// docs/certificate-specification.md): the signer's identity, its OIDC issuer, every Fulcio extension, the validity
/// window and the key. Reading one establishes nothing: only <see cref="CertificateChainVerifier"/> says whether it
/// chains to a trusted Fulcio authority, and nothing here may be relied on before it has.
/// </summary>
public sealed record FulcioCertificate
{
    /// <summary>The root of the OIDs Fulcio sets: 1.3.6.1.4.1.57264.1.</summary>
    public const string FulcioOidPrefix = "1.3.6.1.4.1.57264.1.";

    /// <summary>The otherName type of a username SAN.</summary>
    public const string OtherNameSanOid = FulcioOidPrefix + "7";

    /// <summary>Each extension by its last OID arc, and whether it is a raw string (.1 to .6) or a DER UTF8String.</summary>
    private static readonly ImmutableDictionary<int, (bool Raw, Func<FulcioExtensions, string, FulcioExtensions> Set)> ExtensionSetters =
        new Dictionary<int, (bool, Func<FulcioExtensions, string, FulcioExtensions>)>
        {
            [1] = (true, (e, v) => e with { IssuerV1 = v }),
            [2] = (true, (e, v) => e with { GitHubWorkflowTrigger = v }),
            [3] = (true, (e, v) => e with { GitHubWorkflowSha = v }),
            [4] = (true, (e, v) => e with { GitHubWorkflowName = v }),
            [5] = (true, (e, v) => e with { GitHubWorkflowRepository = v }),
            [6] = (true, (e, v) => e with { GitHubWorkflowRef = v }),
            [8] = (false, (e, v) => e with { Issuer = v }),
            [9] = (false, (e, v) => e with { BuildSignerUri = v }),
            [10] = (false, (e, v) => e with { BuildSignerDigest = v }),
            [11] = (false, (e, v) => e with { RunnerEnvironment = v }),
            [12] = (false, (e, v) => e with { SourceRepositoryUri = v }),
            [13] = (false, (e, v) => e with { SourceRepositoryDigest = v }),
            [14] = (false, (e, v) => e with { SourceRepositoryRef = v }),
            [15] = (false, (e, v) => e with { SourceRepositoryIdentifier = v }),
            [16] = (false, (e, v) => e with { SourceRepositoryOwnerUri = v }),
            [17] = (false, (e, v) => e with { SourceRepositoryOwnerIdentifier = v }),
            [18] = (false, (e, v) => e with { BuildConfigUri = v }),
            [19] = (false, (e, v) => e with { BuildConfigDigest = v }),
            [20] = (false, (e, v) => e with { BuildTrigger = v }),
            [21] = (false, (e, v) => e with { RunInvocationUri = v }),
            [22] = (false, (e, v) => e with { SourceRepositoryVisibilityAtSigning = v }),
            [23] = (false, (e, v) => e with { DeploymentEnvironment = v }),
        }.ToImmutableDictionary();

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private FulcioCertificate(ParsedCertificate certificate, VerificationKey publicKey)
    {
        Certificate = certificate;
        PublicKey = publicKey;
    }

    /// <summary>The subject alternative names, in certificate order; Fulcio issues exactly one.</summary>
    public ImmutableArray<SubjectAlternativeName> SubjectAlternativeNames { get; private init; }

    /// <summary>The names an identity may match: those whose text is of their kind (<see cref="SubjectAlternativeName.IsOfItsKind"/>).</summary>
    internal IEnumerable<string> SignerNames => SubjectAlternativeNames.Where(n => n.IsOfItsKind).Select(n => n.Value);

    /// <summary>The OIDC issuer: extension .8 (V2), or the legacy .1 when .8 is absent.</summary>
    public string? Issuer => Extensions.Issuer ?? Extensions.IssuerV1;

    /// <summary>Every Fulcio extension the certificate carries.</summary>
    public FulcioExtensions Extensions { get; private init; } = new();

    /// <summary>The start of the validity window (RFC 5280 section 4.1.2.5), inclusive.</summary>
    public DateTimeOffset NotBefore => Certificate.NotBefore;

    /// <summary>The end of the validity window, inclusive.</summary>
    public DateTimeOffset NotAfter => Certificate.NotAfter;

    /// <summary>The certified key, with its default scheme (ECDSA with the curve's hash, RSA PKCS#1 v1.5 SHA-256, Ed25519).</summary>
    public VerificationKey PublicKey { get; }

    /// <summary>The serial number as lowercase hex.</summary>
    public string SerialNumber => ParsedCertificate.Hex(Certificate.SerialNumber);

    /// <summary>The certificate as DER.</summary>
    public ReadOnlyMemory<byte> Der => Certificate.Der;

    internal ParsedCertificate Certificate { get; }

    /// <summary>Reads a certificate, or says what is wrong with it.</summary>
    public static bool TryParse(
        ReadOnlyMemory<byte> der,
        [NotNullWhen(true)] out FulcioCertificate? certificate,
        [NotNullWhen(false)] out Problem? problem)
    {
        try
        {
            certificate = Parse(der);
            problem = null;
            return true;
        }
        catch (InvalidInputException e)
        {
            certificate = null;
            problem = e.Problem;
            return false;
        }
    }

    /// <summary>Reads a DER leaf certificate; throws <see cref="InvalidInputException"/> when it is malformed.</summary>
    internal static FulcioCertificate Parse(ReadOnlyMemory<byte> der)
    {
        var certificate = ParsedCertificate.Parse(der);
        if (!VerificationKey.TryParse(certificate.SubjectPublicKeyInfo.Span, null, out var key, out var keyProblem))
        {
            throw InvalidInputException.At(DiagnosticCode.CertificateUnsupportedAlgorithm, "certificate",
                "the certificate's public key cannot be used: " + keyProblem.Message);
        }

        try
        {
            var extensions = ReadFulcioExtensions(certificate);
            if (extensions.Issuer is { } v2 && extensions.IssuerV1 is { } v1 && v1 != v2)
            {
                // Fulcio writes both from one claim; two readers must never see different issuers.
                throw ExtensionMalformed("the issuer extensions .1 and .8 name different issuers");
            }

            return new FulcioCertificate(certificate, key)
            {
                SubjectAlternativeNames = ReadSubjectAlternativeNames(certificate),
                Extensions = extensions,
            };
        }
        catch (AsnContentException e)
        {
            throw ExtensionMalformed("a Fulcio extension or subject alternative name is not valid DER: " + e.Message);
        }
        catch (DecoderFallbackException)
        {
            throw ExtensionMalformed("a Fulcio extension is not valid UTF-8");
        }
    }

    private static FulcioExtensions ReadFulcioExtensions(ParsedCertificate certificate)
    {
        var result = new FulcioExtensions();
        foreach (var extension in certificate.Extensions)
        {
            if (!extension.Oid.StartsWith(FulcioOidPrefix, StringComparison.Ordinal)
                || !int.TryParse(extension.Oid.AsSpan(FulcioOidPrefix.Length), System.Globalization.NumberStyles.None,
                    System.Globalization.CultureInfo.InvariantCulture, out var arc)
                || !ExtensionSetters.TryGetValue(arc, out var entry))
            {
                continue;
            }

            if (extension.Value.Length > Limits.MaxFulcioExtensionBytes)
            {
                throw ExtensionMalformed($"the extension {extension.Oid} is longer than {Limits.MaxFulcioExtensionBytes} bytes");
            }

            var value = entry.Raw
                ? StrictUtf8.GetString(extension.Value.Span)
                : ReadUtf8String(extension.Value);
            result = entry.Set(result, value);
        }

        return result;
    }

    private static string ReadUtf8String(ReadOnlyMemory<byte> value)
    {
        var reader = new AsnReader(value, AsnEncodingRules.DER);
        var text = reader.ReadCharacterString(UniversalTagNumber.UTF8String);
        reader.ThrowIfNotEmpty();
        return text;
    }

    private static ImmutableArray<SubjectAlternativeName> ReadSubjectAlternativeNames(ParsedCertificate certificate)
    {
        if (certificate.FindExtension(ParsedCertificate.SubjectAlternativeNameOid) is not { } extension)
        {
            return [];
        }

        if (extension.Value.Length > Limits.MaxFulcioExtensionBytes)
        {
            throw ExtensionMalformed($"the subject alternative names are longer than {Limits.MaxFulcioExtensionBytes} bytes");
        }

        var names = ParsedCertificate.Single(extension.Value).ReadSequence();
        var result = ImmutableArray.CreateBuilder<SubjectAlternativeName>();
        while (names.HasData)
        {
            var tag = names.PeekTag();
            if (tag.TagClass != TagClass.ContextSpecific)
            {
                throw ExtensionMalformed("a subject alternative name is not a GeneralName");
            }

            switch (tag.TagValue)
            {
                case 0:
                    // otherName: SEQUENCE { type-id OID, value [0] EXPLICIT ANY } with the implicit [0] tag.
                    var otherName = names.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true));
                    var typeId = otherName.ReadObjectIdentifier();
                    var explicitValue = otherName.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true));
                    otherName.ThrowIfNotEmpty();
                    if (typeId == OtherNameSanOid)
                    {
                        result.Add(new(SubjectAlternativeNameKind.OtherName, explicitValue.ReadCharacterString(UniversalTagNumber.UTF8String)));
                        explicitValue.ThrowIfNotEmpty();
                    }

                    break;
                case 1:
                    result.Add(new(SubjectAlternativeNameKind.Email,
                        names.ReadCharacterString(UniversalTagNumber.IA5String, new Asn1Tag(TagClass.ContextSpecific, 1))));
                    break;
                case 6:
                    result.Add(new(SubjectAlternativeNameKind.Uri,
                        names.ReadCharacterString(UniversalTagNumber.IA5String, new Asn1Tag(TagClass.ContextSpecific, 6))));
                    break;
                default:
                    // DNS names, IP addresses and the rest name no Sigstore signer.
                    names.ReadEncodedValue();
                    break;
            }
        }

        return result.ToImmutable();
    }

    private static InvalidInputException ExtensionMalformed(string message) =>
        InvalidInputException.At(DiagnosticCode.FulcioExtensionMalformed, "certificate", message);
}
