using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Provenance.Testing;

/// <summary>A TUF signing key made in the test: its signer, its key id and its metadata form.</summary>
public sealed record TestTufKey(TestSigner Signer, string KeyId, JsonObject Metadata)
{
    /// <summary>Makes a fresh key of <paramref name="algorithm"/>: ecdsa-p256-sha256, ed25519 or rsa-pss-sha256.</summary>
    public static TestTufKey Create(string algorithm = "ecdsa-p256-sha256")
    {
        var signer = TestSigner.Create(algorithm);
        var metadata = algorithm switch
        {
            "ecdsa-p256-sha256" => Key("ecdsa", "ecdsa-sha2-nistp256", signer.PublicKeyPem),
            "ed25519" => Key("ed25519", "ed25519", Convert.ToHexStringLower(signer.PublicKeyDer.AsSpan(^32))),
            "rsa-pss-sha256" => Key("rsa", "rsassa-pss-sha256", signer.PublicKeyPem),
            _ => throw new ArgumentException($"No TUF key type for {algorithm}.", nameof(algorithm)),
        };
        // Section 4.2: the key id is the SHA-256 of the key's canonical JSON.
        var keyId = Convert.ToHexStringLower(SHA256.HashData(TestCanonicalJson.Encode(metadata)));
        return new TestTufKey(signer, keyId, metadata);
    }

    private static JsonObject Key(string keyType, string scheme, string publicValue) => new()
    {
        ["keytype"] = keyType,
        ["scheme"] = scheme,
        ["keyval"] = new JsonObject { ["public"] = publicValue },
    };
}

/// <summary>
/// OLPC canonical JSON of a <see cref="JsonNode"/>, written independently of the library's encoder so that the
/// signatures the tests make are not checked by the code that made their bytes: keys sorted by UTF-8 bytes, only
/// quote and backslash escaped, integers only.
/// </summary>
public static class TestCanonicalJson
{
    public static byte[] Encode(JsonNode? node)
    {
        var builder = new List<byte>();
        Append(node, builder);
        return [.. builder];
    }

    private static void Append(JsonNode? node, List<byte> output)
    {
        switch (node)
        {
            case null:
                output.AddRange("null"u8.ToArray());
                break;
            case JsonObject obj:
                output.Add((byte)'{');
                var first = true;
                foreach (var (key, value) in obj.OrderBy(p => Encoding.UTF8.GetBytes(p.Key), ByteOrder.Instance))
                {
                    if (!first)
                    {
                        output.Add((byte)',');
                    }

                    first = false;
                    AppendString(key, output);
                    output.Add((byte)':');
                    Append(value, output);
                }

                output.Add((byte)'}');
                break;
            case JsonArray array:
                output.Add((byte)'[');
                for (var i = 0; i < array.Count; i++)
                {
                    if (i > 0)
                    {
                        output.Add((byte)',');
                    }

                    Append(array[i], output);
                }

                output.Add((byte)']');
                break;
            case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                AppendString(value.GetValue<string>(), output);
                break;
            case JsonValue value when value.GetValueKind() == JsonValueKind.Number:
                output.AddRange(Encoding.ASCII.GetBytes(value.ToJsonString()));
                break;
            default:
                output.AddRange(Encoding.UTF8.GetBytes(node.ToJsonString()));
                break;
        }
    }

    private static void AppendString(string text, List<byte> output)
    {
        output.Add((byte)'"');
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            if (b is (byte)'"' or (byte)'\\')
            {
                output.Add((byte)'\\');
            }

            output.Add(b);
        }

        output.Add((byte)'"');
    }

    private sealed class ByteOrder : IComparer<byte[]>
    {
        public static readonly ByteOrder Instance = new();

        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }
}

/// <summary>
/// A TUF repository made by the test (TUF specification section 4): keys made here, metadata signed here, root
/// versions with key rotation, delegations, consistent snapshots; served from 127.0.0.1 by <see cref="Serve"/>.
/// <see cref="Publish"/> writes a new timestamp, snapshot and targets; <see cref="RotateRoot"/> a new root. Files
/// stay served after a newer version is published, so a test can replay an old one, and any path can be replaced
/// (<see cref="Files"/>) to play an attacker.
/// </summary>
public sealed class TestTufRepository : IDisposable
{
    public static readonly string[] TopLevelRoles = ["root", "timestamp", "snapshot", "targets"];

    private readonly string _algorithm;
    private readonly List<TestTufKey> _allKeys = [];

    public TestTufRepository(DateTimeOffset now, string algorithm = "ecdsa-p256-sha256", bool consistentSnapshot = true, int rootThreshold = 1)
    {
        (Now, _algorithm, ConsistentSnapshot) = (now, algorithm, consistentSnapshot);
        Expires = now.AddDays(30);
        foreach (var role in TopLevelRoles)
        {
            Thresholds[role] = role == "root" ? rootThreshold : 1;
            Keys[role] = [.. Enumerable.Range(0, Thresholds[role]).Select(_ => NewKey())];
        }

        RootVersion = 1;
        WriteRoot(signers: Keys["root"]);
    }

