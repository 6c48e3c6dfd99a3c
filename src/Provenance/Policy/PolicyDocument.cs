using System.Collections.Immutable;

namespace Provenance.Policy;

/// <summary>
/// A policy: what must have been verified about an artifact for it to pass. Each requirement must be satisfied by
/// at least one verified attestation. Built by <see cref="PolicyLoader"/> from YAML or JSON
/// (policies/policy.schema.json), or in code.
/// </summary>
/// <param name="Name">A short name, shown in reports.</param>
/// <param name="Description">What the policy is for.</param>
/// <param name="Requirements">The requirements; never empty.</param>
/// <param name="AllowAnySignerUnsafe">
/// Unsafe: lets requirements name no signer. Without a signer constraint anyone who can sign — any key the caller
/// trusts, any identity the trusted root certified — satisfies the policy.
/// </param>
public sealed record PolicyDocument(string Name, string? Description, ImmutableArray<Requirement> Requirements, bool AllowAnySignerUnsafe = false)
{
    /// <summary>Where the policy was read from and the SHA-256 of the bytes read, when it came from a file.</summary>
    public Verification.SummaryResource? Source { get; init; }
}

/// <summary>One requirement: an attestation of this predicate type, from this signer, with this provenance and these conditions.</summary>
/// <param name="PredicateType">The predicate type the attestation must have (exactly).</param>
/// <param name="Signer">Who must have signed it; null only in a policy that allows any signer unsafely.</param>
/// <param name="Provenance">Constraints on the SLSA provenance (v0.2 and v1 alike), when the predicate is SLSA provenance.</param>
/// <param name="Conditions">Conditions on any field of the statement.</param>
/// <param name="AlternativePredicateTypes">
/// Other predicate types accepted in place of <paramref name="PredicateType"/> (e.g. SLSA provenance v1 where a builder
/// may still write v0.2); default or empty for none.
/// </param>
public sealed record Requirement(
    string PredicateType,
    SignerConstraint? Signer,
    ProvenanceConstraint? Provenance,
    ImmutableArray<Condition> Conditions,
    ImmutableArray<string> AlternativePredicateTypes = default)
{
    /// <summary>True when an attestation of <paramref name="predicateType"/> can satisfy this requirement.</summary>
    public bool Accepts(string? predicateType) =>
        predicateType is not null && (string.Equals(predicateType, PredicateType, StringComparison.Ordinal)
            || (!AlternativePredicateTypes.IsDefault && AlternativePredicateTypes.Contains(predicateType, StringComparer.Ordinal)));

    /// <summary>The accepted predicate types, as shown in reports.</summary>
    public string PredicateTypeText => AlternativePredicateTypes.IsDefaultOrEmpty
        ? PredicateType
        : string.Join(" or ", [PredicateType, .. AlternativePredicateTypes]);
}

/// <summary>
/// Who must have signed: a trusted key (by key id), or a keyless identity and issuer, and any Fulcio certificate
/// extensions (by their <c>FulcioExtensions</c> property name in camelCase, e.g. <c>sourceRepositoryUri</c>,
/// <c>runnerEnvironment</c>). Every given constraint must hold.
/// </summary>
public sealed record SignerConstraint(
    StringMatcher? Identity,
    StringMatcher? Issuer,
    ImmutableArray<string> KeyIds,
    ImmutableSortedDictionary<string, StringMatcher> Extensions);

/// <summary>Constraints on the normalised SLSA provenance view (<c>BuildProvenance</c>), v0.2 and v1 alike.</summary>
public sealed record ProvenanceConstraint(
    StringMatcher? BuilderId,
    StringMatcher? BuildType,
    StringMatcher? SourceUri,
    StringMatcher? SourceRef,
    StringMatcher? SourceCommit,
    StringMatcher? WorkflowPath,
    ImmutableSortedDictionary<string, StringMatcher> WorkflowInputs,
    TimeSpan? MaxAge);

/// <summary>
/// A condition on the statement: a field (dotted path from the statement's root, e.g.
/// <c>predicate.buildDefinition.externalParameters.workflow.path</c>) matching, existing or absent; or all, any or
/// none of other conditions. A field that is missing fails every condition but <c>absent</c>.
/// </summary>
/// <param name="Kind">field, exists, absent, all, any or not.</param>
/// <param name="Field">The field path (field, exists, absent).</param>
/// <param name="Matcher">The constraint on the field's string value (field).</param>
/// <param name="Children">The conditions combined (all, any, not: exactly one).</param>
public sealed record Condition(string Kind, string? Field, StringMatcher? Matcher, ImmutableArray<Condition> Children)
{
    /// <summary>The field must be present and its value (a string, number or boolean, as text) must satisfy <paramref name="matcher"/>.</summary>
    public static Condition FieldMatches(string field, StringMatcher matcher) => new("field", field, matcher, []);

    /// <summary>The field must be present (and not null).</summary>
    public static Condition Exists(string field) => new("exists", field, null, []);

    /// <summary>The field must be absent (or null).</summary>
    public static Condition Absent(string field) => new("absent", field, null, []);

    /// <summary>Every condition must hold.</summary>
    public static Condition All(IEnumerable<Condition> conditions) => new("all", null, null, [.. conditions]);

    /// <summary>At least one condition must hold.</summary>
    public static Condition Any(IEnumerable<Condition> conditions) => new("any", null, null, [.. conditions]);

    /// <summary>The condition must not hold.</summary>
    public static Condition Not(Condition condition) => new("not", null, null, [condition]);

    /// <inheritdoc />
    public override string ToString() => Kind switch
    {
        "field" => $"{Field} is {Matcher}",
        "exists" => $"{Field} exists",
        "absent" => $"{Field} is absent",
        "not" => $"not ({Children[0]})",
        _ => $"{Kind} of ({string.Join("; ", Children)})",
    };
}
