using System.Text.Json.Serialization;

namespace Provenance.GitHub;

/// <summary>The error body of the GitHub REST API; only the message is shown, the rest is ignored.</summary>
internal sealed record GitHubErrorBody([property: JsonPropertyName("message")] string? Message);

[JsonSerializable(typeof(GitHubErrorBody))]
[JsonSourceGenerationOptions(MaxDepth = 16)]
internal sealed partial class GitHubJsonContext : JsonSerializerContext;
