using Provenance.Verification;

namespace Provenance.Tests.Verification;

public sealed class CertificateIdentityTests
{
    private const string Release = "https://github.com/org/app/.github/workflows/release.yml@refs/tags/v1";
    private const string Actions = "https://token.actions.githubusercontent.com";

    [Theory]
    [InlineData(Release, true)]
    [InlineData("https://github.com/org/app/.github/workflows/release.yml@refs/heads/evil", false)]
    [InlineData("https://github.com/org/app/.github/workflows/release.yml.evil.yml@refs/tags/v1", false)]
    [InlineData(Release + "/extra", false)]
    [InlineData("x" + Release, false)]
    [InlineData("HTTPS://GITHUB.COM/ORG/APP/.GITHUB/WORKFLOWS/RELEASE.YML@REFS/TAGS/V1", false)]
    public void An_exact_identity_matches_only_itself(string san, bool expected)
    {
        var identity = CertificateIdentity.Create(Release, null, Actions, null);
        Assert.Equal(expected, identity.Matches([san], Actions));
    }

    [Theory]
    [InlineData(Release, true)]
    [InlineData("https://github.com/org/app/.github/workflows/release.yml@refs/tags/v1\n", false)]
    [InlineData("https://github.com/org/app/.github/workflows/release.yml@refs/heads/main", false)]
    [InlineData("https://github.com/org/app/.github/workflows/release.yml@refs/tags/v1/../../heads/x", false)]
    [InlineData("evil https://github.com/org/app/.github/workflows/release.yml@refs/tags/v1", false)]
    public void A_regex_must_match_the_whole_value(string san, bool expected)
    {
        var identity = CertificateIdentity.Create(null, @"https://github\.com/org/app/\.github/workflows/release\.yml@refs/tags/v[0-9]+", Actions, null);
        Assert.Equal(expected, identity.Matches([san], Actions));
    }

    [Fact]
    public void An_unanchored_looking_regex_is_still_anchored()
    {
        // "org/app" as a regex would match inside any value if it were searched rather than matched whole.
        var identity = CertificateIdentity.Create(null, "org/app", Actions, null);
        Assert.False(identity.Matches([Release], Actions));
        Assert.True(identity.Matches(["org/app"], Actions));
    }

    [Fact]
    public void Alternation_cannot_escape_the_anchors()
    {
        // Without the group, \A a|b \z would accept anything that merely starts with "a".
        var identity = CertificateIdentity.Create(null, "a|b", Actions, null);
        Assert.False(identity.Matches(["a-and-more"], Actions));
        Assert.True(identity.Matches(["b"], Actions));
    }

    [Theory]
    [InlineData(Actions, true)]
    [InlineData("https://token.actions.githubusercontent.com.evil.com", false)]
    [InlineData("https://accounts.google.com", false)]
    [InlineData(null, false)]
    public void The_issuer_must_match_too(string? issuer, bool expected)
    {
        var identity = CertificateIdentity.Create(Release, null, Actions, null);
        Assert.Equal(expected, identity.Matches([Release], issuer));
    }

    [Fact]
    public void An_email_identity_does_not_match_a_uri_with_the_same_text_inside()
    {
        var identity = CertificateIdentity.Create("alice@example.com", null, "https://accounts.example.com", null);
        Assert.True(identity.Matches(["alice@example.com"], "https://accounts.example.com"));
        Assert.False(identity.Matches(["mailto:alice@example.com"], "https://accounts.example.com"));
    }

    [Theory]
    [InlineData(null, null, Actions, null)]
    [InlineData(Release, "x", Actions, null)]
    [InlineData(Release, null, null, null)]
    [InlineData(Release, null, Actions, "y")]
    [InlineData("", null, Actions, null)]
    [InlineData(null, "(", Actions, null)]
    [InlineData(null, @"(a)\1", Actions, null)]
    public void Incomplete_or_contradictory_identities_are_refused(string? subject, string? subjectRegex, string? issuer, string? issuerRegex)
    {
        Assert.Throws<ArgumentException>(() => CertificateIdentity.Create(subject, subjectRegex, issuer, issuerRegex));
    }

    [Fact]
    public void Matching_time_is_linear_in_the_input()
    {
        // A pattern that backtracks exponentially in a backtracking engine; non-backtracking matching answers at once.
        var identity = CertificateIdentity.Create(null, "(a+)+b", Actions, null);
        Assert.False(identity.Matches([new string('a', 50_000) + "c"], Actions));
    }
}
