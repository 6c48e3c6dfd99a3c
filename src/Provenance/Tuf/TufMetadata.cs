using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using Provenance.Cryptography;
using Provenance.Json;

namespace Provenance.Tuf;

/// <summary>One signature of a metadata file (TUF specification section 4.2): the key id it claims and the bytes.</summary>
internal sealed record TufSignature(string KeyId, byte[] Signature);

/// <summary>
/// A key a role trusts (section 4.3 "keys"). <see cref="Key"/> is null for a key type or scheme this client cannot
/// check: its signatures then never count, which can only make a threshold harder to meet.
/// </summary>
internal sealed record TufKey(string KeyId, string Scheme, VerificationKey? Key);

/// <summary>The key ids a role trusts and how many of them must sign (section 4.3 "roles").</summary>
internal sealed record TufRoleKeys(ImmutableArray<string> KeyIds, int Threshold);

/// <summary>What a timestamp or snapshot says of another metadata file (section 4.4 and 4.5 METAFILES).</summary>
internal sealed record TufMetaFile(long Version, long? Length, ImmutableDictionary<string, byte[]> Hashes);

/// <summary>What a targets role says of a target file (section 4.5 TARGETS): its length and hashes.</summary>
internal sealed record TufTargetFile(long Length, ImmutableDictionary<string, byte[]> Hashes);

/// <summary>A delegation from a targets role (section 4.5 "delegations"): to whom, for which paths, with which keys.</summary>
internal sealed record TufDelegatedRole(
    string Name, TufRoleKeys Keys, bool Terminating, ImmutableArray<string>? Paths, ImmutableArray<string>? PathHashPrefixes);

/// <summary>
/// A TUF metadata file (section 4): the signed part's common fields, its canonical bytes (what signatures cover) and
/// its signatures; the derived records hold each role's own fields. Read strictly: a field of the wrong type or a
/// number that is not an integer is an error, never a guess.
/// </summary>
internal abstract record TufMetadata(string Type, long Version, DateTimeOffset Expires, byte[] CanonicalSigned, ImmutableArray<TufSignature> Signatures)
{
    public const string RootType = "root";
    public const string TimestampType = "timestamp";
    public const string SnapshotType = "snapshot";
    public const string TargetsType = "targets";

    /// <summary>True when the metadata has expired at <paramref name="now"/> (section 5.3.10, 5.4.4, 5.5.6, 5.6.4).</summary>
    public bool IsExpired(DateTimeOffset now) => Expires <= now;

    /// <summary>
    /// Reads metadata that must be of <paramref name="expectedType"/>; <paramref name="location"/> names it in
    /// problems (a URL or a cache file). Another role's metadata is <see cref="DiagnosticCode.TufWrongRole"/>.
    /// </summary>
    public static TufMetadata Parse(ReadOnlyMemory<byte> utf8, string expectedType, string location)
    {
        try
        {
            using var document = StrictJson.Parse(utf8);
            return Read(document.RootElement, expectedType);
        }
        catch (InvalidInputException e)
        {
            var problem = e.Problem.Code is DiagnosticCode.TufWrongRole or DiagnosticCode.TufMetadataMalformed
                ? e.Problem
                : e.Problem with { Code = DiagnosticCode.TufMetadataMalformed };
            throw new InvalidInputException(problem.Within(location));
        }
    }

