using Provenance.Policy;

namespace Provenance.Tests.Policy;

/// <summary>Expected orderings are semver.org 2.0.0 section 11's own examples; ranges follow npm's simple forms.</summary>
public sealed class SemVerTests
{
    [Theory]
    [InlineData(">=1.2.0 <2", "v1.2.0", true)]
    [InlineData(">=1.2.0 <2", "1.9.9", true)]
    [InlineData(">=1.2.0 <2", "2.0.0", false)]
    [InlineData(">=1.2.0 <2", "1.1.9", false)]
    [InlineData(">=1.2.0 <2", "2.0.0-rc.1", false)]
    [InlineData(">=1.2.0 <2", "1.3.0-rc.1", false)]
    [InlineData(">=1.3.0-rc.0 <2", "1.3.0-rc.1", true)]
    [InlineData("1.2.3", "v1.2.3", true)]
    [InlineData("<1 || >=3", "0.9.0", true)]
    [InlineData("<1 || >=3", "2.0.0", false)]
    [InlineData(">=1.0.0", "1.0", false)]
    [InlineData(">=1.0.0", "v01.0.0", false)]
    [InlineData(">=1.0.0", "1.0.0\n", false)]
    // A source ref is a version when it is a tag: the policy sketch's sourceRef: { semver: ">=1.2.0 <2" }.
    [InlineData(">=1.2.0 <2", "refs/tags/v1.4.0", true)]
    [InlineData(">=1.2.0 <2", "refs/tags/v2.0.0", false)]
    [InlineData(">=1.2.0 <2", "refs/heads/v1.4.0", false)]
    public void Versions_in_ranges(string range, string version, bool expected)
    {
        Assert.Equal(expected, StringMatcher.InVersionRange(range).Matches(version));
    }

    [Fact]
    public void Pre_releases_order_as_the_specification_lists_them()
    {
        string[] ordered = ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0"];
        for (var i = 0; i + 1 < ordered.Length; i++)
        {
            Assert.True(SemVer.TryParse(ordered[i], out var lower));
            Assert.True(SemVer.TryParse(ordered[i + 1], out var higher));
            Assert.True(lower.CompareTo(higher) < 0, $"{ordered[i]} < {ordered[i + 1]}");
            Assert.True(higher.CompareTo(lower) > 0, $"{ordered[i + 1]} > {ordered[i]}");
        }
    }

    [Theory]
    [InlineData("~1.2")]
    [InlineData("^1.2.0")]
    [InlineData(">=1.2.0 ||")]
    [InlineData("")]
    public void Unsupported_ranges_are_refused(string range)
    {
        Assert.Throws<ArgumentException>(() => StringMatcher.InVersionRange(range));
    }
}
