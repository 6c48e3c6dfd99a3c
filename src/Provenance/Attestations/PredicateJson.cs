using System.Collections.Immutable;
using System.Text.Json;
using Provenance.Json;

namespace Provenance.Attestations;

/// <summary>Field readers shared by the predicate models, on top of <see cref="StrictJson"/>.</summary>
internal static class PredicateJson
{
    /// <summary>Most items any predicate array (materials, dependencies, levels) may hold.</summary>
    public const int MaxItems = Limits.MaxSubjects;

    /// <summary>The predicate itself, which must be an object for any typed view.</summary>
    public static JsonElement RequirePredicateObject(JsonElement predicate, string path, string predicateType)
    {
        if (predicate.ValueKind != JsonValueKind.Object)
        {
            throw InvalidInputException.At(
                predicate.ValueKind == JsonValueKind.Undefined ? DiagnosticCode.MissingField : DiagnosticCode.InvalidField, path,
                $"a {StrictJson.Printable(predicateType)} predicate must be a JSON object; found {StrictJson.Describe(predicate)}");
        }

        return predicate;
    }

    /// <summary>A required member that must be an object.</summary>
    public static JsonElement RequiredObject(JsonElement obj, string name, string path)
    {
        var value = StrictJson.Required(obj, name, path);
        StrictJson.RequireObject(value, StrictJson.Child(path, name));
        return value;
    }

    /// <summary>An optional member that must be an object when present; <see cref="JsonValueKind.Undefined"/> when absent.</summary>
    public static JsonElement OptionalObject(JsonElement obj, string name, string path)
    {
        if (StrictJson.Optional(obj, name) is not { } value)
        {
            return default;
        }

        StrictJson.RequireObject(value, StrictJson.Child(path, name));
        return value;
    }

    /// <summary>An optional member of any JSON type (parameters are free-form); <see cref="JsonValueKind.Undefined"/> when absent.</summary>
    public static JsonElement OptionalAny(JsonElement obj, string name) =>
        StrictJson.Optional(obj, name) ?? default;

    /// <summary>An optional boolean; null when absent.</summary>
    public static bool? OptionalBoolean(JsonElement obj, string name, string path) => StrictJson.Optional(obj, name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.True } => true,
        { ValueKind: JsonValueKind.False } => false,
        { } other => throw InvalidInputException.At(DiagnosticCode.InvalidField, StrictJson.Child(path, name),
            $"expected a boolean, found {StrictJson.Describe(other)}"),
    };

    /// <summary>An optional map of strings to strings (such as builder versions); empty when absent.</summary>
    public static ImmutableSortedDictionary<string, string> OptionalStringMap(JsonElement obj, string name, string path)
    {
        var map = OptionalObject(obj, name, path);
        if (map.ValueKind == JsonValueKind.Undefined)
        {
            return ImmutableSortedDictionary<string, string>.Empty.WithComparers(StringComparer.Ordinal);
        }

        var builder = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        var mapPath = StrictJson.Child(path, name);
        foreach (var property in map.EnumerateObject())
        {
            builder[property.Name] = StrictJson.AsString(property.Value, StrictJson.Child(mapPath, property.Name));
        }

        return builder.ToImmutable();
    }

    /// <summary>An optional array of strings; empty when absent.</summary>
    public static ImmutableArray<string> OptionalStringArray(JsonElement obj, string name, string path)
    {
        if (StrictJson.Optional(obj, name) is not { } array)
        {
            return [];
        }

        var arrayPath = StrictJson.Child(path, name);
        StrictJson.AsArray(array, arrayPath, MaxItems, DiagnosticCode.JsonTooLarge);
        var builder = ImmutableArray.CreateBuilder<string>(array.GetArrayLength());
        var index = 0;
        foreach (var item in array.EnumerateArray())
        {
            builder.Add(StrictJson.AsString(item, StrictJson.Index(arrayPath, index++)));
        }

        return builder.MoveToImmutable();
    }
}
