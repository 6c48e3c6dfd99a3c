using System.Globalization;
using System.Text.Json;
using Provenance.Json;

namespace Provenance.Attestations;

/// <summary>
/// RFC 3339 section 5.6 <c>date-time</c>, read strictly: the full date, <c>T</c>, the full time with seconds, an
/// optional fraction of any length (builders write nanoseconds; digits past 100 ns are dropped) and a
/// mandatory <c>Z</c> or numeric offset. Lowercase <c>t</c>/<c>z</c> are allowed as section 5.6 notes. A leap
/// second (<c>:60</c>) is refused because <see cref="DateTimeOffset"/> cannot hold it.
/// </summary>
internal static class Rfc3339
{
    public static DateTimeOffset? OptionalTimestamp(JsonElement obj, string name, string path)
    {
        if (StrictJson.OptionalString(obj, name, path) is not { } text)
        {
            return null;
        }

        return TryParse(text, out var value)
            ? value
            : throw InvalidInputException.At(DiagnosticCode.InvalidField, StrictJson.Child(path, name),
                $"\"{StrictJson.Printable(text)}\" is not an RFC 3339 date-time such as 2024-01-31T12:34:56Z");
    }

    /// <summary>The time in UTC to the second, as in 2024-01-31T12:34:56Z: how messages show verified times.</summary>
    public static string Format(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static bool TryParse(string text, out DateTimeOffset value)
    {
        value = default;
        var s = text.AsSpan();
        // yyyy-mm-ddThh:mm:ss is 19 characters, and at least "Z" follows.
        if (s.Length < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') || s[13] != ':' || s[16] != ':'
            || !Digits(s[..4], out var year) || !Digits(s[5..7], out var month) || !Digits(s[8..10], out var day)
            || !Digits(s[11..13], out var hour) || !Digits(s[14..16], out var minute) || !Digits(s[17..19], out var second))
        {
            return false;
        }

        var rest = s[19..];
        long fractionTicks = 0;
        if (rest[0] == '.')
        {
            var digits = rest[1..].IndexOfAnyExceptInRange('0', '9');
            if (digits <= 0)
            {
                return false;
            }

            var fraction = rest.Slice(1, digits);
            var scale = (long)TimeSpan.TicksPerSecond;
            foreach (var c in fraction[..Math.Min(7, fraction.Length)])
            {
                scale /= 10;
                fractionTicks += (c - '0') * scale;
            }

            rest = rest[(1 + digits)..];
        }

        TimeSpan offset;
        if (rest is ['Z' or 'z'])
        {
            offset = TimeSpan.Zero;
        }
        else if (rest.Length == 6 && rest[0] is '+' or '-' && rest[3] == ':'
            && Digits(rest[1..3], out var offsetHours) && Digits(rest[4..6], out var offsetMinutes)
            && offsetHours <= 23 && offsetMinutes <= 59)
        {
            offset = new TimeSpan(offsetHours, offsetMinutes, 0);
            if (rest[0] == '-')
            {
                offset = -offset;
            }
        }
        else
        {
            return false;
        }

        if (month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(Math.Max(year, 1), month)
            || hour > 23 || minute > 59 || second > 59 || year < 1)
        {
            return false;
        }

        if (offset.Duration() > TimeSpan.FromHours(14))
        {
            return false;
        }

        try
        {
            value = new DateTimeOffset(year, month, day, hour, minute, second, offset).AddTicks(fractionTicks);
            return true;
        }
        catch (ArgumentOutOfRangeException)
        {
            // The instant falls outside years 1 to 9999 once the offset is applied.
            return false;
        }
    }

    private static bool Digits(ReadOnlySpan<char> s, out int value)
    {
        value = 0;
        return s.IndexOfAnyExceptInRange('0', '9') < 0
            && int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }
}