    public DateTimeOffset Now { get; }

    /// <summary>The expiry written into new metadata.</summary>
    public DateTimeOffset Expires { get; set; }

    public bool ConsistentSnapshot { get; }

    public Dictionary<string, List<TestTufKey>> Keys { get; } = [];

    public Dictionary<string, int> Thresholds { get; } = [];

    /// <summary>Top-level targets: path → content.</summary>
    public Dictionary<string, byte[]> Targets { get; } = new(StringComparer.Ordinal);

    /// <summary>Delegations of the top-level targets role, in search order.</summary>
    public List<TestDelegation> Delegations { get; } = [];

    /// <summary>Every served path (no leading slash) and its response.</summary>
    public ConcurrentDictionary<string, LoopbackResponse> Files { get; } = new(StringComparer.Ordinal);

    public long RootVersion { get; private set; }
    public long TimestampVersion { get; set; }
    public long SnapshotVersion { get; set; }
    public long TargetsVersion { get; set; }

    /// <summary>The version-1 root.json, the one a client trusts out of band.</summary>
    public byte[] InitialRoot => Files["1.root.json"].Body;

    /// <summary>The fixed clock of this repository's "now".</summary>
    public TimeProvider Clock => new FixedTimeProvider(Now);

    public TestTufKey NewKey()
    {
        var key = TestTufKey.Create(_algorithm);
        _allKeys.Add(key);
        return key;
    }

    /// <summary>Serves <see cref="Files"/>; anything else is 404, as for a root version not yet published.</summary>
    public LoopbackHttpServer Serve() =>
        LoopbackHttpServer.Start(request => Files.TryGetValue(Uri.UnescapeDataString(request.Path.TrimStart('/')), out var response)
            ? response
            : LoopbackResponse.Text(404));

    /// <summary>
    /// A new root version: the given roles get fresh keys; it is signed by the previous root's keys and the new
    /// root keys (section 5.3.4), unless <paramref name="signers"/> says otherwise.
    /// </summary>
    public void RotateRoot(IEnumerable<string> rotatedRoles, IEnumerable<TestTufKey>? signers = null)
    {
        var previousRootKeys = Keys["root"].ToList();
        foreach (var role in rotatedRoles)
        {
            Keys[role] = [.. Enumerable.Range(0, Thresholds[role]).Select(_ => NewKey())];
        }

        RootVersion++;
        WriteRoot(signers ?? previousRootKeys.Concat(Keys["root"]).Distinct());
    }

    public JsonObject RootSigned(long version)
    {
        var keys = new JsonObject();
        foreach (var key in Keys.Values.SelectMany(k => k).DistinctBy(k => k.KeyId))
        {
            keys[key.KeyId] = key.Metadata.DeepClone();
        }

        var roles = new JsonObject();
        foreach (var role in TopLevelRoles)
        {
            roles[role] = new JsonObject
            {
                ["keyids"] = new JsonArray([.. Keys[role].Select(k => (JsonNode)k.KeyId)]),
                ["threshold"] = Thresholds[role],
            };
        }

        return Common("root", version, new JsonObject
        {
            ["consistent_snapshot"] = ConsistentSnapshot,
            ["keys"] = keys,
            ["roles"] = roles,
        });
    }

    private void WriteRoot(IEnumerable<TestTufKey> signers) =>
        Put($"{RootVersion}.root.json", Sign(RootSigned(RootVersion), signers));

    /// <summary>Publishes new versions of every targets role, the snapshot and the timestamp, and the target files.</summary>
    public void Publish()
    {
        TargetsVersion++;
        var snapshotMeta = new JsonObject();
        var targets = Sign(TargetsSigned(TargetsVersion, Targets, Delegations), Keys["targets"]);
        snapshotMeta["targets.json"] = new JsonObject { ["version"] = TargetsVersion };
        Put(MetadataPath("targets", TargetsVersion), targets);
        foreach (var delegation in Delegations)
        {
            delegation.Version++;
            var bytes = Sign(TargetsSigned(delegation.Version, delegation.Targets, []), delegation.Keys);
            snapshotMeta[delegation.Name + ".json"] = new JsonObject { ["version"] = delegation.Version };
            Put(MetadataPath(delegation.Name, delegation.Version), bytes);
            PutTargets(delegation.Targets);
        }

        PutTargets(Targets);
        SnapshotVersion++;
        var snapshot = Sign(Common("snapshot", SnapshotVersion, new JsonObject { ["meta"] = snapshotMeta }), Keys["snapshot"]);
        Put(MetadataPath("snapshot", SnapshotVersion), snapshot);
        TimestampVersion++;
        Put("timestamp.json", Sign(TimestampSigned(TimestampVersion, SnapshotVersion, snapshot), Keys["timestamp"]));
    }

    public JsonObject TimestampSigned(long version, long snapshotVersion, byte[] snapshot) =>
        Common("timestamp", version, new JsonObject
        {
            ["meta"] = new JsonObject
            {
                ["snapshot.json"] = new JsonObject
                {
                    ["version"] = snapshotVersion,
                    ["length"] = snapshot.Length,
                    ["hashes"] = new JsonObject { ["sha256"] = Convert.ToHexStringLower(SHA256.HashData(snapshot)) },
                },
            },
        });

