namespace Provenance.Testing;

/// <summary>A clock stopped at <paramref name="now"/>, so a verifier's "now" is the test's choice, never the machine's.</summary>
public sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
{
    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow() => now;
}
