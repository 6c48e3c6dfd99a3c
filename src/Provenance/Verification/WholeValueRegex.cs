using System.Text.RegularExpressions;

namespace Provenance.Verification;

/// <summary>
/// The one way user-given regular expressions are compiled and matched: against the whole value (\A(?:…)\z, so
/// alternation cannot escape the anchors and '$' cannot let a final new line through), on the non-backtracking
/// engine (linear in the input, so a hostile value costs little), and a timeout counts as no match.
/// </summary>
internal static class WholeValueRegex
{
    /// <summary>
    /// How long one match may take before it counts as no match. Matching is linear in the input, so this only
    /// bounds the engine's first-use set-up on a loaded machine; it is no tuning knob.
    /// </summary>
    public static readonly TimeSpan MatchTimeout = TimeSpan.FromSeconds(2);

    /// <exception cref="ArgumentException">Not a valid pattern, or one that needs backtracking (backreferences, lookarounds).</exception>
    public static Regex Create(string pattern, string parameter)
    {
        try
        {
            return new Regex(@"\A(?:" + pattern + @")\z", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking, MatchTimeout);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"\"{pattern}\" is not a valid regular expression: {e.Message}", parameter, e);
        }
        catch (NotSupportedException e)
        {
            throw new ArgumentException($"\"{pattern}\" uses a construct that is not accepted (backreferences, lookarounds): {e.Message}", parameter, e);
        }
    }

    public static bool IsMatch(Regex regex, string value)
    {
        try
        {
            return regex.IsMatch(value);
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }

    /// <summary>The pattern as the user gave it.</summary>
    public static string Pattern(Regex regex) => regex.ToString()[5..^3];
}
