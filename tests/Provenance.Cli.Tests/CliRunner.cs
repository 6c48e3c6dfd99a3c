using System.Diagnostics;

namespace Provenance.Cli.Tests;

/// <summary>Runs the tool in-process (fast, most tests) or as a real process (the shipped entry point).</summary>
internal static class CliRunner
{
    public sealed record Run(int ExitCode, string Output, string Error);

    /// <summary>In process, outside GitHub Actions even when the tests run there: no GITHUB_ variables reach the tool.</summary>
    public static Task<Run> InProcessAsync(params string[] args) => InProcessAsync(new Dictionary<string, string?>(), args);

    /// <summary>In process, with these GitHub Actions variables (GITHUB_ACTIONS, GITHUB_STEP_SUMMARY, ...) as the environment.</summary>
    public static async Task<Run> InProcessAsync(IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await CliApplication.RunAsync(args, output, error, environment, TestContext.Current.CancellationToken);
        return new Run(exitCode, output.ToString(), error.ToString());
    }

    public static async Task<Run> ProcessAsync(params string[] args)
    {
        var tool = Path.Combine(AppContext.BaseDirectory, "provenance.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(tool);
        foreach (var name in GitHubActionsEnvironment.VariableNames)
        {
            // Outside GitHub Actions even when the tests run there: never append to the real job summary.
            start.Environment.Remove(name);
        }

        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return new Run(process.ExitCode, await output, await error);
    }
}
