using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using Provenance.Cli.Reports;
using Provenance.Cryptography;
using Provenance.Policy;
using Provenance.Sigstore;
using Provenance.Sources.Oci;
using Provenance.Verification;

namespace Provenance.Cli;

/// <summary>Runs <c>provenance verify</c>: turns the request into library calls and the results into an exit code.</summary>
internal sealed partial class VerifyCommandRunner(
    CliOutput output, GitHubActionsEnvironment github, TimeProvider time, ILogger<VerifyCommandRunner> logger, TrustedRootResolver? trustedRoots = null,
    GitHubAttestationFetching? gitHubAttestations = null, OciArtifacts? oci = null)
{
    private readonly GitHubAttestationFetching _gitHubAttestations = gitHubAttestations ?? new(GitHubApiEnvironment.None);

    public async Task<int> RunAsync(VerifyRequest request, CancellationToken cancellationToken)
    {
        var usage = new List<Problem>();
        var artifacts = new List<ArtifactInput>();
        var npm = await NpmStep.ParseAsync(request, usage, cancellationToken).ConfigureAwait(false);
        var images = new List<OciReference>();
        foreach (var artifact in InputPatterns.Expand(request.Artifacts.Where(a => !Sources.Npm.NpmPackage.IsReference(a)), "artifact", usage))
        {
            if (OciReference.IsOciReference(artifact))
            {
                if (OciReference.TryParse(artifact, out var image, out var problem))
                {
                    images.Add(image);
                }
                else
                {
                    usage.Add(problem);
                }
            }
            else if (LooksLikeDigest(artifact))
            {
                if (ArtifactDigest.TryParse(artifact, out var digest, out var problem))
                {
                    artifacts.Add(ArtifactInput.FromDigest(digest!));
                }
                else
                {
                    usage.Add(problem!);
                }
            }
            else
            {
                artifacts.Add(ArtifactInput.FromFile(artifact));
            }
        }

        var attestationFiles = InputPatterns.Expand(request.Attestations, "attestation", usage).Select(AttestationInput.FromFile).ToList();
        if (request.SignatureThreshold < 1)
        {
            usage.Add(new Problem(DiagnosticCode.InvalidOptions, "--signature-threshold must be at least 1"));
        }
        else if (request.Keys.Count > 0 && request.SignatureThreshold > request.Keys.Count)
        {
            usage.Add(new Problem(DiagnosticCode.InvalidOptions,
                $"--signature-threshold is {request.SignatureThreshold} but only {request.Keys.Count} --key was given"));
        }

        foreach (var (name, value) in new[]
        {
            ("--tlog-threshold", request.Thresholds.TransparencyLogs),
            ("--timestamp-threshold", request.Thresholds.Timestamps),
            ("--sct-threshold", request.Thresholds.CertificateTransparencyLogs),
        })
        {
            if (value < 1)
            {
                usage.Add(new Problem(DiagnosticCode.InvalidOptions, $"{name} must be at least 1: zero would accept missing evidence"));
            }
        }

        if (request.Keys.Count > Limits.MaxKeys)
        {
            usage.Add(new Problem(DiagnosticCode.InvalidOptions, $"at most {Limits.MaxKeys} keys can be given"));
        }

        var keys = ImmutableArray.CreateBuilder<VerificationKey>();
        foreach (var keyPath in request.Keys.Take(Limits.MaxKeys))
        {
            var (key, problem) = await KeyFiles.LoadAsync(keyPath, request.KeyAlgorithm, cancellationToken).ConfigureAwait(false);
            if (key is null)
            {
                usage.Add(problem!);
            }
            else
            {
                LogKeyLoaded(keyPath, key.KeyId, key.Algorithm);
                keys.Add(key);
            }
        }

        var identities = ImmutableArray<CertificateIdentity>.Empty;
        if (!request.Identity.IsEmpty)
        {
            try
            {
                var i = request.Identity;
                identities = [CertificateIdentity.Create(i.Subject, i.SubjectRegex, i.Issuer, i.IssuerRegex)];
            }
            catch (ArgumentException e)
            {
                usage.Add(new Problem(DiagnosticCode.InvalidOptions,
                    e.Message.Split(" (Parameter", 2)[0] + " Use --certificate-identity or --certificate-identity-regex, and --certificate-oidc-issuer or --certificate-oidc-issuer-regex."));
            }
        }

        if (!identities.IsEmpty && request.AcceptAnyIdentityUnsafe)
        {
            usage.Add(new Problem(DiagnosticCode.InvalidOptions, "--unsafe-accept-any-identity contradicts the identity given; drop one"));
        }

        PolicyDocument? policy = null;
        if (request.PolicyPath is { } policyPath)
        {
            var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var parameter in request.PolicyParameters)
            {
                var separator = parameter.IndexOf('=', StringComparison.Ordinal);
                if (separator <= 0 || !parameters.TryAdd(parameter[..separator], parameter[(separator + 1)..]))
                {
                    usage.Add(new Problem(DiagnosticCode.InvalidOptions, $"--param takes NAME=VALUE, each name once; \"{parameter}\" is not that"));
                }
            }

            (policy, var policyProblem) = await PolicyLoader.LoadFileAsync(policyPath, parameters, cancellationToken).ConfigureAwait(false);
            if (policyProblem is not null)
            {
                usage.Add(policyProblem);
            }
        }
        else if (request.PolicyParameters.Count > 0)
        {
            usage.Add(new Problem(DiagnosticCode.InvalidOptions, "--param is for policy parameters: give the policy with --policy"));
        }

        if (!request.Shorthands.IsEmpty && !GitHubAttestationFetching.OnlyNamesWhereToFetch(request))
        {
            if (request.PolicyPath is not null)
            {
                usage.Add(new Problem(DiagnosticCode.InvalidOptions,
                    "the slsa-verifier and gh attestation shorthands build a policy, so they cannot be combined with --policy; give one or the other"));
            }
            else
            {
                var (built, problem) = ShorthandPolicy(request.Shorthands);
                policy = built;
                if (problem is not null)
                {
                    usage.Add(problem);
                }
            }
        }

        // With a policy, its signer constraints decide who may have signed keylessly (the loader refuses a policy
        // that names no signer unless it says so unsafely), so verification itself accepts any certified identity.
        var policyDecidesIdentity = policy is not null && request.Identity.IsEmpty;

        if (request.Keys.Count == 0 && request.Identity.IsEmpty && !request.AcceptAnyIdentityUnsafe && !policyDecidesIdentity)
        {
            usage.Add(new Problem(DiagnosticCode.InvalidOptions,
                "say whom to trust: --key PATH for key-signed attestations, or --certificate-identity (or -regex) with --certificate-oidc-issuer (or -regex) for keyless ones"));
        }

        TrustedRoot? root = null;
        if (request.TrustedRootPath is { } rootPath)
        {
            (root, var rootProblem) = await TrustedRootFiles.LoadAsync(rootPath, cancellationToken).ConfigureAwait(false);
            if (rootProblem is not null)
            {
                usage.Add(rootProblem);
            }
        }

        if (LogEntryLookupStep.ParseUrl(request.RekorUrl) is (null, { } rekorProblem))
        {
            usage.Add(rekorProblem);
        }

        SigningKey? vsaKey = null;
        if (request.VsaKeyPath is { } vsaKeyPath)
        {
            if (request.VsaPath is null)
            {
                usage.Add(new Problem(DiagnosticCode.InvalidOptions, "--vsa-key signs the verification summaries: give --vsa PATH to write them"));
            }

            Problem? keyProblem;
            (vsaKey, keyProblem) = await KeyFiles.LoadSigningKeyAsync(vsaKeyPath, cancellationToken).ConfigureAwait(false);
            if (keyProblem is not null)
            {
                usage.Add(keyProblem);
            }
        }

        usage.AddRange(_gitHubAttestations.CheckUsage(request));
        using var signingKey = vsaKey;
        using var network = CliNetwork.CreateFetcher(request.Offline, request.InsecureRegistries, time);
        if (usage.Count > 0)
        {
            foreach (var problem in usage)
            {
                await output.Error.WriteLineAsync("error: " + problem).ConfigureAwait(false);
            }

            return ExitCodes.UsageError;
        }

        if (root is null && trustedRoots is null)
        {
            // Policy fixtures pin their verdicts to the embedded root, never to what a machine's cache holds.
            root = TrustedRoot.PublicGood;
        }
        else if (root is null)
        {
            // Only once the invocation is known to be valid: choosing the root may read the cache or the network.
            (root, var tufProblem) = await trustedRoots!.ForVerifyAsync(request.Tuf ?? new TufRequest(null, null, null, request.Offline), network, cancellationToken).ConfigureAwait(false);
            if (tufProblem is not null)
            {
                await output.Error.WriteLineAsync("error: " + tufProblem).ConfigureAwait(false);
                return ExitCodes.UsageError;
            }
        }

        if (request.AcceptAnyIdentityUnsafe)
        {
            await output.Error.WriteLineAsync(
                "warning: UNSAFE: --unsafe-accept-any-identity accepts a keyless signature from anyone the trusted root certified; the identities shown were not checked against anything")
                .ConfigureAwait(false);
        }

        var options = new VerifierOptions
        {
            Keys = keys.ToImmutable(),
            SignatureThreshold = request.SignatureThreshold,
            TrustedRoot = root,
            Identities = identities,
            AcceptAnyIdentityUnsafe = request.AcceptAnyIdentityUnsafe || policyDecidesIdentity,
            TransparencyLogThreshold = request.Thresholds.TransparencyLogs,
            TimestampThreshold = request.Thresholds.Timestamps,
            CertificateTransparencyThreshold = request.Thresholds.CertificateTransparencyLogs,
        };
        var verifier = new ProvenanceVerifier(options);
        using var fetched = await _gitHubAttestations.AddFetchedAsync(request, network, artifacts, attestationFiles, cancellationToken).ConfigureAwait(false);
        if (fetched.Problem is not null)
        {
            await output.Error.WriteLineAsync("error: " + fetched.Problem).ConfigureAwait(false);
            return ExitCodes.UsageError;
        }

        if (images.Count > 0)
        {
            var fetchedImages = await (oci ?? throw new InvalidOperationException("oci:// artifacts need the registry source"))
                .FetchAsync(images, network, cancellationToken).ConfigureAwait(false);
            foreach (var problem in fetchedImages.Problems)
            {
                await output.Error.WriteLineAsync("error: " + problem).ConfigureAwait(false);
            }

            if (fetchedImages.Problems.Count > 0)
            {
                // An image the registry has no attestation for is not verified; a registry that could not be read is an input error.
                return fetchedImages.Problems.Any(p => p.Code.IsInputError()) ? ExitCodes.UsageError : ExitCodes.NotVerified;
            }

            artifacts.AddRange(fetchedImages.Artifacts);
            attestationFiles.AddRange(fetchedImages.Attestations);
        }

        // Fetched attestations go through the same steps as files: what GitHub hands out is verified like a local file.
        // A log entry found for a keyless envelope can only let a keyless signer count; when none is trusted, looking
        // would read every file once more for nothing.
        var lookup = options.Identities.IsEmpty && !options.AcceptAnyIdentityUnsafe
            ? new Sources.Rekor.LookupOutcome([.. attestationFiles], [])
            : await LogEntryLookupStep.ResolveAsync(request, network, attestationFiles, cancellationToken).ConfigureAwait(false);
        var attestations = lookup.Attestations;
        await using var summaries = request.VsaPath is { } vsaPath ? SummaryFile.Create(vsaPath, signingKey, policy, time, output.Error) : null;
        if (summaries?.Problem is { } openProblem)
        {
            await output.Error.WriteLineAsync("error: " + openProblem).ConfigureAwait(false);
            return ExitCodes.UsageError;
        }

        // A step in GitHub Actions reports as one unless told otherwise.
        var format = request.Format ?? (github.IsActions ? "github" : "text");

        // Each result is made ready to write (its report and summary) where it was verified, in a batch on every core;
        // only the writing, in order, is left to one.
        ReportedResult Prepare(VerificationResult result) => new(
            result,
            format switch { "json" => JsonReport.Render(result), "text" => TextReport.Render(result), _ => null },
            summaries?.Render(result));

        // Results are written out as they come, so that a batch of any size is reported in the memory of a few.
        async IAsyncEnumerable<ReportedResult> Verify()
        {
            if (artifacts.Count > 0 && request.Batch)
            {
                var showProgress = ProgressDisplay.ShouldShowHere(request.Format, reportStreamsToStdout: request.OutputPath is null);
                var prepared = BatchVerification.VerifyEachAsync(
                    verifier, artifacts, attestations, policy, result => Prepare(lookup.Apply(result)), showProgress, output.Error, cancellationToken);
                await foreach (var result in prepared.ConfigureAwait(false))
                {
                    yield return result;
                }
            }
            else if (artifacts.Count > 0)
            {
                // The report follows the work here, so a progress line for a large artifact cannot break it.
                var progress = ProgressDisplay.ShouldShowHere(request.Format, reportStreamsToStdout: false) ? new ProgressLine(output.Error) : null;
                var all = await verifier.VerifyAsync(artifacts, attestations, progress, cancellationToken).ConfigureAwait(false);
                foreach (var result in all)
                {
                    yield return Prepare(lookup.Apply(policy is null ? result : PolicyVerification.Apply(policy, result)));
                }
            }

            foreach (var result in await NpmStep.VerifyAsync(request, npm, network, options, policy, output.Error, cancellationToken).ConfigureAwait(false))
            {
                yield return Prepare(result);
            }
        }

        var tally = new ResultTally();
        var results = tally.Observe(Verify(), summaries, cancellationToken);
        if (format == "github")
        {
            try
            {
                var all = new List<VerificationResult>();
                await foreach (var reported in results.ConfigureAwait(false))
                {
                    all.Add(reported.Result);
                }

                await GitHubReport.WriteAsync(all, policy?.Name, github, request.OutputPath, output.Output).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                var problem = new Problem(DiagnosticCode.InputUnreadable,
                    "the GitHub Actions report cannot be written: " + e.Message + "; check GITHUB_STEP_SUMMARY, GITHUB_OUTPUT, RUNNER_TEMP and --output");
                await output.Error.WriteLineAsync("error: " + problem).ConfigureAwait(false);
                return ExitCodes.UsageError;
            }
        }
        else if (request.OutputPath is { } path)
        {
            try
            {
                await using var file = new StreamWriter(path);
                await WriteReportAsync(format, results, file).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                var problem = new Problem(DiagnosticCode.InputUnreadable, "the report cannot be written: " + e.Message + "; choose a writable --output path", path);
                await output.Error.WriteLineAsync("error: " + problem).ConfigureAwait(false);
                return ExitCodes.UsageError;
            }
        }
        else
        {
            await WriteReportAsync(format, results, output.Output).ConfigureAwait(false);
        }

        if (summaries is not null && await summaries.CloseAsync().ConfigureAwait(false) is { } vsaProblem)
        {
            await output.Error.WriteLineAsync("error: " + vsaProblem).ConfigureAwait(false);
            return ExitCodes.UsageError;
        }

        if (tally.AnyInputError)
        {
            return ExitCodes.UsageError;
        }

        return tally.AllVerified ? ExitCodes.Verified : ExitCodes.NotVerified;
    }

    /// <summary>The policy the shorthands describe, or why they do not describe one.</summary>
    private static (PolicyDocument? Policy, Problem? Problem) ShorthandPolicy(ShorthandRequest shorthands)
    {
        static Problem Usage(string message) => new(DiagnosticCode.InvalidOptions, message);
        var (slsa, gh) = (shorthands.SlsaVerifier, shorthands.GitHub);
        if (!slsa.IsEmpty && !gh.IsEmpty)
        {
            return (null, Usage("the slsa-verifier shorthands (--source-uri, …) and the gh attestation shorthands (--owner, --repo, …) describe different policies; use one family"));
        }

        try
        {
            if (!slsa.IsEmpty)
            {
                if (slsa.SourceUri is null)
                {
                    return (null, Usage("the slsa-verifier shorthands need --source-uri"));
                }

                var inputs = System.Collections.Immutable.ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
                foreach (var input in slsa.WorkflowInputs)
                {
                    var separator = input.IndexOf('=', StringComparison.Ordinal);
                    if (separator <= 0 || !inputs.TryAdd(input[..separator], input[(separator + 1)..]))
                    {
                        return (null, Usage($"--build-workflow-input takes KEY=VALUE, each key once; \"{input}\" is not that"));
                    }
                }

                return (ShorthandPolicies.FromSlsaVerifier(new SlsaVerifierFlags(
                    slsa.SourceUri, slsa.SourceBranch, slsa.SourceTag, slsa.SourceVersionedTag, slsa.BuilderId, inputs.ToImmutable())), null);
            }

            return (ShorthandPolicies.FromGitHubAttestation(new GitHubAttestationFlags(
                gh.Owner, gh.Repo, gh.SignerWorkflow, gh.SignerRepo, gh.SourceRef, gh.SourceDigest, gh.PredicateType, gh.DenySelfHostedRunners)), null);
        }
        catch (ArgumentException e)
        {
            return (null, Usage(e.Message.Split(" (Parameter", 2)[0]));
        }
    }

    private static Task WriteReportAsync(string format, IAsyncEnumerable<ReportedResult> results, TextWriter writer) =>
        format == "json"
            ? JsonReport.WriteAsync(results.Select(r => (r.Result.Verified, r.Report!)), writer)
            : TextReport.WriteAsync(results.Select(r => r.Report!), writer);

    /// <summary>An argument with a digest algorithm prefix is a digest; anything else is a path.</summary>
    private static bool LooksLikeDigest(string argument) =>
        argument.StartsWith("sha256:", StringComparison.OrdinalIgnoreCase)
        || argument.StartsWith("sha384:", StringComparison.OrdinalIgnoreCase)
        || argument.StartsWith("sha512:", StringComparison.OrdinalIgnoreCase);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Trusting key {Path}: {KeyId} ({Algorithm})")]
    private partial void LogKeyLoaded(string path, string keyId, string algorithm);
}
