using System.Formats.Asn1;

namespace Provenance.Cryptography;

/// <summary>
/// The two encodings of an ECDSA signature (r, s): the DER <c>Ecdsa-Sig-Value</c> of RFC 3279 section
/// 2.2.3, which X.509, cosign and DSSE signers produce, and the fixed-width r||s of IEEE P1363 / RFC 7518
/// section 3.4, which JWS and some KMS signers produce.
/// </summary>
internal static class EcdsaSignature
{
    /// <summary>
    /// Rewrites a strictly DER-encoded signature as r||s in <paramref name="destination"/> (two field-sized
    /// halves). False for BER leniencies (long-form lengths, padded integers), negative or oversized integers
    /// and trailing bytes: each would let one signature have many encodings.
    /// </summary>
    public static bool TryDerToP1363(ReadOnlySpan<byte> der, Span<byte> destination)
    {
        var fieldBytes = destination.Length / 2;
        try
        {
            AsnDecoder.ReadSequence(der, AsnEncodingRules.DER, out var offset, out var length, out var consumed);
            if (consumed != der.Length)
            {
                return false;
            }

            var content = der.Slice(offset, length);
            var r = AsnDecoder.ReadIntegerBytes(content, AsnEncodingRules.DER, out var rBytes);
            var s = AsnDecoder.ReadIntegerBytes(content[rBytes..], AsnEncodingRules.DER, out var sBytes);
            return rBytes + sBytes == content.Length
                && TryWriteUnsigned(r, destination[..fieldBytes])
                && TryWriteUnsigned(s, destination[fieldBytes..]);
        }
        catch (AsnContentException)
        {
            return false;
        }
    }

    private static bool TryWriteUnsigned(ReadOnlySpan<byte> integer, Span<byte> field)
    {
        if ((integer[0] & 0x80) != 0)
        {
            return false;
        }

        // DER integers are minimal, so at most one zero byte precedes a high bit.
        var magnitude = integer[0] == 0 ? integer[1..] : integer;
        if (magnitude.Length > field.Length)
        {
            return false;
        }

        field.Clear();
        magnitude.CopyTo(field[^magnitude.Length..]);
        return true;
    }
}
