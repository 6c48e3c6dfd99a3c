using Provenance.Verification;

namespace Provenance.Cli.Reports;

/// <summary>The report for people: per artifact, the verdict, who signed what, or exactly why not.</summary>
internal static class TextReport
{
    public static Task WriteAsync(IReadOnlyList<VerificationResult> results, TextWriter writer) =>
        WriteAsync(results.ToAsyncEnumerable(), writer);

    /// <summary>Writes each result as it comes: a batch of any size in the memory of one result.</summary>
    public static async Task WriteAsync(IAsyncEnumerable<VerificationResult> results, TextWriter writer)
    {
        await foreach (var result in results.ConfigureAwait(false))
        {
            await WriteAsync(result, writer).ConfigureAwait(false);
        }
    }

    private static async Task WriteAsync(VerificationResult result, TextWriter writer)
    {
        var digest = result.Digests.IsDefaultOrEmpty ? "" : $" ({result.Digests[0]})";
        await writer.WriteLineAsync($"{(result.Verified ? "VERIFIED" : "NOT VERIFIED")}: {result.Artifact}{digest}").ConfigureAwait(false);
        foreach (var attestation in result.Attestations)
        {
            var what = attestation.Statement?.PredicateType ?? "signature over the artifact (Sigstore message signature)";
            await writer.WriteLineAsync($"  {attestation.Source}: {what}").ConfigureAwait(false);
            foreach (var signer in attestation.Signers)
            {
                await writer.WriteLineAsync($"    signed by {signer}").ConfigureAwait(false);
            }

            foreach (var time in attestation.Times)
            {
                await writer.WriteLineAsync($"    at {time.Time:yyyy-MM-ddTHH:mm:ssZ} ({time.Source})").ConfigureAwait(false);
            }
        }

        var policyChecks = result.Checks.Where(c => c.Name == Policy.PolicyEvaluator.CheckName).ToList();
        if (policyChecks.Count > 0)
        {
            await writer.WriteLineAsync($"  policy: {policyChecks.Count(c => c.Passed)} of {policyChecks.Count} checks passed").ConfigureAwait(false);
            await WritePolicyTableAsync(policyChecks, writer).ConfigureAwait(false);
        }

        // When verified, failures of other attestations did not decide anything; show them only as notes.
        // Policy failures are in the table above.
        var failures = result.Failures.Where(c => c.Name != Policy.PolicyEvaluator.CheckName).ToList();
        if (failures.Count > 0)
        {
            await writer.WriteLineAsync(result.Verified ? "  Not counted:" : "  Failed checks:").ConfigureAwait(false);
            foreach (var failure in failures)
            {
                await WriteFailureAsync(failure, writer).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Every policy check as a row: its verdict and code, the rule, what it expected and what it found.</summary>
    private static async Task WritePolicyTableAsync(List<Check> checks, TextWriter writer)
    {
        const int Wide = 56;
        string Cell(string? text, int width) => (text ?? "") is { } t && t.Length > width ? t[..(width - 1)] + "…" : (text ?? "");
        var rows = checks.Select(c => (
            Verdict: c.Passed ? "ok" : "FAIL",
            Code: c.Code?.Format() ?? "",
            Rule: Cell(c.Passed ? c.Message : c.Message.Replace(" is not as the policy requires", "", StringComparison.Ordinal), Wide),
            Expected: Cell(c.Expected, Wide),
            Found: Cell(c.Actual, Wide))).ToList();
        var widths = new[]
        {
            Math.Max(4, rows.Max(r => r.Verdict.Length)),
            Math.Max(4, rows.Max(r => r.Code.Length)),
            Math.Max(5, rows.Max(r => r.Rule.Length)),
            Math.Max(8, rows.Max(r => r.Expected.Length)),
        };
        string Line(string a, string b, string c, string d, string e) =>
            $"    {a.PadRight(widths[0])}  {b.PadRight(widths[1])}  {c.PadRight(widths[2])}  {d.PadRight(widths[3])}  {e}".TrimEnd();
        await writer.WriteLineAsync(Line("", "code", "check", "expected", "found")).ConfigureAwait(false);
        foreach (var row in rows)
        {
            await writer.WriteLineAsync(Line(row.Verdict, row.Code, row.Rule, row.Expected, row.Found)).ConfigureAwait(false);
        }
    }

    private static async Task WriteFailureAsync(Check failure, TextWriter writer)
    {
        var where = string.Join(": ", new[] { failure.Source, failure.Location }.Where(s => !string.IsNullOrEmpty(s)));
        var code = failure.Code is { } c ? c.Format() + " " : "";
        await writer.WriteLineAsync($"    {code}{failure.Name}: {(where.Length > 0 ? where + ": " : "")}{failure.Message}").ConfigureAwait(false);
        if (failure.Expected is not null)
        {
            await writer.WriteLineAsync($"      expected: {failure.Expected}").ConfigureAwait(false);
        }

        if (failure.Actual is not null)
        {
            await writer.WriteLineAsync($"      found:    {failure.Actual}").ConfigureAwait(false);
        }
    }
}
