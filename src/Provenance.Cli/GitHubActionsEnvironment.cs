using System.Collections.Immutable;
using Microsoft.Extensions.Configuration;

namespace Provenance.Cli;

/// <summary>
/// What the GitHub Actions runner tells a step through its environment
/// (https://docs.github.com/en/actions/reference/workflows-and-actions/variables#default-environment-variables).
/// Read from the host's configuration, so tests supply their own instead of the process environment.
/// </summary>
/// <param name="IsActions">GITHUB_ACTIONS is <c>true</c>: running as a workflow step.</param>
/// <param name="StepSummaryPath">GITHUB_STEP_SUMMARY: the file the job summary Markdown is appended to.</param>
/// <param name="OutputPath">GITHUB_OUTPUT: the file step outputs are appended to.</param>
/// <param name="RunnerTemp">RUNNER_TEMP: a directory the runner empties after each job.</param>
internal sealed record GitHubActionsEnvironment(bool IsActions, string? StepSummaryPath, string? OutputPath, string? RunnerTemp)
{
    /// <summary>
    /// The environment variables the tool reads, the GitHub API's (<see cref="GitHubApiEnvironment"/>) included;
    /// nothing else from the environment reaches it this way.
    /// </summary>
    public static readonly ImmutableArray<string> VariableNames =
        ["GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY", "GITHUB_OUTPUT", "RUNNER_TEMP", "GITHUB_API_URL", "GH_TOKEN", "GITHUB_TOKEN"];

    /// <summary>Not in a workflow step: for verifications whose reports stay inside the tool (policy fixtures).</summary>
    public static readonly GitHubActionsEnvironment None = new(false, null, null, null);

    public static GitHubActionsEnvironment From(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        static string? Value(IConfiguration c, string name) => string.IsNullOrEmpty(c[name]) ? null : c[name];
        return new(
            string.Equals(configuration["GITHUB_ACTIONS"], "true", StringComparison.Ordinal),
            Value(configuration, "GITHUB_STEP_SUMMARY"),
            Value(configuration, "GITHUB_OUTPUT"),
            Value(configuration, "RUNNER_TEMP"));
    }
}
