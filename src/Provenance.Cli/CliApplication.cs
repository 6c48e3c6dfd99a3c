using System.CommandLine;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Provenance.Cli;

/// <summary>
/// Composes the tool: the host supplies configuration (environment variables prefixed PROVENANCE_), logging to
/// stderr and the services; System.CommandLine parses; the runners call the library and return the exit code.
/// </summary>
internal static class CliApplication
{
    /// <summary>Runs with the GitHub Actions variables of this process's environment.</summary>
    public static Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken) =>
        RunAsync(args, output, error, GitHubActionsEnvironment.VariableNames.ToDictionary(n => n, Environment.GetEnvironmentVariable), cancellationToken);

    /// <summary>Runs with the given GitHub Actions variables (<see cref="GitHubActionsEnvironment.VariableNames"/>) instead of the process's.</summary>
    public static async Task<int> RunAsync(
        string[] args, TextWriter output, TextWriter error, IReadOnlyDictionary<string, string?> environment, CancellationToken cancellationToken)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { Args = [] });
        builder.Configuration.AddEnvironmentVariables("PROVENANCE_");
        builder.Configuration.AddInMemoryCollection(GitHubActionsEnvironment.VariableNames
            .Select(name => KeyValuePair.Create(name, environment.GetValueOrDefault(name))));
        builder.Logging.AddConfiguration(builder.Configuration.GetSection("Logging"));
        builder.Logging.AddSimpleConsole(options => options.SingleLine = true);
        builder.Logging.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(
            options => options.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton(new CliOutput(output, error));
        builder.Services.AddSingleton(GitHubActionsEnvironment.From(builder.Configuration));
        builder.Services.AddSingleton(GitHubApiEnvironment.From(builder.Configuration));
        builder.Services.AddSingleton<GitHubAttestationFetching>();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<OciArtifacts>();
        builder.Services.AddSingleton<VerifyCommandRunner>();
        builder.Services.AddSingleton<TrustedRootResolver>();
        using var host = builder.Build();

        var root = new RootCommand("Verifies supply-chain provenance: in-toto / SLSA attestations, their signatures, and the artifacts they name.");
        root.Subcommands.Add(VerifyCommand.Create(host.Services));
        root.Subcommands.Add(PolicyCommand.Create(host.Services));
        root.Subcommands.Add(TrustedRootCommand.Create(host.Services));

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var parseError in parsed.Errors)
            {
                await error.WriteLineAsync($"error: {parseError.Message}").ConfigureAwait(false);
            }

            await error.WriteLineAsync("Run 'provenance --help' for usage.").ConfigureAwait(false);
            return ExitCodes.UsageError;
        }

        var configuration = new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false };
        return await parsed.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>The tool's exit codes: the contract scripts rely on.</summary>
internal static class ExitCodes
{
    public const int Verified = 0;
    public const int NotVerified = 1;
    public const int UsageError = 2;
}

/// <summary>Where results (stdout) and diagnostics (stderr) go for this invocation.</summary>
internal sealed record CliOutput(TextWriter Output, TextWriter Error);