    private static TufMetadata Read(JsonElement root, string expectedType)
    {
        StrictJson.RequireOnly(root, "$", DiagnosticCode.TufMetadataMalformed, "TUF metadata holds only \"signed\" and \"signatures\"", "signed", "signatures");
        var signed = StrictJson.Required(root, "signed", "$");
        StrictJson.RequireObject(signed, "$.signed");
        var type = StrictJson.RequiredString(signed, "_type", "$.signed");
        if (type != expectedType)
        {
            throw InvalidInputException.At(DiagnosticCode.TufWrongRole, "$.signed._type",
                $"this is {StrictJson.Printable(type)} metadata where {expectedType} metadata was asked for");
        }

        var specVersion = StrictJson.RequiredString(signed, "spec_version", "$.signed");
        if (!specVersion.StartsWith("1.", StringComparison.Ordinal) && specVersion != "1")
        {
            throw InvalidInputException.At(DiagnosticCode.TufMetadataMalformed, "$.signed.spec_version",
                $"TUF specification version \"{StrictJson.Printable(specVersion)}\" is not 1.x, the version this client implements");
        }

        var version = PositiveInteger(signed, "version", "$.signed");
        var expires = ParseExpires(StrictJson.RequiredString(signed, "expires", "$.signed"), "$.signed.expires");
        var canonical = CanonicalJson.Encode(signed, "$.signed");
        var signatures = ReadSignatures(StrictJson.RequiredArray(root, "signatures", "$", Limits.MaxTufSignatures, DiagnosticCode.TufMetadataMalformed));
        return type switch
        {
            RootType => RootMetadata.Read(signed, version, expires, canonical, signatures),
            TimestampType => TimestampMetadata.Read(signed, version, expires, canonical, signatures),
            SnapshotType => SnapshotMetadata.Read(signed, version, expires, canonical, signatures),
            _ => TargetsMetadata.Read(signed, version, expires, canonical, signatures),
        };
    }

    private static ImmutableArray<TufSignature> ReadSignatures(JsonElement list)
    {
        var result = ImmutableArray.CreateBuilder<TufSignature>();
        var index = 0;
        foreach (var item in list.EnumerateArray())
        {
            var path = StrictJson.Index("$.signatures", index++);
            var keyId = StrictJson.RequiredString(item, "keyid", path);
            var sig = StrictJson.RequiredString(item, "sig", path);
            // An empty signature is a placeholder for a key holder who has not signed yet (Sigstore's root has some).
            result.Add(new TufSignature(keyId, Hex(sig, path + ".sig", Limits.MaxSignatureBytes)));
        }

        return result.ToImmutable();
    }

    /// <summary>A non-negative integer field (versions, lengths, thresholds are never fractional).</summary>
    internal static long Integer(JsonElement obj, string name, string path)
    {
        var value = StrictJson.Required(obj, name, path);
        var child = StrictJson.Child(path, name);
        if (value.ValueKind != JsonValueKind.Number)
        {
            throw InvalidInputException.At(DiagnosticCode.TufMetadataMalformed, child, $"expected an integer, found {StrictJson.Describe(value)}");
        }

        var number = long.Parse(CanonicalJson.IntegerText(value, child), CultureInfo.InvariantCulture);
        return number >= 0 ? number : throw InvalidInputException.At(DiagnosticCode.TufMetadataMalformed, child, "must not be negative");
    }

    internal static long PositiveInteger(JsonElement obj, string name, string path) =>
        Integer(obj, name, path) is var n && n >= 1 ? n : throw InvalidInputException.At(DiagnosticCode.TufMetadataMalformed, StrictJson.Child(path, name), "must be at least 1");

