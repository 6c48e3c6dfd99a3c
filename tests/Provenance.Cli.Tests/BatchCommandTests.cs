using System.Text.Json;
using Provenance.Testing;

namespace Provenance.Cli.Tests;

/// <summary><c>provenance verify --batch</c> with patterns the tool expands, and when progress is shown.</summary>
public sealed class BatchCommandTests : IDisposable
{
    // Ed25519 here, ECDSA in the library's batch tests: batch mode is not tied to one algorithm.
    private readonly TestSigner _signer = TestSigner.Create("ed25519");
    private readonly TempDirectory _temp = new();

    public void Dispose()
    {
        _temp.Dispose();
        _signer.Dispose();
    }

    private Task<CliRunner.Run> VerifyAsync(params string[] extra) =>
        CliRunner.InProcessAsync(["verify", "--batch", _temp.Path("*.bin"), "-a", _temp.Path("*.intoto.jsonl"),
            "--key", _temp.Path(BatchFixture.KeyFile), "--format", "json", .. extra]);

    [Fact]
    public async Task Patterns_expand_to_every_match_in_ordinal_order_and_each_artifact_verifies()
    {
        var names = BatchFixture.Write(_temp.Root, count: 12, _signer);

        var run = await VerifyAsync();

        Assert.Equal(0, run.ExitCode);
        using var report = JsonDocument.Parse(run.Output);
        var artifacts = report.RootElement.GetProperty("artifacts").EnumerateArray().Select(r => r.GetProperty("artifact").GetString()).ToList();
        Assert.Equal(names.Select(_temp.Path).Order(StringComparer.Ordinal), artifacts);
        Assert.Equal("", run.Error);
    }

