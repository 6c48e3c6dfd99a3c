using Provenance.Attestations;

namespace Provenance.Tests.Attestations;

/// <summary>RFC 3339 section 5.6 date-time; the valid forms are the RFC's own section 5.8 examples.</summary>
public sealed class Rfc3339Tests
{
    [Theory]
    [InlineData("1985-04-12T23:20:50.52Z", "1985-04-12T23:20:50.5200000+00:00")]
    [InlineData("1996-12-19T16:39:57-08:00", "1996-12-19T16:39:57.0000000-08:00")]
    [InlineData("1937-01-01T12:00:27.87+00:20", "1937-01-01T12:00:27.8700000+00:20")]
    [InlineData("1996-12-19t16:39:57z", "1996-12-19T16:39:57.0000000+00:00")] // section 5.6 NOTE: lowercase t and z
    public void Rfc_examples(string text, string expected)
    {
        Assert.True(Rfc3339.TryParse(text, out var value));
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), value);
        Assert.Equal(expected, value.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("1990-12-31T23:59:60Z")] // RFC 5.8's leap second: DateTimeOffset cannot hold it
    [InlineData("1985-04-12")]
    [InlineData("1985-04-12T23:20Z")]
    [InlineData("1985-04-12T23:20:50+0100")]
    [InlineData("1985-04-12T24:00:00Z")]
    [InlineData("1985-13-12T23:20:50Z")]
    [InlineData("1985-04-12T23:20:50+15:00")]
    [InlineData("+1985-04-12T23:20:50Z")]
    [InlineData(" 1985-04-12T23:20:50Z")]
    [InlineData("1985-04-12T23:20:50Z ")]
    [InlineData("0000-01-01T00:00:00Z")]
    public void Refused(string text) => Assert.False(Rfc3339.TryParse(text, out _));
}
