using System.Collections.Immutable;
using System.Globalization;
using Provenance.Attestations;
using Provenance.Envelopes;

namespace Provenance.Verification;

/// <summary>Reads the signed payload as a statement, once everything that authenticates it has verified.</summary>
internal static class StatementReader
{
    public static Statement? Read(DsseEnvelope envelope, string source, ImmutableArray<Check>.Builder checks)
    {
        try
        {
            var statement = Statement.Parse(envelope.Payload);
            checks.Add(Check.Pass(CheckNames.Statement,
                string.Create(CultureInfo.InvariantCulture, $"{statement.PredicateType} statement with {statement.Subjects.Length} subject(s)"), source));
            return statement;
        }
        catch (InvalidInputException e)
        {
            checks.Add(Check.Fail(CheckNames.Statement, e.Problem with { Location = "payload" + (e.Problem.Location is { } l ? ": " + l : "") }, source));
            return null;
        }
    }
}