    [Fact]
    public async Task An_artifact_no_attestation_names_fails_the_run_with_the_subject_code()
    {
        BatchFixture.Write(_temp.Root, count: 12, _signer);
        _temp.Write("extra.bin", [1, 2, 3]);

        var run = await VerifyAsync();

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("PV4001", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_streamed_json_report_gives_the_overall_verdict_after_every_artifact()
    {
        var names = BatchFixture.Write(_temp.Root, count: 40, _signer);
        // One artifact in the middle no longer matches its attestation.
        _temp.Write(names[20], [9, 9, 9]);

        var run = await VerifyAsync();

        Assert.Equal(1, run.ExitCode);
        using var report = JsonDocument.Parse(run.Output);
        var root = report.RootElement;
        Assert.Equal(["mediaType", "artifacts", "verified"], root.EnumerateObject().Select(p => p.Name));
        Assert.False(root.GetProperty("verified").GetBoolean());
        var verdicts = root.GetProperty("artifacts").EnumerateArray()
            .ToDictionary(a => a.GetProperty("artifact").GetString()!, a => a.GetProperty("verified").GetBoolean());
        Assert.Equal(names.Select(_temp.Path).Order(StringComparer.Ordinal), verdicts.Keys);
        Assert.Equal(names.Select(n => n != names[20]).Order(), verdicts.Values.Order());
        Assert.False(verdicts[_temp.Path(names[20])]);
    }

    /// <summary>Each artifact's part is made on its own, in parallel; together they must be laid out as one serializer would lay out the whole document.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    public async Task The_json_report_made_in_parts_is_laid_out_as_one_document(int count)
    {
        BatchFixture.Write(_temp.Root, count, _signer);
        _temp.Write("extra.bin", [1, 2, 3]);

        var run = await VerifyAsync();

        var relaidOut = System.Text.Json.Nodes.JsonNode.Parse(run.Output)!.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
        Assert.Equal(relaidOut + Environment.NewLine, run.Output);
    }

    [Fact]
    public async Task A_summary_file_that_cannot_be_created_stops_the_run_before_any_verification()
    {
        BatchFixture.Write(_temp.Root, count: 3, _signer);
        var unwritable = _temp.Path(Path.Combine("no-such-folder", "summaries.jsonl"));

        var run = await VerifyAsync("--vsa", unwritable);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("choose a writable --vsa path", run.Error, StringComparison.Ordinal);
        Assert.Equal("", run.Output);
    }

    [Fact]
    public async Task Summaries_are_written_for_every_artifact_of_a_streamed_batch()
    {
        var names = BatchFixture.Write(_temp.Root, count: 30, _signer);
        var summaries = _temp.Path("summaries.jsonl");

        var run = await VerifyAsync("--vsa", summaries);

        Assert.Equal(0, run.ExitCode);
        var subjects = File.ReadAllLines(summaries)
            .Select(line => JsonDocument.Parse(line).RootElement.GetProperty("subject")[0].GetProperty("name").GetString())
            .ToList();
        Assert.Equal(names.Order(StringComparer.Ordinal), subjects);
    }

    /// <summary>
    /// An attestation given as <c>&lt;(command)</c> is a pipe that gives its bytes once: the tool must read it once,
    /// although a batch reads other attestation files twice (once for their subjects, once to verify them).
    /// </summary>
    [Theory(Timeout = 30_000)]
    [InlineData(true)]
    [InlineData(false)]
    public async Task An_attestation_from_a_pipe_is_read_once_and_verified(bool batch)
    {
        var names = BatchFixture.Write(_temp.Root, count: 3, _signer);
        var attestation = File.ReadAllBytes(_temp.Path(names[1] + ".intoto.jsonl"));
        File.Delete(_temp.Path(names[1] + ".intoto.jsonl"));
        var written = Fifo.Serve(_temp.Path("piped"), attestation);

        var run = await CliRunner.InProcessAsync(["verify", .. batch ? new[] { "--batch" } : [], _temp.Path(names[1]), "-a", _temp.Path("piped"),
            "--key", _temp.Path(BatchFixture.KeyFile), "--format", "json"]);

        await written.WaitAsync(TestContext.Current.CancellationToken);
        Assert.True(run.ExitCode == 0, run.Output + run.Error);
    }

    [Fact]
    public async Task A_pattern_that_matches_nothing_is_a_usage_error()
    {
        BatchFixture.Write(_temp.Root, 1, _signer);

        var run = await CliRunner.InProcessAsync("verify", "--batch", _temp.Path("*.tar.gz"), "-a", _temp.Path("*.intoto.jsonl"),
            "--key", _temp.Path(BatchFixture.KeyFile));

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("PV1001", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false, false, null, null, null, true)]
    [InlineData(false, false, null, null, "text", true)]
    [InlineData(true, false, null, null, null, false)] // stderr is a file or a pipe
    [InlineData(false, true, null, null, null, false)] // the report streams to the terminal: its lines are the progress
    [InlineData(false, false, "true", null, null, false)] // CI
    [InlineData(false, false, null, "true", null, false)] // GitHub Actions
    [InlineData(false, false, null, null, "json", false)] // a machine reads the output
    [InlineData(false, false, null, null, "github", false)]
    public void Progress_is_shown_only_to_a_person_at_a_terminal(bool redirected, bool reportOnTerminal, string? ci, string? actions, string? format, bool shown)
    {
        Assert.Equal(shown, ProgressDisplay.ShouldShow(redirected, reportOnTerminal, ci, actions, format));
    }

    [Fact]
    public void The_progress_line_ends_with_the_total()
    {
        using var error = new StringWriter();
        var line = new ProgressLine(error, quietFor: TimeSpan.Zero);

        line.Report(new Verification.BatchProgress(1, 3, 1 << 20));
        line.Report(new Verification.BatchProgress(2, 3, 2 << 20));
        line.Report(new Verification.BatchProgress(3, 3, 3 << 20));

        Assert.EndsWith("\rverified 3/3 artifacts, 3 MiB hashed" + Environment.NewLine, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_run_that_ends_within_the_quiet_second_draws_nothing()
    {
        using var error = new StringWriter();
        var line = new ProgressLine(error);

        line.Report(new Verification.BatchProgress(0, 1, 1 << 20));
        line.Report(new Verification.BatchProgress(1, 1, 2 << 20));

        Assert.Equal("", error.ToString());
    }
}
