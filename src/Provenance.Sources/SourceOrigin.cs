namespace Provenance.Sources;

/// <summary>
/// Where fetched attestation bytes came from, as the report shows it: the kind of source and the URL. Origins are
/// for people reading the report; nothing about a fetched attestation is trusted because of where it came from.
/// </summary>
/// <param name="Kind">The source, e.g. <c>rekor</c>, <c>npm</c>, <c>oci</c>.</param>
/// <param name="Location">The URL or reference the bytes were fetched from.</param>
public sealed record SourceOrigin(string Kind, string Location)
{
    /// <inheritdoc />
    public override string ToString() => $"{Kind}:{Location}";
}
