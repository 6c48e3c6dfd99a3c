using System.Collections.Immutable;
using System.Text.RegularExpressions;
using Provenance.Verification;

namespace Provenance.Policy;

/// <summary>
/// One way a policy constrains a string: equal to a value, one of several, starting with a prefix, matching a
/// regular expression (always the whole value, non-backtracking, time-bounded), or a semantic version in a range.
/// A missing value never matches: a constraint on a field the attestation lacks fails.
/// </summary>
public sealed record StringMatcher
{
    private readonly Regex? _regex;

    private StringMatcher(string kind, ImmutableArray<string> values, Regex? regex, SemVerRange? range)
    {
        Kind = kind;
        Values = values;
        _regex = regex;
        Range = range;
    }

    /// <summary>equals, in, startsWith, matches or semver.</summary>
    public string Kind { get; }

    /// <summary>The values: one for equals, startsWith, matches and semver; several for in.</summary>
    public ImmutableArray<string> Values { get; }

    internal SemVerRange? Range { get; }

    /// <summary>Equal to <paramref name="value"/>, ordinal.</summary>
    public static StringMatcher EqualTo(string value) => new("equals", [Required(value)], null, null);

    /// <summary>One of <paramref name="values"/>, ordinal.</summary>
    public static StringMatcher OneOf(IEnumerable<string> values)
    {
        ImmutableArray<string> list = [.. values.Select(Required)];
        return list.IsEmpty ? throw new ArgumentException("An allow-list needs at least one value.", nameof(values)) : new("in", list, null, null);
    }

    /// <summary>Starting with <paramref name="prefix"/>, ordinal.</summary>
    public static StringMatcher StartingWith(string prefix) => new("startsWith", [Required(prefix)], null, null);

    /// <summary>Matching <paramref name="pattern"/> as a whole (anchored for you).</summary>
    /// <exception cref="ArgumentException">Not a valid pattern, or one that needs backtracking.</exception>
    public static StringMatcher Matching(string pattern)
    {
        Required(pattern);
        return new("matches", [pattern], WholeValueRegex.Create(pattern, nameof(pattern)), null);
    }

    /// <summary>A semantic version (an optional leading "v", then MAJOR.MINOR.PATCH) within <paramref name="range"/>, e.g. "&gt;=1.2.0 &lt;2".</summary>
    /// <exception cref="ArgumentException">Not a range this understands.</exception>
    public static StringMatcher InVersionRange(string range) =>
        new("semver", [Required(range)], null, SemVerRange.Parse(range));

    /// <summary>True when <paramref name="value"/> is present and satisfies the constraint.</summary>
    public bool Matches(string? value)
    {
        if (value is null)
        {
            return false;
        }

        switch (Kind)
        {
            case "equals":
                return string.Equals(value, Values[0], StringComparison.Ordinal);
            case "in":
                return Values.Contains(value, StringComparer.Ordinal);
            case "startsWith":
                return value.StartsWith(Values[0], StringComparison.Ordinal);
            case "matches":
                return WholeValueRegex.IsMatch(_regex!, value);

            default:
                // A versioned tag is checked on the tag's name, so a source ref "refs/tags/v1.2.3" is version v1.2.3.
                var tag = value.StartsWith("refs/tags/", StringComparison.Ordinal) ? value["refs/tags/".Length..] : value;
                return SemVer.TryParse(tag, out var version) && Range!.Contains(version);
        }
    }

    /// <inheritdoc />
    public override string ToString() => Kind switch
    {
        "equals" => Values[0],
        "in" => "one of " + string.Join(", ", Values),
        "startsWith" => "starting with " + Values[0],
        "matches" => "matching " + Values[0],
        _ => "a version in " + Values[0],
    };

    private static string Required(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value.Length == 0 ? throw new ArgumentException("A constraint's value cannot be empty.", nameof(value)) : value;
    }
}
