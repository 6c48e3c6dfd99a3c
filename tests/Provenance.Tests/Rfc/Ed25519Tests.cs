using Provenance.Cryptography;

namespace Provenance.Tests.Rfc;

/// <summary>
/// RFC 8032 section 7.1, TEST 1 to TEST 3: public key, message and signature exactly as printed in the RFC,
/// the key wrapped in the SubjectPublicKeyInfo of RFC 8410 section 4.
/// </summary>
public sealed class Ed25519Tests
{
    public static TheoryData<string, string, string> Rfc8032Vectors => new()
    {
        // TEST 1 (empty message)
        {
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
            "",
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
        },
        // TEST 2 (one octet)
        {
            "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
            "72",
            "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"
        },
        // TEST 3 (two octets)
        {
            "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
            "af82",
            "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"
        },
    };

    [Theory]
    [MemberData(nameof(Rfc8032Vectors))]
    public void Rfc8032_signatures_verify(string publicKey, string message, string signature)
    {
        var key = VerificationKey.Parse(Spki(publicKey));
        var data = Convert.FromHexString(message);
        var sig = Convert.FromHexString(signature);

        Assert.Equal("ed25519", key.Algorithm);
        Assert.True(key.Verify(data, sig));
        Assert.False(key.Verify([.. data, 0x00], sig));
    }

    [Fact]
    public void Rfc8032_test1_key_id_is_its_openssh_fingerprint()
    {
        // Expected: ssh-keygen -l -E sha256 of the key in OpenSSH form (see testdata/README.md).
        Assert.Equal("SHA256:bbXpuKG6zhzdmnxq256TlqzFBzRl2f6OOg722cYNbU8",
            VerificationKey.Parse(Spki("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")).KeyId);
    }

    [Fact]
    public void Parameters_after_the_ed25519_oid_are_refused()
    {
        // RFC 8410 section 3: "the parameters MUST be absent".
        var withNull = Convert.FromHexString("302c300706032b65700500032100" + "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");

        Assert.False(VerificationKey.TryParse(withNull, null, out _, out var problem));
        Assert.Equal(DiagnosticCode.InvalidKey, problem.Code);
    }

    // RFC 8410 section 10.1 shows this prefix: SEQUENCE { SEQUENCE { id-Ed25519 }, BIT STRING (32 bytes) }.
    private static byte[] Spki(string publicKeyHex) => Convert.FromHexString("302a300506032b6570032100" + publicKeyHex);
}
