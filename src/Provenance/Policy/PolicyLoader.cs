using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Provenance.Sigstore;

namespace Provenance.Policy;

/// <summary>
/// Reads policies from YAML or JSON (policies/policy.schema.json describes the format). Strict: an unknown key is
/// an error (a misspelt constraint must not silently constrain nothing), parameters are declared and substituted
/// at load time (escaped inside regular expressions), and a policy whose requirements name no signer is refused
/// unless it says <c>unsafe: {allowAnySigner: true}</c>.
/// </summary>
public static partial class PolicyLoader
{

    /// <summary>The Fulcio extensions a signer constraint may name, as camelCase <see cref="FulcioExtensions"/> properties.</summary>
    public static readonly ImmutableArray<string> SignerExtensionNames =
    [
        "issuerV1", "gitHubWorkflowTrigger", "gitHubWorkflowSha", "gitHubWorkflowName", "gitHubWorkflowRepository", "gitHubWorkflowRef",
        "buildSignerUri", "buildSignerDigest", "runnerEnvironment", "sourceRepositoryUri", "sourceRepositoryDigest", "sourceRepositoryRef",
        "sourceRepositoryIdentifier", "sourceRepositoryOwnerUri", "sourceRepositoryOwnerIdentifier", "buildConfigUri", "buildConfigDigest",
        "buildTrigger", "runInvocationUri", "sourceRepositoryVisibilityAtSigning", "deploymentEnvironment",
    ];

    private static readonly ImmutableArray<string> SignerKeys = ["identity", "identityRegex", "issuer", "issuerRegex", "keyIds", .. SignerExtensionNames];

    [GeneratedRegex(@"\{\{\s*(?<name>[A-Za-z_][A-Za-z0-9_-]{0,63})\s*\}\}")]
    private static partial Regex Placeholder();

