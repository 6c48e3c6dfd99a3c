using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;

namespace Provenance.Cli;

/// <summary><c>provenance verify</c>: parsing only; <see cref="VerifyCommandRunner"/> does the work.</summary>
internal static class VerifyCommand
{
    public static Command Create(IServiceProvider services)
    {
        var artifacts = new Argument<string[]>("artifact")
        {
            Description = "Artifact files to verify, their digests as sha256:HEX (sha384:, sha512:), npm packages as npm:NAME@VERSION, "
                + "or images as oci://REGISTRY/REPOSITORY:TAG or @sha256:HEX (attestations fetched from the registry); with --release, its assets.",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var attestations = new Option<string[]>("--attestation", "-a", "--bundle")
        {
            Description = "An attestation file: DSSE envelope, .intoto.jsonl, Sigstore bundle or Cloud Build provenance JSON. Repeatable; "
                + "not needed for npm: and oci:// artifacts, whose attestations are fetched, nor with --repo or --owner, which fetch them from GitHub.",
            Arity = ArgumentArity.OneOrMore,
        };
        var keys = new Option<string[]>("--key")
        {
            Description = "A trusted public key (PEM or DER SubjectPublicKeyInfo), for key-signed attestations. Repeatable.",
            Arity = ArgumentArity.OneOrMore,
        };
        var trustedRoot = new Option<string?>("--trusted-root")
        {
            Description = "A Sigstore trusted_root.json to use instead of the TUF-cached or embedded public-good root (overrides --tuf-url).",
        };
        var identity = new Option<string?>("--certificate-identity")
        {
            Description = "Keyless: the exact signer identity (certificate SAN: URI or email) to accept.",
        };
        var identityRegex = new Option<string?>("--certificate-identity-regex")
        {
            Description = "Keyless: a regular expression the whole signer identity must match.",
        };
        var issuer = new Option<string?>("--certificate-oidc-issuer")
        {
            Description = "Keyless: the exact OIDC issuer to accept, e.g. https://token.actions.githubusercontent.com.",
        };
        var issuerRegex = new Option<string?>("--certificate-oidc-issuer-regex")
        {
            Description = "Keyless: a regular expression the whole OIDC issuer must match.",
        };
        var tlogThreshold = new Option<int>("--tlog-threshold")
        {
            Description = "Keyless and bundles: how many distinct transparency logs must hold a verified entry.",
            DefaultValueFactory = _ => 1,
        };
        var timestampThreshold = new Option<int>("--timestamp-threshold")
        {
            Description = "Keyless: how many verified times (signed entry timestamps, RFC 3161 timestamps) are required.",
            DefaultValueFactory = _ => 1,
        };
        var sctThreshold = new Option<int>("--sct-threshold")
        {
            Description = "Keyless: how many certificate transparency logs must have a verified SCT for the certificate.",
            DefaultValueFactory = _ => 1,
        };
        var anyIdentity = new Option<bool>("--unsafe-accept-any-identity")
        {
            Description = "UNSAFE: accept keyless signatures from anyone the trusted root certified. For inspection only.",
        };
        var keyAlgorithm = new Option<string?>("--key-algorithm")
        {
            Description = "The signature algorithm for the keys, e.g. rsa-pss-sha256 (default: from the key; RSA keys use PKCS#1 v1.5 SHA-256).",
        };
        var threshold = new Option<int>("--signature-threshold")
        {
            Description = "How many distinct trusted keys must have signed each envelope.",
            DefaultValueFactory = _ => 1,
        };
        var policy = new Option<string?>("--policy", "-p")
        {
            Description = "A policy file (YAML or JSON) the verified attestations must satisfy.",
        };
        var parameters = new Option<string[]>("--param")
        {
            Description = "A policy parameter as NAME=VALUE. Repeatable.",
            Arity = ArgumentArity.OneOrMore,
        };
        var shorthands = ShorthandOptions.Create();
        var gitHubApiUrl = GitHubAttestationFetching.CreateApiUrlOption();
        var release = GitHubAttestationFetching.CreateReleaseOption();
        var format = new Option<string?>("--format")
        {
            Description = "Output format (default: github when GITHUB_ACTIONS=true, else text). github writes the job summary, "
                + "error annotations, the JSON report and the step outputs verified and report.",
        };
        format.AcceptOnlyFromAmong("text", "json", "github");
        var outputPath = new Option<string?>("--output")
        {
            Description = "Write the report to this file instead of standard output (with --format github: the JSON report).",
        };

        var vsa = new Option<string?>("--vsa")
        {
            Description = "Write a SLSA verification summary (VSA v1) for each artifact to this file, one per line: a DSSE envelope "
                + "signed with --vsa-key, or the bare in-toto statement JSON (unsigned) when no --vsa-key is given.",
        };
        var vsaKey = new Option<string?>("--vsa-key")
        {
            Description = "The private key (PKCS#8 PEM: ECDSA P-256/P-384/P-521, RSA or Ed25519) to sign the --vsa summaries with.",
        };

        var offline = new Option<bool>("--offline")
        {
            Description = "Never use the network: attestations, log entries and trust material come only from local files, the cache "
                + "and the embedded roots; anything that would need a download fails with PV1011.",
        };

        var rekorUrl = new Option<string>("--rekor-url")
        {
            Description = "The Rekor to look up the log entries of keyless envelopes that carry none (the SLSA generator's .intoto.jsonl up to v2.0.0).",
            DefaultValueFactory = _ => LogEntryLookupStep.DefaultRekorUrl,
        };

        var npm = NpmStep.CreateOptions();

        var batch = new Option<bool>("--batch")
        {
            Description = "Many artifacts and attestations (patterns such as 'dist/*.tar.gz' allowed): verify each artifact, in parallel, "
                + "against the attestations whose subjects name it.",
        };

        var insecureRegistries = new Option<string[]>("--insecure-registry")
        {
            Description = "A registry host that may be reached over plain http (loopback registries always may). Repeatable.",
            Arity = ArgumentArity.OneOrMore,
        };

        var command = new Command("verify", "Verify artifacts against attestations: signature, subject digest, statement.")
        {
            artifacts, attestations, keys, keyAlgorithm, threshold, trustedRoot,
            identity, identityRegex, issuer, issuerRegex, anyIdentity, tlogThreshold, timestampThreshold, sctThreshold, policy, parameters, format, outputPath, vsa, vsaKey, offline, batch,
            rekorUrl, npm.Registry, npm.Lockfile, npm.RequireAttestations,
            gitHubApiUrl, release, insecureRegistries,
        };
        foreach (var option in shorthands.All)
        {
            command.Options.Add(option);
        }

        var tuf = TufCommandOptions.Create(command);

        command.SetAction((parse, cancellationToken) =>
        {
            var request = new VerifyRequest(
                parse.GetValue(artifacts) ?? [],
                parse.GetValue(attestations) ?? [],
                parse.GetValue(keys) ?? [],
                parse.GetValue(keyAlgorithm),
                parse.GetValue(threshold),
                parse.GetValue(trustedRoot),
                new IdentityRequest(parse.GetValue(identity), parse.GetValue(identityRegex), parse.GetValue(issuer), parse.GetValue(issuerRegex)),
                parse.GetValue(anyIdentity),
                new Thresholds(parse.GetValue(tlogThreshold), parse.GetValue(timestampThreshold), parse.GetValue(sctThreshold)),
                parse.GetValue(policy),
                parse.GetValue(parameters) ?? [],
                parse.GetValue(format),
                parse.GetValue(outputPath),
                shorthands.Read(parse),
                parse.GetValue(vsa),
                parse.GetValue(vsaKey),
                parse.GetValue(offline),
                tuf.Read(parse, parse.GetValue(offline)),
                parse.GetValue(batch))
            {
                RekorUrl = parse.GetValue(rekorUrl) ?? LogEntryLookupStep.DefaultRekorUrl,
                Npm = npm.Read(parse),
                GitHubApiUrl = parse.GetValue(gitHubApiUrl),
                Release = parse.GetValue(release),
                InsecureRegistries = parse.GetValue(insecureRegistries) ?? [],
            };
            return services.GetRequiredService<VerifyCommandRunner>().RunAsync(request, cancellationToken);
        });
        return command;
    }
}

/// <summary>The parsed arguments of <c>provenance verify</c>.</summary>
internal sealed record VerifyRequest(
    IReadOnlyList<string> Artifacts,
    IReadOnlyList<string> Attestations,
    IReadOnlyList<string> Keys,
    string? KeyAlgorithm,
    int SignatureThreshold,
    string? TrustedRootPath,
    IdentityRequest Identity,
    bool AcceptAnyIdentityUnsafe,
    Thresholds Thresholds,
    string? PolicyPath,
    IReadOnlyList<string> PolicyParameters,
    string? Format,
    string? OutputPath,
    ShorthandRequest Shorthands,
    string? VsaPath = null,
    string? VsaKeyPath = null,
    bool Offline = false,
    TufRequest? Tuf = null,
    bool Batch = false)
{
    /// <summary>The Rekor that legacy envelopes' entries are looked up in.</summary>
    public string RekorUrl { get; init; } = LogEntryLookupStep.DefaultRekorUrl;

    /// <summary>The npm options (registry, lockfile).</summary>
    public NpmRequest Npm { get; init; } = new(NpmStep.DefaultRegistry, null, false);

    /// <summary>The GitHub API base of --github-api-url, when given.</summary>
    public string? GitHubApiUrl { get; init; }

    /// <summary>The GitHub release of --release, OWNER/REPO@TAG, when given.</summary>
    public string? Release { get; init; }
    /// <summary>Registry hosts that may be reached over plain http (<c>--insecure-registry</c>).</summary>
    public IReadOnlyList<string> InsecureRegistries { get; init; } = [];
}

/// <summary>The keyless identity flags as given; all null when none was.</summary>
internal sealed record IdentityRequest(string? Subject, string? SubjectRegex, string? Issuer, string? IssuerRegex)
{
    public bool IsEmpty => Subject is null && SubjectRegex is null && Issuer is null && IssuerRegex is null;
}

/// <summary>The evidence thresholds as given (each must be at least 1).</summary>
internal sealed record Thresholds(int TransparencyLogs, int Timestamps, int CertificateTransparencyLogs);