    public JsonObject TargetsSigned(long version, IReadOnlyDictionary<string, byte[]> targets, IEnumerable<TestDelegation> delegations)
    {
        var files = new JsonObject();
        foreach (var (name, content) in targets)
        {
            files[name] = TargetEntry(content);
        }

        var signed = Common("targets", version, new JsonObject { ["targets"] = files });
        var list = delegations.ToList();
        if (list.Count > 0)
        {
            var keys = new JsonObject();
            foreach (var key in list.SelectMany(d => d.Keys).DistinctBy(k => k.KeyId))
            {
                keys[key.KeyId] = key.Metadata.DeepClone();
            }

            var roles = new JsonArray();
            foreach (var delegation in list)
            {
                var role = new JsonObject
                {
                    ["name"] = delegation.Name,
                    ["keyids"] = new JsonArray([.. delegation.Keys.Select(k => (JsonNode)k.KeyId)]),
                    ["threshold"] = delegation.Threshold,
                    ["terminating"] = delegation.Terminating,
                };
                if (delegation.PathHashPrefixes is { } prefixes)
                {
                    role["path_hash_prefixes"] = new JsonArray([.. prefixes.Select(p => (JsonNode)p)]);
                }
                else
                {
                    role["paths"] = new JsonArray([.. delegation.Paths.Select(p => (JsonNode)p)]);
                }

                roles.Add(role);
            }

            signed["delegations"] = new JsonObject { ["keys"] = keys, ["roles"] = roles };
        }

        return signed;
    }

    public static JsonObject TargetEntry(byte[] content) => new()
    {
        ["length"] = content.Length,
        ["hashes"] = new JsonObject
        {
            ["sha256"] = Convert.ToHexStringLower(SHA256.HashData(content)),
            ["sha512"] = Convert.ToHexStringLower(SHA512.HashData(content)),
        },
    };

    /// <summary>The common signed fields (section 4.2) around a role's own.</summary>
    public JsonObject Common(string type, long version, JsonObject fields)
    {
        var signed = new JsonObject
        {
            ["_type"] = type,
            ["spec_version"] = "1.0.31",
            ["version"] = version,
            ["expires"] = Expires.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        };
        foreach (var (name, value) in fields.ToList())
        {
            fields.Remove(name);
            signed[name] = value;
        }

        return signed;
    }

    /// <summary>A metadata file: <paramref name="signedPart"/> with a signature by each signer over its canonical JSON.</summary>
    public static byte[] Sign(JsonObject signedPart, IEnumerable<TestTufKey> signers)
    {
        var canonical = TestCanonicalJson.Encode(signedPart);
        var signatures = new JsonArray();
        foreach (var signer in signers)
        {
            signatures.Add(new JsonObject { ["keyid"] = signer.KeyId, ["sig"] = Convert.ToHexStringLower(signer.Signer.Sign(canonical)) });
        }

        return Encoding.UTF8.GetBytes(new JsonObject { ["signatures"] = signatures, ["signed"] = signedPart }.ToJsonString());
    }

    /// <summary>Where the client fetches a role's metadata of a version (consistent snapshots prefix the version).</summary>
    public string MetadataPath(string role, long version) =>
        ConsistentSnapshot ? $"{version}.{role}.json" : $"{role}.json";

    /// <summary>Where the client fetches a target (consistent snapshots prefix its SHA-256).</summary>
    public string TargetPath(string name, byte[] content)
    {
        if (!ConsistentSnapshot)
        {
            return "targets/" + name;
        }

        var slash = name.LastIndexOf('/');
        return "targets/" + name[..(slash + 1)] + Convert.ToHexStringLower(SHA256.HashData(content)) + "." + name[(slash + 1)..];
    }

    public void Put(string path, byte[] body) => Files[path] = LoopbackResponse.Json(Encoding.UTF8.GetString(body));

    private void PutTargets(IReadOnlyDictionary<string, byte[]> targets)
    {
        foreach (var (name, content) in targets)
        {
            Files[TargetPath(name, content)] = LoopbackResponse.Bytes(content);
        }
    }

    public void Dispose()
    {
        foreach (var key in _allKeys)
        {
            key.Signer.Dispose();
        }
    }
}

/// <summary>A delegated targets role of a <see cref="TestTufRepository"/>.</summary>
public sealed class TestDelegation(string name, IReadOnlyList<TestTufKey> keys, IReadOnlyList<string> paths)
{
    public string Name { get; } = name;
    public IReadOnlyList<TestTufKey> Keys { get; } = keys;
    public IReadOnlyList<string> Paths { get; } = paths;
    public IReadOnlyList<string>? PathHashPrefixes { get; init; }
    public int Threshold { get; init; } = 1;
    public bool Terminating { get; init; }
    public long Version { get; set; }
    public Dictionary<string, byte[]> Targets { get; } = new(StringComparer.Ordinal);
}
