using Provenance.Sources;

namespace Provenance.Sources.Tests;

public sealed class SourceOriginTests
{
    [Fact]
    public void An_origin_reads_as_kind_and_location()
    {
        Assert.Equal("rekor:https://rekor.example/api/v1/log/entries/abc", new SourceOrigin("rekor", "https://rekor.example/api/v1/log/entries/abc").ToString());
    }
}