    private static DateTimeOffset ParseExpires(string text, string path) =>
        DateTimeOffset.TryParseExact(text, "yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)
            ? time
            : throw InvalidInputException.At(DiagnosticCode.TufMetadataMalformed, path, "not a time of the form YYYY-MM-DDTHH:MM:SSZ (section 4.2)");

    internal static byte[] Hex(string text, string path, int maxBytes)
    {
        if (text.Length > 2 * maxBytes)
        {
            throw InvalidInputException.At(DiagnosticCode.TufMetadataMalformed, path, $"longer than {maxBytes} bytes");
        }

        try
        {
            return Convert.FromHexString(text);
        }
        catch (FormatException)
        {
            throw InvalidInputException.At(DiagnosticCode.TufMetadataMalformed, path, "not hexadecimal");
        }
    }

    internal static TufRoleKeys ReadRoleKeys(JsonElement role, string path)
    {
        var keyIds = StrictJson.RequiredArray(role, "keyids", path, Limits.MaxTufKeys, DiagnosticCode.TufMetadataMalformed);
        var ids = ImmutableArray.CreateBuilder<string>();
        var index = 0;
        foreach (var id in keyIds.EnumerateArray())
        {
            var text = StrictJson.AsString(id, StrictJson.Index(path + ".keyids", index++));
            if (ids.Contains(text))
            {
                throw InvalidInputException.At(DiagnosticCode.TufMetadataMalformed, path + ".keyids", "a key id is listed twice; each key counts once towards the threshold");
            }

            ids.Add(text);
        }

        var threshold = PositiveInteger(role, "threshold", path);
        if (threshold > int.MaxValue)
        {
            throw InvalidInputException.At(DiagnosticCode.TufMetadataMalformed, path + ".threshold", "the threshold is larger than any role can meet");
        }

        return new TufRoleKeys(ids.ToImmutable(), (int)threshold);
    }

    internal static ImmutableDictionary<string, TufKey> ReadKeys(JsonElement keys, string path)
    {
        StrictJson.RequireObject(keys, path);
        var result = ImmutableDictionary.CreateBuilder<string, TufKey>(StringComparer.Ordinal);
        foreach (var property in keys.EnumerateObject())
        {
            if (result.Count >= Limits.MaxTufKeys)
            {
                throw InvalidInputException.At(DiagnosticCode.TufMetadataMalformed, path, $"more than {Limits.MaxTufKeys} keys");
            }

            result.Add(property.Name, TufKeys.Read(property.Name, property.Value, StrictJson.Child(path, property.Name)));
        }

        return result.ToImmutable();
    }

    internal static ImmutableDictionary<string, byte[]> ReadHashes(JsonElement obj, string path, bool required)
    {
        if (StrictJson.Optional(obj, "hashes") is not { } hashes)
        {
            return required
                ? throw InvalidInputException.At(DiagnosticCode.TufMetadataMalformed, path, "the required field \"hashes\" is missing")
                : ImmutableDictionary<string, byte[]>.Empty;
        }

        var hashesPath = StrictJson.Child(path, "hashes");
        StrictJson.RequireObject(hashes, hashesPath);
        var result = ImmutableDictionary.CreateBuilder<string, byte[]>(StringComparer.Ordinal);
        foreach (var property in hashes.EnumerateObject())
        {
            if (result.Count >= 16)
            {
                throw InvalidInputException.At(DiagnosticCode.TufMetadataMalformed, hashesPath, "more than 16 hashes");
            }

            result.Add(property.Name, Hex(StrictJson.AsString(property.Value, StrictJson.Child(hashesPath, property.Name)), StrictJson.Child(hashesPath, property.Name), 64));
        }

        if (required && result.Count == 0)
        {
            throw InvalidInputException.At(DiagnosticCode.TufMetadataMalformed, hashesPath, "a target needs at least one hash");
        }

        return result.ToImmutable();
    }

    internal static ImmutableDictionary<string, TufMetaFile> ReadMeta(JsonElement signed, string path)
    {
        var meta = StrictJson.Required(signed, "meta", path);
        var metaPath = StrictJson.Child(path, "meta");
        StrictJson.RequireObject(meta, metaPath);
        var result = ImmutableDictionary.CreateBuilder<string, TufMetaFile>(StringComparer.Ordinal);
        foreach (var property in meta.EnumerateObject())
        {
            if (result.Count >= Limits.MaxTufEntries)
            {
                throw InvalidInputException.At(DiagnosticCode.TufMetadataMalformed, metaPath, $"more than {Limits.MaxTufEntries} entries");
            }

            var entryPath = StrictJson.Child(metaPath, property.Name);
            var length = StrictJson.Optional(property.Value, "length") is null ? (long?)null : Integer(property.Value, "length", entryPath);
            result.Add(property.Name, new TufMetaFile(PositiveInteger(property.Value, "version", entryPath), length, ReadHashes(property.Value, entryPath, required: false)));
        }

        return result.ToImmutable();
    }
}

/// <summary>Root metadata (section 4.3): the keys of every top-level role and their thresholds.</summary>
internal sealed record RootMetadata(
    long Version, DateTimeOffset Expires, byte[] CanonicalSigned, ImmutableArray<TufSignature> Signatures,
    ImmutableDictionary<string, TufKey> Keys, ImmutableDictionary<string, TufRoleKeys> Roles, bool ConsistentSnapshot)
    : TufMetadata(RootType, Version, Expires, CanonicalSigned, Signatures)
{
    public TufRoleKeys Role(string name) => Roles[name];

    internal static RootMetadata Read(JsonElement signed, long version, DateTimeOffset expires, byte[] canonical, ImmutableArray<TufSignature> signatures)
    {
        var keys = ReadKeys(StrictJson.Required(signed, "keys", "$.signed"), "$.signed.keys");
        var rolesElement = StrictJson.Required(signed, "roles", "$.signed");
        StrictJson.RequireObject(rolesElement, "$.signed.roles");
        var roles = ImmutableDictionary.CreateBuilder<string, TufRoleKeys>(StringComparer.Ordinal);
        foreach (var name in new[] { RootType, TimestampType, SnapshotType, TargetsType })
        {
            roles.Add(name, ReadRoleKeys(StrictJson.Required(rolesElement, name, "$.signed.roles"), "$.signed.roles." + name));
        }

        var consistent = StrictJson.Optional(signed, "consistent_snapshot") is { } c
            ? c.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => throw InvalidInputException.At(DiagnosticCode.TufMetadataMalformed, "$.signed.consistent_snapshot", "expected true or false"),
            }
            : false;
        return new RootMetadata(version, expires, canonical, signatures, keys, roles.ToImmutable(), consistent);
    }
}

