using System.Text.Json;
using System.Text.RegularExpressions;
using Provenance.Cli.Reports;
using Provenance.Testing;
using YamlDotNet.RepresentationModel;

namespace Provenance.Cli.Tests;

/// <summary>
/// <c>--format github</c> and action.yml. Expected encodings come from the workflow-command spec
/// (https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-commands) and the runner's
/// <c>EscapeData</c> / <c>EscapeProperty</c> (actions/runner src/Runner.Common/ActionCommand.cs).
/// </summary>
public sealed partial class GitHubOutputTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static readonly string DemoArtifact = TestData.Path("demo/hello-1.0.0.txt");
    private static readonly string DemoAttestation = TestData.Path("demo/hello-1.0.0.intoto.jsonl");
    private static readonly string DemoKey = TestData.Path("demo/demo-key.pub");

    private Dictionary<string, string?> Actions() => new()
    {
        ["GITHUB_ACTIONS"] = "true",
        ["GITHUB_STEP_SUMMARY"] = _temp.Path("step_summary"),
        ["GITHUB_OUTPUT"] = _temp.Path("output"),
        ["RUNNER_TEMP"] = _temp.Root,
    };

    private Dictionary<string, string> Outputs() =>
        File.ReadAllLines(_temp.Path("output")).Select(l => l.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);

    [Fact]
    public async Task A_passing_artifact_in_actions_writes_summary_outputs_and_report_without_format()
    {
        File.WriteAllText(_temp.Path("step_summary"), "earlier step\n");
        var run = await CliRunner.InProcessAsync(Actions(), "verify", DemoArtifact, "-a", DemoAttestation, "--key", DemoKey);

        Assert.Equal(0, run.ExitCode);
        Assert.DoesNotContain("::error", run.Output, StringComparison.Ordinal);
        var summary = File.ReadAllText(_temp.Path("step_summary"));
        Assert.StartsWith("earlier step\n", summary, StringComparison.Ordinal); // appended, never replaced
        var row = summary.Split('\n').Single(l => l.StartsWith("| ✅ verified", StringComparison.Ordinal));
        Assert.Contains("hello-1.0.0.txt", row, StringComparison.Ordinal);
        Assert.Contains("SHA256:", row, StringComparison.Ordinal); // key id of the demo key
        // Source and builder as testdata/demo/regenerate.sh wrote them into the provenance.
        Assert.Contains("| git+https://github.com/example/hello@refs/tags/v1.0.0 |", row, StringComparison.Ordinal);
        Assert.Contains("| https://github.com/example/hello/.github/workflows/release.yml@refs/tags/v1.0.0 |", row, StringComparison.Ordinal);
        Assert.DoesNotContain("Failing checks", summary, StringComparison.Ordinal);

        var outputs = Outputs();
        Assert.Equal("true", outputs["verified"]);
        Assert.StartsWith(_temp.Root, outputs["report"], StringComparison.Ordinal);
        using var report = JsonDocument.Parse(File.ReadAllText(outputs["report"]));
        Assert.Equal(JsonReport.MediaType, report.RootElement.GetProperty("mediaType").GetString());
        Assert.True(report.RootElement.GetProperty("verified").GetBoolean());
    }

    [Fact]
    public async Task A_changed_artifact_writes_error_annotations_and_failing_checks_and_exits_1()
    {
        // A file name with '%', a newline, ':' and ',' exercises every escape of a title property.
        var changed = _temp.Write("50%,off:\nhello.txt", [.. File.ReadAllBytes(DemoArtifact), (byte)'\n']);
        var run = await CliRunner.InProcessAsync(Actions(), "verify", changed, "-a", DemoAttestation, "--key", DemoKey);

        Assert.Equal(1, run.ExitCode);
        var error = Assert.Single(run.Output.Split('\n'), l => l.StartsWith("::error ", StringComparison.Ordinal));
        Assert.StartsWith("::error title=PV4001 subject%3A ", error, StringComparison.Ordinal);
        Assert.Contains("50%25%2Coff%3A%0Ahello.txt::", error, StringComparison.Ordinal);
        Assert.DoesNotContain('\r', error);

        var summary = File.ReadAllText(_temp.Path("step_summary"));
        Assert.Contains("| ❌ not verified |", summary, StringComparison.Ordinal);
        Assert.Contains("50%,off:<br>hello.txt", summary, StringComparison.Ordinal);
        var failing = summary[summary.IndexOf("#### Failing checks", StringComparison.Ordinal)..];
        Assert.Contains("| PV4001 | subject |", failing, StringComparison.Ordinal);

        var outputs = Outputs();
        Assert.Equal("false", outputs["verified"]);
        using var report = JsonDocument.Parse(File.ReadAllText(outputs["report"]));
        Assert.False(report.RootElement.GetProperty("verified").GetBoolean());
    }

    [Fact]
    public async Task Format_text_wins_over_github_actions()
    {
        var run = await CliRunner.InProcessAsync(Actions(), "verify", DemoArtifact, "-a", DemoAttestation, "--key", DemoKey, "--format", "text");

        Assert.Equal(0, run.ExitCode);
        Assert.False(File.Exists(_temp.Path("step_summary")));
        Assert.False(File.Exists(_temp.Path("output")));
    }

    [Theory]
    [InlineData("100% sure", "100%25 sure")]
    [InlineData("line one\nline two", "line one%0Aline two")]
    [InlineData("a\r\nb", "a%0D%0Ab")]
    [InlineData("%0A is literal", "%250A is literal")]
    public void Messages_escape_percent_cr_and_lf(string message, string expected) =>
        Assert.Equal(expected, GitHubReport.EscapeData(message));

    [Fact]
    public void Properties_also_escape_colon_and_comma() =>
        Assert.Equal("PV4001 subject%3A a%2Cb%25%0A", GitHubReport.EscapeProperty("PV4001 subject: a,b%\n"));

    [Fact]
    public void An_output_with_a_line_break_uses_the_delimiter_form()
    {
        Assert.Equal("verified=true\n", GitHubReport.OutputLine("verified", "true"));
        var lines = GitHubReport.OutputLine("report", "/tmp/a\nb.json").Split('\n');
        Assert.StartsWith("report<<", lines[0], StringComparison.Ordinal);
        Assert.Equal(["/tmp/a", "b.json", lines[0]["report<<".Length..], ""], lines[1..]);
    }

    [Fact]
    public void Action_yml_parses_pins_actions_by_commit_and_keeps_inputs_out_of_scripts()
    {
        var path = Path.Combine(RepositoryRoot(), "action.yml");
        var yaml = new YamlStream();
        using (var reader = new StreamReader(path))
        {
            yaml.Load(reader);
        }

        var root = (YamlMappingNode)yaml.Documents[0].RootNode;
        var runs = (YamlMappingNode)root.Children["runs"];
        Assert.Equal("composite", runs.Children["using"].ToString());
        var inputs = ((YamlMappingNode)root.Children["inputs"]).Children.Keys.Select(k => k.ToString());
        Assert.Equal(["artifacts", "attestations", "repository", "owner", "token", "policy", "params", "keys", "trusted-root", "vsa", "vsa-key", "fail-on-error"], inputs);
        var outputs = ((YamlMappingNode)root.Children["outputs"]).Children.Keys.Select(k => k.ToString());
        Assert.Equal(["verified", "report", "vsa"], outputs);

        var steps = ((YamlSequenceNode)runs.Children["steps"]).Children.Cast<YamlMappingNode>().ToList();
        var uses = steps.Where(s => s.Children.ContainsKey("uses")).Select(s => s.Children["uses"].ToString()).ToList();
        Assert.NotEmpty(uses);
        Assert.All(uses, u => Assert.Matches(PinnedAction(), u));
        var scripts = steps.Where(s => s.Children.ContainsKey("run")).Select(s => s.Children["run"].ToString()).ToList();
        Assert.NotEmpty(scripts);
        Assert.All(scripts, s => Assert.DoesNotContain("${{", s, StringComparison.Ordinal));
    }

    [GeneratedRegex("^[A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+@[0-9a-f]{40}$")]
    private static partial Regex PinnedAction();

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Provenance.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new DirectoryNotFoundException("Provenance.sln above " + AppContext.BaseDirectory);
    }
}
