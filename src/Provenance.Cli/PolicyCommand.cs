using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Provenance.Policy;

namespace Provenance.Cli;

/// <summary><c>provenance policy test PATH</c>: runs every policy's fixtures (NAME.tests.yaml) through the verifier.</summary>
internal static class PolicyCommand
{
    public static Command Create(IServiceProvider services)
    {
        var path = new Argument<string>("path") { Description = "A NAME.tests.yaml fixtures file, or a folder to search for them." };
        var test = new Command("test", "Run policy fixtures: each case must give the verdict (and code) it names.") { path };
        test.SetAction((parse, cancellationToken) =>
            RunTestsAsync(parse.GetValue(path)!, services.GetRequiredService<CliOutput>(), cancellationToken));
        var lintPath = new Argument<string>("policy") { Description = "The policy file to check." };
        var lintParameters = new Option<string[]>("--param") { Description = "A policy parameter as NAME=VALUE. Repeatable.", Arity = ArgumentArity.OneOrMore };
        var lint = new Command("lint", "Warn about weak spots in a policy: owner-wide identities, unpinned refs or sources, self-hosted runners.")
        {
            lintPath, lintParameters,
        };
        lint.SetAction((parse, cancellationToken) => LintAsync(
            parse.GetValue(lintPath)!, parse.GetValue(lintParameters) ?? [], services.GetRequiredService<CliOutput>(), cancellationToken));
        return new Command("policy", "Work with policies.") { test, lint };
    }

    private static async Task<int> LintAsync(string path, IReadOnlyList<string> parameters, CliOutput output, CancellationToken cancellationToken)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var parameter in parameters)
        {
            var separator = parameter.IndexOf('=', StringComparison.Ordinal);
            values[separator > 0 ? parameter[..separator] : parameter] = separator > 0 ? parameter[(separator + 1)..] : "";
        }

        var (policy, problem) = await PolicyLoader.LoadFileAsync(path, values, cancellationToken).ConfigureAwait(false);
        if (policy is null)
        {
            await output.Error.WriteLineAsync("error: " + problem).ConfigureAwait(false);
            return ExitCodes.UsageError;
        }

        var warnings = PolicyLint.Lint(policy);
        foreach (var warning in warnings)
        {
            await output.Output.WriteLineAsync($"warning: {path}: {warning}").ConfigureAwait(false);
        }

        await output.Output.WriteLineAsync($"{policy.Name}: {warnings.Length} warning(s)").ConfigureAwait(false);
        return warnings.IsEmpty ? ExitCodes.Verified : ExitCodes.NotVerified;
    }

    private static async Task<int> RunTestsAsync(string path, CliOutput output, CancellationToken cancellationToken)
    {
        var files = Directory.Exists(path)
            ? Directory.EnumerateFiles(path, "*.tests.yaml", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList()
            : File.Exists(path) ? [path] : [];
        if (files.Count == 0)
        {
            await output.Error.WriteLineAsync($"error: {new Problem(DiagnosticCode.InputNotFound, "no *.tests.yaml fixtures found", path)}").ConfigureAwait(false);
            return ExitCodes.UsageError;
        }

        int passed = 0, failed = 0;
        foreach (var file in files)
        {
            if (!PolicyFixtures.TryLoad(file, out var fixtures, out var problem))
            {
                await output.Error.WriteLineAsync("error: " + problem).ConfigureAwait(false);
                return ExitCodes.UsageError;
            }

            foreach (var fixture in fixtures!.Cases)
            {
                var (ok, detail) = await RunCaseAsync(fixtures.PolicyPath, fixture, cancellationToken).ConfigureAwait(false);
                if (ok)
                {
                    passed++;
                    await output.Output.WriteLineAsync($"ok    {Path.GetFileName(file)}: {fixture.Name}").ConfigureAwait(false);
                }
                else
                {
                    failed++;
                    await output.Output.WriteLineAsync($"FAIL  {Path.GetFileName(file)}: {fixture.Name}: {detail}").ConfigureAwait(false);
                }
            }
        }

        await output.Output.WriteLineAsync($"policy fixtures: {passed} passed, {failed} failed").ConfigureAwait(false);
        return failed == 0 ? ExitCodes.Verified : ExitCodes.NotVerified;
    }

    private static async Task<(bool Ok, string Detail)> RunCaseAsync(string policyPath, PolicyFixture fixture, CancellationToken cancellationToken)
    {
        using var caseOutput = new StringWriter();
        using var caseError = new StringWriter();
        var runner = new VerifyCommandRunner(new CliOutput(caseOutput, caseError), GitHubActionsEnvironment.None, TimeProvider.System, NullLogger<VerifyCommandRunner>.Instance);
        var request = new VerifyRequest(
            [fixture.Artifact],
            [.. fixture.Attestations],
            [.. fixture.Keys],
            KeyAlgorithm: null,
            SignatureThreshold: 1,
            fixture.TrustedRoot,
            new IdentityRequest(null, null, null, null),
            AcceptAnyIdentityUnsafe: false,
            new Thresholds(1, 1, 1),
            policyPath,
            [.. fixture.Parameters.Select(p => $"{p.Key}={p.Value}")],
            "text",
            OutputPath: null,
            ShorthandRequest.None);
        var exit = await runner.RunAsync(request, cancellationToken).ConfigureAwait(false);
        var text = caseOutput + caseError.ToString();
        if (fixture.ExpectPass)
        {
            return exit == ExitCodes.Verified ? (true, "") : (false, $"expected a pass, got exit {exit}: {text.Trim()}");
        }

        return exit == ExitCodes.NotVerified && text.Contains(fixture.ExpectedCode!, StringComparison.Ordinal)
            ? (true, "")
            : (false, $"expected a failure with {fixture.ExpectedCode}, got exit {exit}: {text.Trim()}");
    }
}