/// <summary>Timestamp metadata (section 4.6): the snapshot's version, and optionally its length and hashes.</summary>
internal sealed record TimestampMetadata(long Version, DateTimeOffset Expires, byte[] CanonicalSigned, ImmutableArray<TufSignature> Signatures, TufMetaFile Snapshot)
    : TufMetadata(TimestampType, Version, Expires, CanonicalSigned, Signatures)
{
    internal static TimestampMetadata Read(JsonElement signed, long version, DateTimeOffset expires, byte[] canonical, ImmutableArray<TufSignature> signatures)
    {
        var meta = ReadMeta(signed, "$.signed");
        if (meta.Count != 1 || !meta.TryGetValue("snapshot.json", out var snapshot))
        {
            throw InvalidInputException.At(DiagnosticCode.TufMetadataMalformed, "$.signed.meta", "timestamp metadata names exactly one file, snapshot.json");
        }

        return new TimestampMetadata(version, expires, canonical, signatures, snapshot);
    }
}

/// <summary>Snapshot metadata (section 4.4): the version of every targets metadata file.</summary>
internal sealed record SnapshotMetadata(
    long Version, DateTimeOffset Expires, byte[] CanonicalSigned, ImmutableArray<TufSignature> Signatures, ImmutableDictionary<string, TufMetaFile> Meta)
    : TufMetadata(SnapshotType, Version, Expires, CanonicalSigned, Signatures)
{
    internal static SnapshotMetadata Read(JsonElement signed, long version, DateTimeOffset expires, byte[] canonical, ImmutableArray<TufSignature> signatures) =>
        new(version, expires, canonical, signatures, ReadMeta(signed, "$.signed"));
}

