using System.Text;
using System.Text.Json.Nodes;
using Provenance.Testing;
using Provenance.Tuf;

namespace Provenance.Tests.Tuf;

/// <summary>
/// The root.json files Sigstore's public-good, staging and GitHub's TUF repositories publish (testdata/NOTICE names
/// where each was copied from) read and verify with their own root keys: real ECDSA signatures over real canonical
/// JSON, so the encoder and key handling agree with python-tuf, which made them.
/// </summary>
public sealed class RealTufRootTests
{
    public static TheoryData<string, long, int> Roots => new()
    {
        // Versions and thresholds as each file's signed.version and signed.roles.root.threshold state them.
        { "trusted-roots/public-good-production/sigstore-go_tuf_root.json", 14, 3 },
        { "trusted-roots/github/cli_tuf-repo.github.com_root.json", 3, 3 },
        { "trusted-roots/staging/sigstore-go_tuf_staging_root.json", 13, 2 },
    };

    [Theory]
    [MemberData(nameof(Roots))]
    public void A_published_root_meets_its_own_root_threshold(string file, long version, int threshold)
    {
        var root = (RootMetadata)TufMetadata.Parse(File.ReadAllBytes(TestData.RealWorld(file)), TufMetadata.RootType, file);

        Assert.Equal(version, root.Version);
        Assert.Equal(threshold, root.Role(TufMetadata.RootType).Threshold);
        Assert.True(TufKeys.CountValidSignatures(root, root.Keys, root.Role(TufMetadata.RootType)) >= threshold);
    }

    [Theory]
    [MemberData(nameof(Roots))]
    public void A_published_root_with_one_signed_field_changed_no_longer_verifies(string file, long version, int threshold)
    {
        var json = JsonNode.Parse(File.ReadAllBytes(TestData.RealWorld(file)))!;
        json["signed"]!["version"] = version + 1;
        var root = (RootMetadata)TufMetadata.Parse(Encoding.UTF8.GetBytes(json.ToJsonString()), TufMetadata.RootType, file);

        Assert.Equal(0, TufKeys.CountValidSignatures(root, root.Keys, root.Role(TufMetadata.RootType)));
        Assert.True(threshold > 0);
    }

    [Fact]
    public void The_embedded_initial_roots_are_the_published_files()
    {
        Assert.Equal(File.ReadAllBytes(TestData.RealWorld("trusted-roots/public-good-production/sigstore-go_tuf_root.json")), TufRepositories.PublicGood.InitialRoot.ToArray());
        Assert.Equal(File.ReadAllBytes(TestData.RealWorld("trusted-roots/github/cli_tuf-repo.github.com_root.json")), TufRepositories.GitHub.InitialRoot.ToArray());
        Assert.Same(TufRepositories.GitHub, TufRepositories.Known(new Uri("https://tuf-repo.github.com/")));
        Assert.Null(TufRepositories.Known(new Uri("https://example.com")));
    }
}
