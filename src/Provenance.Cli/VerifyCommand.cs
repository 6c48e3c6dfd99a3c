using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;

namespace Provenance.Cli;

/// <summary><c>provenance verify</c>: parsing only; <see cref="VerifyCommandRunner"/> does the work.</summary>
internal static class VerifyCommand
{
    public static Command Create(IServiceProvider services)
    {
        var artifacts = new Argument<string[]>("artifact")
        {
            Description = "Artifact files to verify, or their digests as sha256:HEX (sha384:, sha512:).",
            Arity = ArgumentArity.OneOrMore,
        };
        var attestations = new Option<string[]>("--attestation", "-a", "--bundle")
        {
            Description = "An attestation file: DSSE envelope, .intoto.jsonl, Sigstore bundle or Cloud Build provenance JSON. Repeatable.",
            Arity = ArgumentArity.OneOrMore,
            Required = true,
        };
        var keys = new Option<string[]>("--key")
        {
            Description = "A trusted public key (PEM or DER SubjectPublicKeyInfo). Repeatable.",
            Arity = ArgumentArity.OneOrMore,
            Required = true,
        };
        var keyAlgorithm = new Option<string?>("--key-algorithm")
        {
            Description = "The signature algorithm for the keys, e.g. rsa-pss-sha256 (default: from the key; RSA keys use PKCS#1 v1.5 SHA-256).",
        };
        var threshold = new Option<int>("--signature-threshold")
        {
            Description = "How many distinct trusted keys must have signed each envelope.",
            DefaultValueFactory = _ => 1,
        };
        var format = new Option<string>("--format")
        {
            Description = "Output format.",
            DefaultValueFactory = _ => "text",
        };
        format.AcceptOnlyFromAmong("text", "json");
        var outputPath = new Option<string?>("--output")
        {
            Description = "Write the report to this file instead of standard output.",
        };

        var command = new Command("verify", "Verify artifacts against attestations: signature, subject digest, statement.")
        {
            artifacts, attestations, keys, keyAlgorithm, threshold, format, outputPath,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            var request = new VerifyRequest(
                parse.GetValue(artifacts) ?? [],
                parse.GetValue(attestations) ?? [],
                parse.GetValue(keys) ?? [],
                parse.GetValue(keyAlgorithm),
                parse.GetValue(threshold),
                parse.GetValue(format) ?? "text",
                parse.GetValue(outputPath));
            return services.GetRequiredService<VerifyCommandRunner>().RunAsync(request, cancellationToken);
        });
        return command;
    }
}

/// <summary>The parsed arguments of <c>provenance verify</c>.</summary>
internal sealed record VerifyRequest(
    IReadOnlyList<string> Artifacts,
    IReadOnlyList<string> Attestations,
    IReadOnlyList<string> Keys,
    string? KeyAlgorithm,
    int SignatureThreshold,
    string Format,
    string? OutputPath);
