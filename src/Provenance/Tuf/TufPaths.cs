using System.Security.Cryptography;
using System.Text;

namespace Provenance.Tuf;

/// <summary>
/// Which delegations are trusted for a target path (TUF specification section 4.5 "paths" and
/// "path_hash_prefixes"): shell-style patterns matched segment by segment, where <c>*</c> and <c>?</c> never cross a
/// <c>/</c>, or prefixes of the hex SHA-256 of the path.
/// </summary>
internal static class TufPaths
{
    public static bool Matches(TufDelegatedRole role, string targetPath)
    {
        if (role.PathHashPrefixes is { } prefixes)
        {
            var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(targetPath)));
            return prefixes.Any(prefix => prefix.Length > 0 && hash.StartsWith(prefix, StringComparison.Ordinal));
        }

        return role.Paths is { } paths && paths.Any(pattern => MatchesPattern(pattern, targetPath));
    }

    public static bool MatchesPattern(string pattern, string targetPath)
    {
        var patternSegments = pattern.Split('/');
        var pathSegments = targetPath.Split('/');
        if (patternSegments.Length != pathSegments.Length)
        {
            return false;
        }

        for (var i = 0; i < patternSegments.Length; i++)
        {
            if (!MatchesSegment(patternSegments[i], pathSegments[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// <c>*</c> (any run of characters) and <c>?</c> (one character); every other character, <c>[</c> included, is
    /// literal. Iterative with one backtrack point, so a hostile pattern costs at most pattern × segment steps.
    /// </summary>
    private static bool MatchesSegment(string pattern, string text)
    {
        int p = 0, t = 0, star = -1, resume = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || pattern[p] == text[t]) && pattern[p] != '*')
            {
                p++;
                t++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                resume = t;
            }
            else if (star >= 0)
            {
                p = star + 1;
                t = ++resume;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }
}
