using System.Text;
using Provenance.Sources.Oci;
using Provenance.Testing;

namespace Provenance.Sources.Tests.Oci;

/// <summary>Credentials from a Docker config file as <c>docker login</c> writes it (auths: base64 of user:password).</summary>
public sealed class RegistryCredentialsTests
{
    private static readonly string Auth = Convert.ToBase64String(Encoding.UTF8.GetBytes("reader:pa:ss"));

    [Theory]
    [InlineData("registry.example:5000")]
    [InlineData("https://registry.example:5000")]
    [InlineData("https://registry.example:5000/v1/")]
    public void The_registry_s_auth_entry_gives_user_and_password(string key)
    {
        var config = $"{{\"auths\":{{\"other.example\":{{\"auth\":\"b3RoZXI6eA==\"}},\"{key}\":{{\"auth\":\"{Auth}\"}}}}}}";

        var (credential, problem) = RegistryCredentials.FromDockerConfig(Encoding.UTF8.GetBytes(config), "registry.example:5000", "config.json");

        Assert.Null(problem);
        Assert.Equal(new RegistryCredential("reader", "pa:ss"), credential);
        Assert.DoesNotContain("pa:ss", credential!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Docker_hub_images_use_the_credentials_docker_login_stored_for_docker_hub()
    {
        var config = $"{{\"auths\":{{\"https://index.docker.io/v1/\":{{\"auth\":\"{Auth}\"}}}}}}";

        var (credential, _) = RegistryCredentials.FromDockerConfig(Encoding.UTF8.GetBytes(config), "docker.io", "config.json");

        Assert.Equal("reader", credential!.Username);
    }

    [Fact]
    public void A_registry_without_an_entry_is_pulled_anonymously()
    {
        var (credential, problem) = RegistryCredentials.FromDockerConfig(
            Encoding.UTF8.GetBytes("{\"auths\":{},\"credsStore\":\"desktop\"}"), "registry.example", "config.json");

        Assert.Null(credential);
        Assert.Null(problem);
    }

    [Theory]
    [InlineData("{\"auths\":{\"registry.example\":{\"auth\":\"bm9jb2xvbg==\"}}}")]           // "nocolon"
    [InlineData("{\"auths\":{\"registry.example\":{\"auth\":\"not base64!\"}}}")]
    [InlineData("{\"auths\":{\"registry.example\":{}},\"auths\":{}}")]
    [InlineData("{\"auths\":[]}")]
    public void A_malformed_config_is_refused_with_its_code(string config)
    {
        var (credential, problem) = RegistryCredentials.FromDockerConfig(Encoding.UTF8.GetBytes(config), "registry.example", "config.json");

        Assert.Null(credential);
        Assert.Equal(DiagnosticCode.RegistryCredentialsInvalid, problem!.Code);
    }

    [Fact]
    public async Task Credentials_given_in_the_environment_win_and_a_missing_file_means_anonymous()
    {
        using var files = new TempDirectory();
        var path = files.Write("config.json", Encoding.UTF8.GetBytes($"{{\"auths\":{{\"registry.example\":{{\"auth\":\"{Auth}\"}}}}}}"));
        var given = new RegistryCredential("env-user", "env-pass");

        Assert.Equal(given, (await RegistryCredentials.FindAsync("registry.example", given, path, TestContext.Current.CancellationToken)).Credential);
        Assert.Equal("reader", (await RegistryCredentials.FindAsync("registry.example", null, path, TestContext.Current.CancellationToken)).Credential!.Username);
        Assert.Equal((null, null), await RegistryCredentials.FindAsync("registry.example", null, files.Path("absent.json"), TestContext.Current.CancellationToken));
    }
}
