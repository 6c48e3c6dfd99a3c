using Provenance.Verification;

namespace Provenance.Cli.Reports;

/// <summary>The report for people: per artifact, the verdict, who signed what, or exactly why not.</summary>
internal static class TextReport
{
    public static async Task WriteAsync(IReadOnlyList<VerificationResult> results, TextWriter writer)
    {
        foreach (var result in results)
        {
            await writer.WriteAsync(Render(result)).ConfigureAwait(false);
        }
    }

    /// <summary>Writes each artifact's part (from <see cref="Render"/>) as it comes: a batch of any size in the memory of one part.</summary>
    public static async Task WriteAsync(IAsyncEnumerable<string> artifacts, TextWriter writer)
    {
        await foreach (var rendered in artifacts.ConfigureAwait(false))
        {
            await writer.WriteAsync(rendered).ConfigureAwait(false);
        }
    }

    /// <summary>One artifact's part of the report, made apart from the others so that many can be made at once.</summary>
    public static string Render(VerificationResult result)
    {
        using var writer = new StringWriter(System.Globalization.CultureInfo.InvariantCulture);
        Write(result, writer);
        return writer.ToString();
    }

    private static void Write(VerificationResult result, TextWriter writer)
    {
        var digest = result.Digests.IsDefaultOrEmpty ? "" : $" ({result.Digests[0]})";
        writer.WriteLine($"{(result.Verified ? "VERIFIED" : "NOT VERIFIED")}: {result.Artifact}{digest}");
        foreach (var attestation in result.Attestations)
        {
            var what = attestation.Statement?.PredicateType ?? "signature over the artifact (Sigstore message signature)";
            writer.WriteLine($"  {attestation.Source}: {what}");
            foreach (var signer in attestation.Signers)
            {
                writer.WriteLine($"    signed by {signer}");
            }

            foreach (var time in attestation.Times)
            {
                writer.WriteLine($"    at {time.Time:yyyy-MM-ddTHH:mm:ssZ} ({time.Source})");
            }
        }

        var policyChecks = result.Checks.Where(c => c.Name == Policy.PolicyEvaluator.CheckName).ToList();
        if (policyChecks.Count > 0)
        {
            writer.WriteLine($"  policy: {policyChecks.Count(c => c.Passed)} of {policyChecks.Count} checks passed");
            WritePolicyTable(policyChecks, writer);
        }

        // When verified, failures of other attestations did not decide anything; show them only as notes.
        // Policy failures are in the table above.
        var failures = result.Failures.Where(c => c.Name != Policy.PolicyEvaluator.CheckName).ToList();
        if (failures.Count > 0)
        {
            writer.WriteLine(result.Verified ? "  Not counted:" : "  Failed checks:");
            foreach (var failure in failures)
            {
                WriteFailure(failure, writer);
            }
        }
    }

    /// <summary>Every policy check as a row: its verdict and code, the rule, what it expected and what it found.</summary>
    private static void WritePolicyTable(List<Check> checks, TextWriter writer)
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
        writer.WriteLine(Line("", "code", "check", "expected", "found"));
        foreach (var row in rows)
        {
            writer.WriteLine(Line(row.Verdict, row.Code, row.Rule, row.Expected, row.Found));
        }
    }

    private static void WriteFailure(Check failure, TextWriter writer)
    {
        var where = string.Join(": ", new[] { failure.Source, failure.Location }.Where(s => !string.IsNullOrEmpty(s)));
        var code = failure.Code is { } c ? c.Format() + " " : "";
        writer.WriteLine($"    {code}{failure.Name}: {(where.Length > 0 ? where + ": " : "")}{failure.Message}");
        if (failure.Expected is not null)
        {
            writer.WriteLine($"      expected: {failure.Expected}");
        }

        if (failure.Actual is not null)
        {
            writer.WriteLine($"      found:    {failure.Actual}");
        }
    }
}