/// <summary>Targets metadata (section 4.5), top-level or delegated: target files and delegations.</summary>
internal sealed record TargetsMetadata(
    long Version, DateTimeOffset Expires, byte[] CanonicalSigned, ImmutableArray<TufSignature> Signatures,
    ImmutableDictionary<string, TufTargetFile> Targets, ImmutableDictionary<string, TufKey> DelegationKeys, ImmutableArray<TufDelegatedRole> Delegations)
    : TufMetadata(TargetsType, Version, Expires, CanonicalSigned, Signatures)
{
    internal static TargetsMetadata Read(JsonElement signed, long version, DateTimeOffset expires, byte[] canonical, ImmutableArray<TufSignature> signatures)
    {
        var targetsElement = StrictJson.Required(signed, "targets", "$.signed");
        StrictJson.RequireObject(targetsElement, "$.signed.targets");
        var targets = ImmutableDictionary.CreateBuilder<string, TufTargetFile>(StringComparer.Ordinal);
        foreach (var property in targetsElement.EnumerateObject())
        {
            if (targets.Count >= Limits.MaxTufEntries)
            {
                throw InvalidInputException.At(DiagnosticCode.TufMetadataMalformed, "$.signed.targets", $"more than {Limits.MaxTufEntries} targets");
            }

            var path = StrictJson.Child("$.signed.targets", property.Name);
            targets.Add(property.Name, new TufTargetFile(Integer(property.Value, "length", path), ReadHashes(property.Value, path, required: true)));
        }

        if (StrictJson.Optional(signed, "delegations") is not { } delegations)
        {
            return new TargetsMetadata(version, expires, canonical, signatures, targets.ToImmutable(), ImmutableDictionary<string, TufKey>.Empty, []);
        }

        const string DelegationsPath = "$.signed.delegations";
        var keys = ReadKeys(StrictJson.Required(delegations, "keys", DelegationsPath), DelegationsPath + ".keys");
        var rolesElement = StrictJson.RequiredArray(delegations, "roles", DelegationsPath, Limits.MaxTufEntries, DiagnosticCode.TufMetadataMalformed);
        var roles = ImmutableArray.CreateBuilder<TufDelegatedRole>();
        var index = 0;
        foreach (var role in rolesElement.EnumerateArray())
        {
            var path = StrictJson.Index(DelegationsPath + ".roles", index++);
            var name = StrictJson.RequiredString(role, "name", path);
            if (name.Length == 0 || name is RootType or TimestampType or SnapshotType or TargetsType || roles.Any(r => r.Name == name))
            {
                throw InvalidInputException.At(DiagnosticCode.TufMetadataMalformed, path + ".name",
                    $"the delegated role name \"{StrictJson.Printable(name)}\" is empty, repeated or a top-level role's");
            }

            var terminating = StrictJson.Optional(role, "terminating") is { ValueKind: JsonValueKind.True };
            var paths = StrictJson.Optional(role, "paths") is { } p ? Strings(p, path + ".paths") : (ImmutableArray<string>?)null;
            var prefixes = StrictJson.Optional(role, "path_hash_prefixes") is { } h ? Strings(h, path + ".path_hash_prefixes") : (ImmutableArray<string>?)null;
            if ((paths is null) == (prefixes is null))
            {
                throw InvalidInputException.At(DiagnosticCode.TufMetadataMalformed, path,
                    "a delegation names its paths with exactly one of \"paths\" and \"path_hash_prefixes\"");
            }

            roles.Add(new TufDelegatedRole(name, ReadRoleKeys(role, path), terminating, paths, prefixes));
        }

        return new TargetsMetadata(version, expires, canonical, signatures, targets.ToImmutable(), keys, roles.ToImmutable());
    }

    private static ImmutableArray<string> Strings(JsonElement list, string path)
    {
        StrictJson.AsArray(list, path, Limits.MaxTufEntries, DiagnosticCode.TufMetadataMalformed);
        var index = 0;
        return [.. list.EnumerateArray().Select(item => StrictJson.AsString(item, StrictJson.Index(path, index++)))];
    }
}
