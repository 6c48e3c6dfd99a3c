using System.Globalization;
using System.Net;
using System.Text;
using Provenance.Attestations;
using Provenance.Verification;

namespace Provenance.Cli.Reports;

/// <summary>
/// The report for a GitHub Actions step: the text report and an <c>::error</c> annotation per failing check on
/// stdout, a Markdown table appended to the job summary, the JSON report in a file, and the step outputs
/// <c>verified</c> and <c>report</c>. Follows https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-commands.
/// </summary>
internal static class GitHubReport
{
    /// <summary>Writes every part the environment has a place for; throws <see cref="IOException"/> when a file cannot be written.</summary>
    public static async Task WriteAsync(
        IReadOnlyList<VerificationResult> results, string? policyName, GitHubActionsEnvironment environment, string? reportPath, TextWriter output)
    {
        await TextReport.WriteAsync(results, output).ConfigureAwait(false);
        foreach (var line in Annotations(results))
        {
            await output.WriteLineAsync(line).ConfigureAwait(false);
        }

        reportPath ??= DefaultReportPath(environment);
        if (reportPath is not null)
        {
            await using var file = new StreamWriter(reportPath);
            await JsonReport.WriteAsync(results, file).ConfigureAwait(false);
        }

        if (environment.StepSummaryPath is { } summary)
        {
            await File.AppendAllTextAsync(summary, Summary(results, policyName), new UTF8Encoding(false)).ConfigureAwait(false);
        }

        if (environment.OutputPath is { } outputs)
        {
            var text = OutputLine("verified", results.All(r => r.Verified) ? "true" : "false")
                + (reportPath is null ? "" : OutputLine("report", Path.GetFullPath(reportPath)));
            await File.AppendAllTextAsync(outputs, text, new UTF8Encoding(false)).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// One annotation per failing check: <c>::error</c> when the artifact did not verify; <c>::warning</c> for the
    /// failures of other attestations of an artifact that did verify, which decided nothing.
    /// </summary>
    public static IEnumerable<string> Annotations(IReadOnlyList<VerificationResult> results)
    {
        foreach (var result in results)
        {
            foreach (var failure in result.Failures)
            {
                var title = $"{failure.Code?.Format()} {failure.Name}: {result.Artifact}".TrimStart();
                var message = Located(failure)
                    + (failure.Expected is null ? "" : $"; expected {failure.Expected}")
                    + (failure.Actual is null ? "" : $"; found {failure.Actual}");
                yield return $"::{(result.Verified ? "warning" : "error")} title={EscapeProperty(title)}::{EscapeData(message)}";
            }
        }
    }

    /// <summary>A workflow command's message: <c>%</c>, CR and LF are percent-encoded (the runner's <c>EscapeData</c>).</summary>
    public static string EscapeData(string value) =>
        value.Replace("%", "%25", StringComparison.Ordinal)
            .Replace("\r", "%0D", StringComparison.Ordinal)
            .Replace("\n", "%0A", StringComparison.Ordinal);

    /// <summary>A workflow command's property value: as a message, and <c>:</c> and <c>,</c> too (the runner's <c>EscapeProperty</c>).</summary>
    public static string EscapeProperty(string value) =>
        EscapeData(value)
            .Replace(":", "%3A", StringComparison.Ordinal)
            .Replace(",", "%2C", StringComparison.Ordinal);

    /// <summary>
    /// <c>name=value</c>, or the multiline form <c>name&lt;&lt;DELIMITER</c> when the value has a line break,
    /// with a delimiter the value does not contain.
    /// </summary>
    public static string OutputLine(string name, string value)
    {
        if (!value.Contains('\n', StringComparison.Ordinal) && !value.Contains('\r', StringComparison.Ordinal))
        {
            return $"{name}={value}\n";
        }

        string delimiter;
        do
        {
            delimiter = "ghadelimiter_" + Guid.NewGuid().ToString("N");
        }
        while (value.Contains(delimiter, StringComparison.Ordinal));
        return $"{name}<<{delimiter}\n{value}\n{delimiter}\n";
    }

    /// <summary>The job summary: a row per artifact, then the failing checks with code, expected and found.</summary>
    public static string Summary(IReadOnlyList<VerificationResult> results, string? policyName)
    {
        var markdown = new StringBuilder();
        var verified = results.All(r => r.Verified);
        markdown.Append(CultureInfo.InvariantCulture, $"### Provenance: {(verified ? "verified" : "NOT verified")}\n\n");
        markdown.Append("| Verdict | Artifact | Signer | Source | Builder | Policy |\n|---|---|---|---|---|---|\n");
        foreach (var result in results)
        {
            var signers = result.Attestations.SelectMany(a => a.Signers)
                .Select(s => s.Certificate is null ? s.KeyId : $"{s.Identity} ({s.Issuer})");
            var provenance = result.Attestations
                .Select(a => a.Statement is { } statement && BuildProvenance.TryFrom(statement, out var p, out _) ? p : null)
                .OfType<BuildProvenance>()
                .ToList();
            var sources = provenance.Where(p => p.SourceRepositoryUri is not null)
                .Select(p => p.SourceRef is null ? p.SourceRepositoryUri! : $"{p.SourceRepositoryUri}@{p.SourceRef}");
            markdown.Append(CultureInfo.InvariantCulture,
                $"| {(result.Verified ? "✅ verified" : "❌ not verified")} | {Cell(result.Artifact)} | {Cells(signers)} | {Cells(sources)} | {Cells(provenance.Select(p => p.BuilderId))} | {Cell(policyName)} |\n");
        }

        var failures = results.SelectMany(r => r.Failures.Select(f => (Result: r, Check: f))).ToList();
        if (failures.Count > 0)
        {
            markdown.Append("\n#### Failing checks\n\n| Artifact | Code | Check | Message | Expected | Found |\n|---|---|---|---|---|---|\n");
            foreach (var (result, check) in failures)
            {
                var artifact = result.Verified ? result.Artifact + " (verified by another attestation: not counted)" : result.Artifact;
                var message = Located(check);
                markdown.Append(CultureInfo.InvariantCulture,
                    $"| {Cell(artifact)} | {Cell(check.Code?.Format())} | {Cell(check.Name)} | {Cell(message)} | {Cell(check.Expected)} | {Cell(check.Actual)} |\n");
            }
        }

        return markdown.Append('\n').ToString();
    }

    /// <summary>The check's message after its source and location, when it has them.</summary>
    private static string Located(Check check) =>
        string.Join(": ", new[] { check.Source, check.Location, check.Message }.Where(s => !string.IsNullOrEmpty(s)));

    private static string Cells(IEnumerable<string> values)
    {
        var distinct = values.Distinct(StringComparer.Ordinal).ToList();
        return distinct.Count == 0 ? "—" : string.Join("<br>", distinct.Select(Cell));
    }

    /// <summary>
    /// A table cell from untrusted text (artifact names, certificate identities, attestation fields): Markdown
    /// punctuation backslash-escaped, HTML encoded, pipes escaped, line breaks as &lt;br&gt;.
    /// </summary>
    private static string Cell(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "—";
        }

        var escaped = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if ("\\`*_[]()#!~".Contains(c, StringComparison.Ordinal))
            {
                escaped.Append('\\');
            }

            escaped.Append(c);
        }

        return WebUtility.HtmlEncode(escaped.ToString())
            .Replace("|", "\\|", StringComparison.Ordinal)
            .Replace("\r\n", "<br>", StringComparison.Ordinal)
            .Replace("\n", "<br>", StringComparison.Ordinal)
            .Replace("\r", "<br>", StringComparison.Ordinal);
    }

    /// <summary>A fresh file in RUNNER_TEMP, or else beside the job summary or the outputs file; null outside a runner.</summary>
    private static string? DefaultReportPath(GitHubActionsEnvironment environment)
    {
        var directory = environment.RunnerTemp
            ?? Path.GetDirectoryName(environment.StepSummaryPath)
            ?? Path.GetDirectoryName(environment.OutputPath);
        return string.IsNullOrEmpty(directory) ? null : Path.Combine(directory, $"provenance-report-{Guid.NewGuid():N}.json");
    }
}
