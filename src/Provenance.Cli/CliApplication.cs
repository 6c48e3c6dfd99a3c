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
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { Args = [] });
        builder.Configuration.AddEnvironmentVariables("PROVENANCE_");
        builder.Logging.AddConfiguration(builder.Configuration.GetSection("Logging"));
        builder.Logging.AddSimpleConsole(options => options.SingleLine = true);
        builder.Logging.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(
            options => options.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton(new CliOutput(output, error));
        builder.Services.AddSingleton<VerifyCommandRunner>();
        using var host = builder.Build();

        var root = new RootCommand("Verifies supply-chain provenance: in-toto / SLSA attestations, their signatures, and the artifacts they name.");
        root.Subcommands.Add(VerifyCommand.Create(host.Services));
        root.Subcommands.Add(PolicyCommand.Create(host.Services));

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
