using System.Text.Json.Serialization;

namespace Provenance.GitHub;

/// <summary>The error body of the GitHub REST API; only the message is shown, the rest is ignored.</summary>
internal sealed record GitHubErrorBody([property: JsonPropertyName("message")] string? Message);

/// <summary>A release, as far as downloading its assets needs.</summary>
internal sealed record GitHubReleaseBody([property: JsonPropertyName("assets")] IReadOnlyList<GitHubReleaseAsset>? Assets);

/// <summary>A release asset: its name, declared size and API URL (<c>Accept: application/octet-stream</c> downloads it).</summary>
internal sealed record GitHubReleaseAsset(
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("size")] long Size,
    [property: JsonPropertyName("url")] string? Url);

[JsonSerializable(typeof(GitHubErrorBody))]
[JsonSerializable(typeof(GitHubReleaseBody))]
[JsonSourceGenerationOptions(MaxDepth = 16)]
internal sealed partial class GitHubJsonContext : JsonSerializerContext;