    /// <summary>Reads a policy from text; <paramref name="parameters"/> give values to its declared parameters.</summary>
    public static bool TryLoad(
        string text, string source, IReadOnlyDictionary<string, string> parameters, out PolicyDocument? policy, out Problem? problem)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(parameters);
        try
        {
            if (Encoding.UTF8.GetByteCount(text) > Limits.MaxPolicyBytes)
            {
                throw InvalidInputException.At(DiagnosticCode.InvalidPolicy, source, $"the policy is larger than {Limits.MaxPolicyBytes / 1024} KiB");
            }

            var root = YamlToJson.Read(text, source);
            policy = new Reader(source, root, parameters).Read();
            problem = null;
            return true;
        }
        catch (InvalidInputException e)
        {
            policy = null;
            problem = e.Problem.Code == DiagnosticCode.InvalidPolicy ? e.Problem : e.Problem with { Code = DiagnosticCode.InvalidPolicy };
            return false;
        }
    }

    /// <summary>Reads a policy file, bounded in size; every failure is a <see cref="Problem"/> at the path.</summary>
    public static async Task<(PolicyDocument? Policy, Problem? Problem)> LoadFileAsync(
        string path, IReadOnlyDictionary<string, string> parameters, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var (content, problem) = await BoundedFile.ReadAsync(path, Limits.MaxPolicyBytes, "policy", cancellationToken).ConfigureAwait(false);
        if (problem is not null)
        {
            return (null, problem);
        }

        return TryLoad(Encoding.UTF8.GetString(content), path, parameters, out var policy, out var loadProblem)
            ? (policy! with { Source = Verification.SummaryResource.FromContent(path, content) }, null)
            : (null, loadProblem);
    }

    private sealed class Reader(string source, JsonNode root, IReadOnlyDictionary<string, string> given)
    {
        private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

        private InvalidInputException Error(string path, string message) => InvalidInputException.At(DiagnosticCode.InvalidPolicy, $"{source}: {path}", message);

        public PolicyDocument Read()
        {
            var document = Object(root, "$", "name", "description", "parameters", "require", "unsafe");
            ReadParameters(document["parameters"], "$.parameters");
            var name = RequiredString(document, "name", "$");
            var description = document["description"] is { } d ? String(d, "$.description") : null;
            var allowAnySigner = false;
            if (document["unsafe"] is { } unsafeNode)
            {
                var unsafeObject = Object(unsafeNode, "$.unsafe", "allowAnySigner");
                allowAnySigner = unsafeObject["allowAnySigner"] is { } flag && Boolean(flag, "$.unsafe.allowAnySigner");
            }

            var requireNode = document["require"] ?? throw Error("$", "the policy has no \"require\" list: a policy that requires nothing would pass anything");
            var list = Array(requireNode, "$.require");
            if (list.Count == 0)
            {
                throw Error("$.require", "the policy requires nothing, so it would pass anything; add a requirement");
            }

            var requirements = ImmutableArray.CreateBuilder<Requirement>();
            for (var i = 0; i < list.Count; i++)
            {
                var requirement = ReadRequirement(list[i], $"$.require[{i}]");
                if (requirement.Signer is null && !allowAnySigner)
                {
                    throw Error($"$.require[{i}]", "the requirement names no signer, so anyone who can sign would satisfy it; add \"signer\" (or, to accept that, unsafe: {allowAnySigner: true})");
                }

                requirements.Add(requirement);
            }

            var unused = given.Keys.Where(k => !_values.ContainsKey(k)).ToList();
            if (unused.Count > 0)
            {
                throw Error("$.parameters", $"the policy declares no parameter \"{string.Join("\", \"", unused)}\"");
            }

            return new PolicyDocument(name, description, requirements.ToImmutable(), allowAnySigner);
        }

        private void ReadParameters(JsonNode? node, string path)
        {
            if (node is null)
            {
                return;
            }

            // A default may name other parameters ({{repository}}); they are resolved from given values only.
            var defaults = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (name, declaration) in Object(node, path))
            {
                var declarationPath = $"{path}.{name}";
                var spec = Object(declaration ?? new JsonObject(), declarationPath, "required", "default", "description");
                var required = spec["required"] is { } r && Boolean(r, declarationPath + ".required");
                var fallback = spec["default"] is { } f ? String(f, declarationPath + ".default") : null;
                if (given.TryGetValue(name, out var value))
                {
                    if (value.Length > Limits.MaxPolicyParameterLength || value.AsSpan().IndexOfAny('\n', '\r') >= 0)
                    {
                        throw Error(declarationPath, $"the value of parameter \"{name}\" is too long or spans lines");
                    }

                    _values[name] = value;
                }
                else if (fallback is not null)
                {
                    defaults[name] = fallback;
                }
                else if (required)
                {
                    throw Error(declarationPath, $"the policy needs the parameter \"{name}\": pass --param {name}=VALUE");
                }
            }

            foreach (var (name, fallback) in defaults)
            {
                _values[name] = Substitute(fallback, pattern: false);
            }
        }

        private Requirement ReadRequirement(JsonNode? node, string path)
        {
            var obj = Object(node, path, "predicateType", "signer", "provenance", "conditions");
            // One predicate type, or a list of them any of which is accepted.
            var predicateTypes = obj["predicateType"] is JsonArray types && types.Count > 0
                ? types.Select((t, i) => String(t, $"{path}.predicateType[{i}]")).ToList()
                : [RequiredString(obj, "predicateType", path)];
            var signer = obj["signer"] is { } s ? ReadSigner(s, path + ".signer") : null;
            var provenance = obj["provenance"] is { } p ? ReadProvenance(p, path + ".provenance") : null;
            var conditions = ImmutableArray.CreateBuilder<Condition>();
            if (obj["conditions"] is { } c)
            {
                var list = Array(c, path + ".conditions");
                for (var i = 0; i < list.Count; i++)
                {
                    conditions.Add(ReadCondition(list[i], $"{path}.conditions[{i}]", 0));
                }
            }

            return new Requirement(predicateTypes[0], signer, provenance, conditions.ToImmutable(), [.. predicateTypes.Skip(1)]);
        }

        private SignerConstraint ReadSigner(JsonNode node, string path)
        {
            var obj = Object(node, path, [.. SignerKeys]);
            var identity = ReadMatcherPair(obj, "identity", "identityRegex", path);
            var issuer = ReadMatcherPair(obj, "issuer", "issuerRegex", path);
            var keyIds = obj["keyIds"] is { } k ? Array(k, path + ".keyIds").Select((n, i) => Substitute(String(n!, $"{path}.keyIds[{i}]"), pattern: false)).ToImmutableArray() : [];
            var extensions = ImmutableSortedDictionary.CreateBuilder<string, StringMatcher>(StringComparer.Ordinal);
            foreach (var name in SignerExtensionNames)
            {
                if (obj[name] is { } value)
                {
                    extensions[name] = Matcher(value, $"{path}.{name}");
                }
            }

            if (identity is null && issuer is null && keyIds.IsEmpty && extensions.Count == 0)
            {
                throw Error(path, "the signer constraint constrains nothing; name keyIds, or an issuer and identity");
            }

            if (keyIds.IsEmpty && (identity is null || issuer is null))
            {
                throw Error(path, "a keyless signer needs both an identity (or identityRegex) and an issuer (or issuerRegex)");
            }

            return new SignerConstraint(identity, issuer, keyIds, extensions.ToImmutable());
        }

        private StringMatcher? ReadMatcherPair(JsonObject obj, string exact, string regex, string path)
        {
            if (obj[exact] is not null && obj[regex] is not null)
            {
                throw Error(path, $"give \"{exact}\" or \"{regex}\", not both");
            }

            return obj[exact] is { } e ? Matcher(e, $"{path}.{exact}")
                : obj[regex] is { } r ? Build(() => StringMatcher.Matching(Substitute(String(r, $"{path}.{regex}"), pattern: true)), $"{path}.{regex}")
                : null;
        }

        private ProvenanceConstraint ReadProvenance(JsonNode node, string path)
        {
            var obj = Object(node, path, "builderId", "buildType", "sourceUri", "sourceRef", "sourceCommit", "workflowPath", "workflowInputs", "maxAge");
            StringMatcher? M(string name) => obj[name] is { } value ? Matcher(value, $"{path}.{name}") : null;
            var inputs = ImmutableSortedDictionary.CreateBuilder<string, StringMatcher>(StringComparer.Ordinal);
            if (obj["workflowInputs"] is { } w)
            {
                foreach (var (name, value) in Object(w, path + ".workflowInputs"))
                {
                    inputs[name] = Matcher(value ?? throw Error($"{path}.workflowInputs.{name}", "a workflow input constraint cannot be null"), $"{path}.workflowInputs.{name}");
                }
            }

            TimeSpan? maxAge = obj["maxAge"] is { } a ? Duration(String(a, path + ".maxAge"), path + ".maxAge") : null;
            return new ProvenanceConstraint(M("builderId"), M("buildType"), M("sourceUri"), M("sourceRef"), M("sourceCommit"), M("workflowPath"), inputs.ToImmutable(), maxAge);
        }

        private Condition ReadCondition(JsonNode? node, string path, int depth)
        {
            if (depth > 16)
            {
                throw Error(path, "conditions are nested more than 16 deep");
            }

            var obj = Object(node, path, "field", "equals", "in", "startsWith", "matches", "semver", "exists", "absent", "all", "any", "not");
            if (obj["all"] is { } all)
            {
                Only(obj, path, "all");
                return Condition.All(Array(all, path + ".all").Select((c, i) => ReadCondition(c, $"{path}.all[{i}]", depth + 1)));
            }

            if (obj["any"] is { } any)
            {
                Only(obj, path, "any");
                return Condition.Any(Array(any, path + ".any").Select((c, i) => ReadCondition(c, $"{path}.any[{i}]", depth + 1)));
            }

            if (obj["not"] is { } not)
            {
                Only(obj, path, "not");
                return Condition.Not(ReadCondition(not, path + ".not", depth + 1));
            }

            var field = RequiredString(obj, "field", path);
            if (field.Length > 512 || field.Split('.').Any(part => part.Length == 0))
            {
                throw Error(path + ".field", "a field path is dot-separated names such as predicate.buildDefinition.buildType");
            }

            var tests = obj.Select(p => p.Key).Where(k => k != "field").ToList();
            if (tests.Count != 1)
            {
                throw Error(path, "a field condition has exactly one test: equals, in, startsWith, matches, semver, exists or absent");
            }

            return tests[0] switch
            {
                "exists" => Boolean(obj["exists"]!, path + ".exists") ? Condition.Exists(field) : Condition.Absent(field),
                "absent" => Boolean(obj["absent"]!, path + ".absent") ? Condition.Absent(field) : Condition.Exists(field),
                var test => Condition.FieldMatches(field, Matcher(new JsonObject { [test] = obj[test]!.DeepClone() }, path)),
            };
        }

        private void Only(JsonObject obj, string path, string key)
        {
            if (obj.Count != 1)
            {
                throw Error(path, $"\"{key}\" stands alone in its condition");
            }
        }

        private StringMatcher Matcher(JsonNode node, string path)
        {
            if (node is JsonValue)
            {
                return Build(() => StringMatcher.EqualTo(Substitute(String(node, path), pattern: false)), path);
            }

            var obj = Object(node, path, "equals", "in", "startsWith", "matches", "semver");
            if (obj.Count != 1)
            {
                throw Error(path, "a constraint is a string, or exactly one of equals, in, startsWith, matches, semver");
            }

            var (kind, value) = obj.First();
            var valuePath = $"{path}.{kind}";
            return kind switch
            {
                "in" => Build(() => StringMatcher.OneOf(Array(value!, valuePath).Select((v, i) => Substitute(String(v!, $"{valuePath}[{i}]"), pattern: false))), valuePath),
                "equals" => Build(() => StringMatcher.EqualTo(Substitute(String(value!, valuePath), pattern: false)), valuePath),
                "startsWith" => Build(() => StringMatcher.StartingWith(Substitute(String(value!, valuePath), pattern: false)), valuePath),
                "matches" => Build(() => StringMatcher.Matching(Substitute(String(value!, valuePath), pattern: true)), valuePath),
                _ => Build(() => StringMatcher.InVersionRange(Substitute(String(value!, valuePath), pattern: false)), valuePath),
            };
        }

        private StringMatcher Build(Func<StringMatcher> build, string path)
        {
            try
            {
                return build();
            }
            catch (ArgumentException e)
            {
                throw Error(path, e.Message.Split(" (Parameter", 2)[0]);
            }
        }

        /// <summary>Replaces {{name}} with the parameter's value; inside a regular expression the value is escaped.</summary>
        private string Substitute(string text, bool pattern) => Placeholder().Replace(text, match =>
        {
            var name = match.Groups["name"].Value;
            if (!_values.TryGetValue(name, out var value))
            {
                throw Error("$", $"\"{{{{{name}}}}}\" names no declared parameter with a value");
            }

            return pattern ? Regex.Escape(value) : value;
        });

        private static TimeSpan Duration(string text, string path)
        {
            // "30d", "12h", "90m", or an ISO 8601 duration understood by XmlConvert-like parsing is not needed here.
            if (text.Length >= 2 && long.TryParse(text[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var amount) && amount is > 0 and < 100_000)
            {
                switch (text[^1])
                {
                    case 'd': return TimeSpan.FromDays(amount);
                    case 'h': return TimeSpan.FromHours(amount);
                    case 'm': return TimeSpan.FromMinutes(amount);
                }
            }

            throw InvalidInputException.At(DiagnosticCode.InvalidPolicy, path, "a duration is a whole number followed by d, h or m, such as 30d");
        }

        private JsonObject Object(JsonNode? node, string path, params string[] allowed)
        {
            if (node is not JsonObject obj)
            {
                throw Error(path, "expected a mapping");
            }

            if (allowed.Length > 0 && obj.FirstOrDefault(p => !allowed.Contains(p.Key, StringComparer.Ordinal)) is { Key: { } unknown })
            {
                throw Error($"{path}.{unknown}", $"unknown key \"{unknown}\" (allowed here: {string.Join(", ", allowed)})");
            }

            return obj;
        }

        private JsonArray Array(JsonNode node, string path) =>
            node as JsonArray ?? throw Error(path, "expected a list");

        private string RequiredString(JsonObject obj, string key, string path) =>
            obj[key] is { } value ? String(value, $"{path}.{key}") : throw Error(path, $"\"{key}\" is required");

        private string String(JsonNode? node, string path) =>
            node is JsonValue value && value.GetValueKind() is JsonValueKind.String or JsonValueKind.Number && node.ToString() is { Length: > 0 } text
                ? text
                : throw Error(path, "expected a non-empty string");

        private bool Boolean(JsonNode node, string path) =>
            node is JsonValue value && value.GetValueKind() is JsonValueKind.True or JsonValueKind.False
                ? value.GetValue<bool>()
                : throw Error(path, "expected true or false");
    }
}
