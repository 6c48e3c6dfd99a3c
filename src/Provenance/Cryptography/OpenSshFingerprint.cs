using System.Buffers;
using System.Security.Cryptography;

namespace Provenance.Cryptography;

/// <summary>
/// The OpenSSH SHA-256 key fingerprint, <c>SHA256:</c> and unpadded base64 of the SHA-256 of the key in
/// SSH wire format (RFC 4253 section 6.6, RFC 5656 section 3.1, RFC 8709 section 4). The npm registry
/// names its signing keys this way (<c>keyid</c> in <c>/-/npm/v1/keys</c>), and npm bundles carry it as
/// the public key hint, so computing it lets a key be matched to the bundles it signed.
/// </summary>
internal static class OpenSshFingerprint
{
    public static string Ecdsa(string curveName, ReadOnlySpan<byte> uncompressedPoint) =>
        new Writer().String("ecdsa-sha2-" + curveName).String(curveName).String(uncompressedPoint).Fingerprint();

    public static string Rsa(RSAParameters parameters) =>
        new Writer().String("ssh-rsa").MultiPrecision(parameters.Exponent).MultiPrecision(parameters.Modulus).Fingerprint();

    public static string Ed25519(ReadOnlySpan<byte> rawPublicKey) =>
        new Writer().String("ssh-ed25519").String(rawPublicKey).Fingerprint();

    private sealed class Writer
    {
        private readonly ArrayBufferWriter<byte> _buffer = new();

        public string Fingerprint() =>
            "SHA256:" + Convert.ToBase64String(SHA256.HashData(_buffer.WrittenSpan)).TrimEnd('=');

        public Writer String(string ascii) => String(System.Text.Encoding.ASCII.GetBytes(ascii));

        public Writer String(ReadOnlySpan<byte> bytes)
        {
            Span<byte> length = stackalloc byte[4];
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(length, bytes.Length);
            _buffer.Write(length);
            _buffer.Write(bytes);
            return this;
        }

        // An mpint is two's complement: a positive number whose top bit is set gets a leading zero byte.
        public Writer MultiPrecision(ReadOnlySpan<byte> unsignedBigEndian)
        {
            var trimmed = unsignedBigEndian.TrimStart((byte)0);
            if (trimmed.IsEmpty || (trimmed[0] & 0x80) == 0)
            {
                return String(trimmed);
            }

            var padded = new byte[trimmed.Length + 1];
            trimmed.CopyTo(padded.AsSpan(1));
            return String(padded);
        }
    }
}
