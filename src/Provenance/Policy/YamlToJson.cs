using System.Globalization;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Provenance.Policy;

/// <summary>
/// Reads a YAML document (JSON is YAML too) into a JSON tree, with the YAML 1.2 core schema for plain scalars and
/// nothing else: no aliases (they can multiply a small file into a huge one), no custom tags, one document,
/// no repeated keys, bounded depth.
/// </summary>
internal static class YamlToJson
{
    public static JsonNode Read(string text, string source)
    {
        var stream = new YamlStream();
        try
        {
            // The representation model loads nested collections by recursion, so deep nesting must be refused
            // before it: 100,000 '[' in a 200 KiB file overflowed the stack, which ends the process.
            RequireBoundedDepth(text, source);
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw InvalidInputException.At(DiagnosticCode.InvalidPolicy, $"{source}: line {e.Start.Line}", "not valid YAML: " + e.Message);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            // YamlDotNet throws these, not a YamlException, on some malformed input such as "\0: P" (found by fuzzing):
            // its scanner gets into an invalid state, or its loader meets an event it does not expect.
            throw InvalidInputException.At(DiagnosticCode.InvalidPolicy, source, "not valid YAML: the reader cannot scan it");
        }

        if (stream.Documents.Count != 1)
        {
            throw InvalidInputException.At(DiagnosticCode.InvalidPolicy, source, "a policy file holds exactly one YAML document");
        }

        return Convert(stream.Documents[0].RootNode, source, 0)
            ?? throw InvalidInputException.At(DiagnosticCode.InvalidPolicy, source, "the policy is empty");
    }

    /// <summary>One pass over the parser's events, which keeps its own stack: no recursion, whatever the input.</summary>
    private static void RequireBoundedDepth(string text, string source)
    {
        var parser = new Parser(new StringReader(text));
        var depth = 0;
        while (parser.MoveNext())
        {
            if (parser.Current is MappingStart or SequenceStart && ++depth > Limits.MaxJsonDepth)
            {
                throw InvalidInputException.At(DiagnosticCode.InvalidPolicy, $"{source}: line {parser.Current.Start.Line}",
                    $"nested deeper than {Limits.MaxJsonDepth} levels");
            }

            if (parser.Current is MappingEnd or SequenceEnd)
            {
                depth--;
            }
        }
    }

    private static JsonNode? Convert(YamlNode node, string source, int depth)
    {
        var where = $"{source}: line {node.Start.Line}";
        if (depth > Limits.MaxJsonDepth)
        {
            throw InvalidInputException.At(DiagnosticCode.InvalidPolicy, where, $"nested deeper than {Limits.MaxJsonDepth} levels");
        }

        if (!node.Tag.IsEmpty && !node.Tag.IsNonSpecific)
        {
            throw InvalidInputException.At(DiagnosticCode.InvalidPolicy, where, $"YAML tags such as {node.Tag} are not accepted in a policy");
        }

        switch (node)
        {
            case YamlMappingNode mapping:
                var obj = new JsonObject();
                foreach (var (keyNode, valueNode) in mapping.Children)
                {
                    if (keyNode is not YamlScalarNode { Value: { } key })
                    {
                        throw InvalidInputException.At(DiagnosticCode.InvalidPolicy, where, "a mapping key must be a plain string");
                    }

                    if (obj.ContainsKey(key))
                    {
                        throw InvalidInputException.At(DiagnosticCode.InvalidPolicy, $"{source}: line {keyNode.Start.Line}", $"the key \"{key}\" appears twice");
                    }

                    obj[key] = Convert(valueNode, source, depth + 1);
                }

                return obj;
            case YamlSequenceNode sequence:
                var array = new JsonArray();
                foreach (var item in sequence.Children)
                {
                    array.Add(Convert(item, source, depth + 1));
                }

                return array;
            case YamlScalarNode scalar:
                return Scalar(scalar);
            default:
                throw InvalidInputException.At(DiagnosticCode.InvalidPolicy, where, "YAML aliases and anchors are not accepted in a policy");
        }
    }

    /// <summary>YAML 1.2 core schema: only plain scalars can be null, booleans or numbers; quoted ones are strings.</summary>
    private static JsonValue? Scalar(YamlScalarNode scalar)
    {
        var value = scalar.Value ?? "";
        if (scalar.Style is not (ScalarStyle.Plain or ScalarStyle.Any))
        {
            return JsonValue.Create(value);
        }

        return value switch
        {
            "" or "~" or "null" or "Null" or "NULL" => null,
            "true" or "True" or "TRUE" => JsonValue.Create(true),
            "false" or "False" or "FALSE" => JsonValue.Create(false),
            _ when long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) => JsonValue.Create(number),
            _ => JsonValue.Create(value),
        };
    }
}
