using System.Xml.Linq;
using Provenance.Testing;

namespace Provenance.GitHub.Tests;

/// <summary>Provenance.GitHub depends on the library alone: no package, and never the tool.</summary>
public sealed class ProjectReferenceTests
{
    [Fact]
    public void The_GitHub_source_references_only_the_library()
    {
        var project = XDocument.Load(Path.Combine(TestData.Root, "src", "Provenance.GitHub", "Provenance.GitHub.csproj"));

        var references = project.Descendants("ProjectReference").Select(r => r.Attribute("Include")!.Value.Replace('\\', '/')).ToList();

        Assert.Equal(["../Provenance/Provenance.csproj"], references);
        Assert.Empty(project.Descendants("PackageReference"));
    }
}
