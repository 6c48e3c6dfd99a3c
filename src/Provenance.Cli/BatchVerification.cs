using System.Diagnostics;
using System.Globalization;
using System.IO.Enumeration;
using Provenance.Policy;
using Provenance.Verification;

namespace Provenance.Cli;

/// <summary>
/// File name patterns on the command line (<c>'dist/*.tar.gz'</c>, quoted so the shell leaves them alone), expanded
/// by the tool: <c>*</c> and <c>?</c> in the last path segment, matches in ordinal order so output is the same
/// everywhere, counts bounded by <see cref="Limits.MaxBatchInputs"/>. A path that exists is taken as it is.
/// </summary>
internal static class InputPatterns
{
    public static bool IsPattern(string argument) => Path.GetFileName(argument).AsSpan().IndexOfAny('*', '?') >= 0;

    /// <summary>Each argument as a path, patterns replaced by their matches; problems (no match, too many) are added to <paramref name="problems"/>.</summary>
    public static List<string> Expand(IEnumerable<string> arguments, string what, List<Problem> problems)
    {
        var paths = new List<string>();
        foreach (var argument in arguments)
        {
            if (!IsPattern(argument) || File.Exists(argument))
            {
                paths.Add(argument);
            }
            else
            {
                var matches = Matches(argument, Limits.MaxBatchInputs + 1 - paths.Count);
                if (matches.Count == 0)
                {
                    problems.Add(new Problem(DiagnosticCode.InputNotFound, $"the {what} pattern matches no file; check the folder and the pattern", argument));
                }

                paths.AddRange(matches);
            }

            if (paths.Count > Limits.MaxBatchInputs)
            {
                problems.Add(new Problem(DiagnosticCode.InputTooLarge, string.Create(CultureInfo.InvariantCulture,
                    $"more than {Limits.MaxBatchInputs} {what} files were given; split the run into several invocations"), argument));
                return [];
            }
        }

        return paths;
    }

    private static List<string> Matches(string pattern, int limit)
    {
        var directory = Path.GetDirectoryName(pattern);
        var name = Path.GetFileName(pattern);
        var folder = string.IsNullOrEmpty(directory) ? "." : directory;
        if (!Directory.Exists(folder))
        {
            return [];
        }

        var found = new List<string>();
        foreach (var file in Directory.EnumerateFiles(folder))
        {
            if (FileSystemName.MatchesSimpleExpression(name, Path.GetFileName(file.AsSpan()), ignoreCase: false))
            {
                found.Add(string.IsNullOrEmpty(directory) ? Path.GetFileName(file) : file);
                if (found.Count >= limit)
                {
                    break;
                }
            }
        }

        found.Sort(StringComparer.Ordinal);
        return found;
    }
}

/// <summary>
/// Whether a long run reports its progress: only to a person watching a terminal. Never in CI (where logs would
/// fill with it), never when stderr is a file or pipe, never with JSON output (a machine is reading), and not when
/// the report itself streams to the terminal: its lines show the progress, and would break a line drawn under them.
/// </summary>
internal static class ProgressDisplay
{
    public static bool ShouldShow(bool errorRedirected, bool reportOnTerminal, string? ci, string? githubActions, string? format) =>
        !errorRedirected
        && !reportOnTerminal
        && string.IsNullOrEmpty(ci)
        && string.IsNullOrEmpty(githubActions)
        && format is null or "text";

    /// <summary>The decision for this process: its stdout, stderr and environment, and whether the report is written to stdout while the work goes on.</summary>
    public static bool ShouldShowHere(string? format, bool reportStreamsToStdout) =>
        ShouldShow(Console.IsErrorRedirected, reportStreamsToStdout && !Console.IsOutputRedirected,
            Environment.GetEnvironmentVariable("CI"), Environment.GetEnvironmentVariable("GITHUB_ACTIONS"), format);
}

/// <summary>
/// A progress line on stderr, rewritten in place at most a few times a second, and only once the run has taken a
/// second: a quick run leaves no trace.
/// </summary>
internal sealed class ProgressLine(TextWriter error, TimeSpan? quietFor = null) : IProgress<BatchProgress>
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);
    private readonly TimeSpan _quietFor = quietFor ?? TimeSpan.FromSeconds(1);
    private readonly Lock _lock = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private TimeSpan _last = -Interval;
    private bool _drawn;

    public void Report(BatchProgress value)
    {
        lock (_lock)
        {
            var now = _clock.Elapsed;
            var finished = value.Done == value.Total;
            if (finished ? !_drawn : now < _quietFor || now - _last < Interval)
            {
                return;
            }

            _last = now;
            _drawn = true;
            error.Write(string.Create(CultureInfo.InvariantCulture, $"\rverified {value.Done}/{value.Total} artifacts, {value.BytesHashed / (1024 * 1024)} MiB hashed"));
            if (finished)
            {
                error.WriteLine();
            }
        }
    }
}

/// <summary><c>provenance verify --batch</c>: every artifact against the attestations that name it, in parallel.</summary>
internal static class BatchVerification
{
    /// <summary>
    /// Each artifact's result as soon as it is ready, in input order, with the policy applied when there is one and
    /// then passed through <paramref name="select"/>, both on the thread that verified it.
    /// </summary>
    public static IAsyncEnumerable<T> VerifyEachAsync<T>(
        ProvenanceVerifier verifier,
        IReadOnlyList<ArtifactInput> artifacts,
        IReadOnlyList<AttestationInput> attestations,
        PolicyDocument? policy,
        Func<VerificationResult, T> select,
        bool showProgress,
        TextWriter error,
        CancellationToken cancellationToken)
    {
        var options = new BatchOptions { Progress = showProgress ? new ProgressLine(error) : null };
        return verifier.VerifyEachAsync(artifacts, attestations,
            result => select(policy is null ? result : PolicyVerification.Apply(policy, result)), options, cancellationToken);
    }
}
