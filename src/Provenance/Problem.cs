namespace Provenance;

/// <summary>
/// What was wrong with an input, where, and what to do: the unit of every user-visible failure.
/// </summary>
/// <param name="Code">The stable diagnostic code.</param>
/// <param name="Message">What was wrong, in one sentence, with the remedy where there is one.</param>
/// <param name="Location">Where: a file, a JSON path (<c>$.signatures[0].sig</c>), a line, or several joined by a colon.</param>
public sealed record Problem(DiagnosticCode Code, string Message, string? Location = null)
{
    /// <inheritdoc />
    public override string ToString() =>
        Location is null ? $"{Code.Format()}: {Message}" : $"{Code.Format()}: {Location}: {Message}";

    /// <summary>The same problem, located inside <paramref name="outer"/> (for example a file and a line).</summary>
    public Problem Within(string outer) =>
        this with { Location = Location is null ? outer : outer + ": " + Location };
}

/// <summary>
/// Raised inside parsers when untrusted input is malformed; always caught at the library's boundary and
/// turned into a failed result, never seen by callers.
/// </summary>
internal sealed class InvalidInputException(Problem problem) : Exception(problem.ToString())
{
    public Problem Problem { get; } = problem;

    public static InvalidInputException At(DiagnosticCode code, string location, string message) =>
        new(new Problem(code, message, location));
}
