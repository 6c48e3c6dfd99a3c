using System.Text.RegularExpressions;

namespace Provenance.Verification;

/// <summary>
/// Who may have signed keyless: the certificate's subject (its SAN, a URI or an email address) and the OIDC
/// issuer that vouched for it, each given exactly or as a regular expression. A regular expression always has
/// to match the whole value: <c>https://github\.com/org/.*</c> never matches <c>https://github.com/org.evil/…</c>
/// through a prefix, and nothing matches as a substring.
/// </summary>
public sealed class CertificateIdentity
{
    private readonly Regex? _subjectRegex;
    private readonly Regex? _issuerRegex;

    private CertificateIdentity(string? subject, Regex? subjectRegex, string? issuer, Regex? issuerRegex)
    {
        Subject = subject;
        _subjectRegex = subjectRegex;
        Issuer = issuer;
        _issuerRegex = issuerRegex;
    }

    /// <summary>The exact subject required, when given exactly.</summary>
    public string? Subject { get; }

    /// <summary>The subject pattern as given, when given as a regular expression.</summary>
    public string? SubjectPattern => _subjectRegex is null ? null : Unanchor(_subjectRegex);

    /// <summary>The exact issuer required, when given exactly.</summary>
    public string? Issuer { get; }

    /// <summary>The issuer pattern as given, when given as a regular expression.</summary>
    public string? IssuerPattern => _issuerRegex is null ? null : Unanchor(_issuerRegex);

    /// <summary>
    /// Builds an identity from exactly one of <paramref name="subject"/> and <paramref name="subjectRegex"/> and
    /// exactly one of <paramref name="issuer"/> and <paramref name="issuerRegex"/>.
    /// </summary>
    /// <exception cref="ArgumentException">Both or neither of a pair, an empty value, or an invalid regular expression.</exception>
    public static CertificateIdentity Create(string? subject, string? subjectRegex, string? issuer, string? issuerRegex)
    {
        if ((subject is null) == (subjectRegex is null))
        {
            throw new ArgumentException("Give exactly one of the certificate identity and the certificate identity regex.", nameof(subject));
        }

        if ((issuer is null) == (issuerRegex is null))
        {
            throw new ArgumentException("Give exactly one of the certificate OIDC issuer and the certificate OIDC issuer regex.", nameof(issuer));
        }

        if (subject?.Length == 0 || subjectRegex?.Length == 0 || issuer?.Length == 0 || issuerRegex?.Length == 0)
        {
            throw new ArgumentException("An identity or issuer cannot be empty.", nameof(subject));
        }

        return new CertificateIdentity(subject, Anchored(subjectRegex, nameof(subjectRegex)), issuer, Anchored(issuerRegex, nameof(issuerRegex)));
    }

    /// <summary>True when <paramref name="subjects"/> holds a value this identity accepts and the issuer is accepted.</summary>
    public bool Matches(IEnumerable<string> subjects, string? issuer)
    {
        ArgumentNullException.ThrowIfNull(subjects);
        return issuer is not null
            && Accepts(Issuer, _issuerRegex, issuer)
            && subjects.Any(s => Accepts(Subject, _subjectRegex, s));
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"subject {(Subject is null ? "matching " + SubjectPattern : Subject)}, issuer {(Issuer is null ? "matching " + IssuerPattern : Issuer)}";

    private static bool Accepts(string? exact, Regex? pattern, string value)
    {
        if (exact is not null)
        {
            return string.Equals(exact, value, StringComparison.Ordinal);
        }

        return WholeValueRegex.IsMatch(pattern!, value);
    }

    private static Regex? Anchored(string? pattern, string parameter) =>
        pattern is null ? null : WholeValueRegex.Create(pattern, parameter);

    private static string Unanchor(Regex regex) => WholeValueRegex.Pattern(regex);
}
