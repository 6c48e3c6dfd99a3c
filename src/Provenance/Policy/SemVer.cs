using System.Collections.Immutable;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Provenance.Policy;

/// <summary>
/// A semantic version (semver.org 2.0.0 section 2, 9 and 11) as release tags spell it: an optional leading "v",
/// MAJOR.MINOR.PATCH, an optional pre-release; build metadata is ignored for ordering, as the specification says.
/// </summary>
internal readonly partial record struct SemVer(long Major, long Minor, long Patch, string? PreRelease) : IComparable<SemVer>
{
    [GeneratedRegex(@"\Av?(?<major>0|[1-9][0-9]{0,8})\.(?<minor>0|[1-9][0-9]{0,8})\.(?<patch>0|[1-9][0-9]{0,8})(?:-(?<pre>[0-9A-Za-z.-]{1,64}))?(?:\+[0-9A-Za-z.-]{1,64})?\z")]
    private static partial Regex Full();

    [GeneratedRegex(@"\Av?(?<major>0|[1-9][0-9]{0,8})(?:\.(?<minor>0|[1-9][0-9]{0,8})(?:\.(?<patch>0|[1-9][0-9]{0,8}))?)?\z")]
    private static partial Regex Partial();

    /// <summary>Reads a full version, such as "v1.2.3" or "1.2.3-rc.1".</summary>
    public static bool TryParse(string text, out SemVer version)
    {
        var match = Full().Match(text);
        version = match.Success
            ? new SemVer(Number(match, "major"), Number(match, "minor"), Number(match, "patch"), match.Groups["pre"].Success ? match.Groups["pre"].Value : null)
            : default;
        return match.Success;
    }

    /// <summary>Reads a bound in a range, where "2" means "2.0.0" and "1.4" means "1.4.0".</summary>
    public static bool TryParseBound(string text, out SemVer version)
    {
        if (TryParse(text, out version))
        {
            return true;
        }

        var match = Partial().Match(text);
        version = match.Success ? new SemVer(Number(match, "major"), Number(match, "minor"), Number(match, "patch"), null) : default;
        return match.Success;
    }

    private static long Number(Match match, string group) =>
        match.Groups[group].Success ? long.Parse(match.Groups[group].Value, CultureInfo.InvariantCulture) : 0;

    public int CompareTo(SemVer other)
    {
        var byNumbers = (Major, Minor, Patch).CompareTo((other.Major, other.Minor, other.Patch));
        if (byNumbers != 0)
        {
            return byNumbers;
        }

        // A pre-release ranks below its release (section 11.3).
        if (PreRelease is null || other.PreRelease is null)
        {
            return (PreRelease is null ? 1 : 0) - (other.PreRelease is null ? 1 : 0);
        }

        var left = PreRelease.Split('.');
        var right = other.PreRelease.Split('.');
        for (var i = 0; i < Math.Min(left.Length, right.Length); i++)
        {
            var leftNumeric = long.TryParse(left[i], NumberStyles.None, CultureInfo.InvariantCulture, out var l);
            var rightNumeric = long.TryParse(right[i], NumberStyles.None, CultureInfo.InvariantCulture, out var r);
            var order = (leftNumeric, rightNumeric) switch
            {
                (true, true) => l.CompareTo(r),
                (true, false) => -1,
                (false, true) => 1,
                _ => string.CompareOrdinal(left[i], right[i]),
            };
            if (order != 0)
            {
                return order;
            }
        }

        return left.Length.CompareTo(right.Length);
    }

    public static bool operator <(SemVer a, SemVer b) => a.CompareTo(b) < 0;

    public static bool operator >(SemVer a, SemVer b) => a.CompareTo(b) > 0;

    public static bool operator <=(SemVer a, SemVer b) => a.CompareTo(b) <= 0;

    public static bool operator >=(SemVer a, SemVer b) => a.CompareTo(b) >= 0;
}

/// <summary>
/// A version range as npm spells the simple forms: comparators (&gt;=, &gt;, &lt;=, &lt;, =) joined by spaces (all must
/// hold), alternatives joined by "||". A pre-release version satisfies a range only when the range names a
/// pre-release of the same MAJOR.MINOR.PATCH, so "&gt;=1.2.0" never admits "2.0.0-rc.1" by accident.
/// </summary>
internal sealed record SemVerRange(ImmutableArray<ImmutableArray<(string Operator, SemVer Bound)>> Alternatives)
{
    private const int MaxComparators = 16;

    public static SemVerRange Parse(string text)
    {
        var alternatives = ImmutableArray.CreateBuilder<ImmutableArray<(string, SemVer)>>();
        var count = 0;
        foreach (var alternative in text.Split("||", StringSplitOptions.TrimEntries))
        {
            var comparators = ImmutableArray.CreateBuilder<(string, SemVer)>();
            foreach (var token in alternative.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                if (++count > MaxComparators)
                {
                    throw new ArgumentException($"A version range has at most {MaxComparators} comparators.", nameof(text));
                }

                var op = token.StartsWith(">=", StringComparison.Ordinal) || token.StartsWith("<=", StringComparison.Ordinal) ? token[..2]
                    : token[0] is '>' or '<' or '=' ? token[..1]
                    : "=";
                var bound = op == "=" && token[0] != '=' ? token : token[op.Length..];
                if (!SemVer.TryParseBound(bound, out var version))
                {
                    throw new ArgumentException($"\"{token}\" is not a version comparator such as >=1.2.0 or <2.", nameof(text));
                }

                comparators.Add((op, version));
            }

            if (comparators.Count == 0)
            {
                throw new ArgumentException("An empty alternative in a version range matches nothing.", nameof(text));
            }

            alternatives.Add(comparators.ToImmutable());
        }

        return new SemVerRange(alternatives.ToImmutable());
    }

    public bool Contains(SemVer version) => Alternatives.Any(comparators =>
        comparators.All(c => c.Operator switch
        {
            ">=" => version >= c.Bound,
            ">" => version > c.Bound,
            "<=" => version <= c.Bound,
            "<" => version < c.Bound,
            _ => version.CompareTo(c.Bound) == 0,
        })
        && (version.PreRelease is null || comparators.Any(c => c.Bound.PreRelease is not null
            && (c.Bound.Major, c.Bound.Minor, c.Bound.Patch) == (version.Major, version.Minor, version.Patch))));
}
