using System.Text;
using Provenance.Cryptography;
using Provenance.Sigstore;
using Provenance.Testing;

namespace Provenance.Tests.Sigstore;

/// <summary>
/// C2SP signed-note and tlog-checkpoint: the golang.org/x/mod/sumdb/note example note (the C2SP format's reference
/// implementation), and notes signed here with fresh keys to exercise each rule of the specifications.
/// </summary>
public sealed class CheckpointTests
{
    private const string Origin = "log.example.test";
    private static readonly byte[] Root = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
    private static readonly string Body = $"{Origin}\n42\n{Convert.ToBase64String(Root)}\n";

    [Fact]
    public void The_sumdb_note_example_verifies_and_its_key_id_is_the_C2SP_hash()
    {
        // golang.org/x/mod/sumdb/note package documentation: verifier key
        // "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW" (type byte 0x01, then the key) and the note below.
        var typeAndKey = Convert.FromBase64String("ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW");
        var key = Ed25519Key(typeAndKey.AsSpan(1));
        const string Note = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n\n"
            + "\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

        Assert.Equal(0xc74f20a3u, CheckpointVerifier.Ed25519KeyId("PeterNeumann", typeAndKey.AsSpan(1)));
        var note = SignedNote.Parse(Note);
        var signature = Assert.Single(note.Signatures);
        Assert.Equal(0xc74f20a3u, signature.KeyId);
        Assert.True(key.Verify(note.TextBytes(), signature.Signature.Span));
        Assert.False(key.Verify(Encoding.UTF8.GetBytes(note.Text.Replace("cryptography", "cryptographY", StringComparison.Ordinal)), signature.Signature.Span));
    }

    [Fact]
    public void The_C2SP_spec_example_parses_with_text_keeping_its_empty_line()
    {
        // C2SP signed-note.md, the example at the top: the text contains an empty line; the last one separates the signatures.
        const string Note = "Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\ned \u00e8 subito sera.\n\n"
            + "\u2014 quasimodo.example/salvatore NnugSzTjtVAewIS+Z/iJhUPeFDkO/5QQ2i5ddnGITLlC+EhfLW9oJKONrMouFSQU0xMcXxj99ihAQwaqP3ZekRwNtIc=\n";

        var note = SignedNote.Parse(Note);

        Assert.EndsWith("\ned \u00e8 subito sera.\n", note.Text, StringComparison.Ordinal);
        Assert.Equal("quasimodo.example/salvatore", Assert.Single(note.Signatures).Name);
    }

    [Theory]
    [InlineData("ed25519")]
    [InlineData("ecdsa-p256-sha256")]
    public void A_log_signature_among_unknown_cosignatures_verifies(string algorithm)
    {
        using var log = TestSigner.Create(algorithm);
        using var witness = TestSigner.Create("ed25519");
        var key = VerificationKey.Parse(log.PublicKeyDer);
        var note = Body + "\n"
            + TestRekorLog.NoteSignatureLine("witness.example", 0x01020304, witness.Sign(Encoding.UTF8.GetBytes(Body)))
            + TestRekorLog.NoteSignatureLine(Origin, CheckpointVerifier.C2spKeyId("other.example", key), log.Sign(Encoding.UTF8.GetBytes(Body))) // same key, other name
            + TestRekorLog.NoteSignatureLine(Origin, CheckpointVerifier.C2spKeyId(Origin, key), log.Sign(Encoding.UTF8.GetBytes(Body)));

        var checkpoint = CheckpointVerifier.VerifyC2sp(note, Origin, key);

        Assert.Equal(Origin, checkpoint.Origin);
        Assert.Equal(42, checkpoint.Size);
        Assert.Equal(Root, checkpoint.RootHash.ToArray());
    }

    [Fact]
    public void A_line_with_the_logs_name_and_key_id_that_does_not_verify_rejects_the_note()
    {
        using var log = TestSigner.Create("ed25519");
        var key = VerificationKey.Parse(log.PublicKeyDer);
        var keyId = CheckpointVerifier.C2spKeyId(Origin, key);
        var note = Body + "\n"
            + TestRekorLog.NoteSignatureLine(Origin, keyId, log.Sign(Encoding.UTF8.GetBytes(Body)))
            + TestRekorLog.NoteSignatureLine(Origin, keyId, log.Sign(Encoding.UTF8.GetBytes("something else\n")));

        Assert.Equal(DiagnosticCode.CheckpointInvalid,
            Assert.Throws<InvalidInputException>(() => CheckpointVerifier.VerifyC2sp(note, Origin, key)).Problem.Code);
    }

    [Fact]
    public void A_note_without_the_logs_signature_is_refused()
    {
        using var log = TestSigner.Create("ed25519");
        using var other = TestSigner.Create("ed25519");
        var key = VerificationKey.Parse(log.PublicKeyDer);
        var note = Body + "\n" + TestRekorLog.NoteSignatureLine(Origin, CheckpointVerifier.C2spKeyId(Origin, VerificationKey.Parse(other.PublicKeyDer)), other.Sign(Encoding.UTF8.GetBytes(Body)));

        Assert.Throws<InvalidInputException>(() => CheckpointVerifier.VerifyC2sp(note, Origin, key));
    }

    [Theory]
    [InlineData("other.example\n42\n{root}\n")] // signed, but by the log for another origin's text
    [InlineData("42\n{root}\n")]                // origin missing
    [InlineData("{origin}\n{root}\n")]          // size missing
    [InlineData("{origin}\n42\n")]              // root hash missing
    [InlineData("{origin}\n042\n{root}\n")]     // size with a leading zero
    [InlineData("{origin}\n-1\n{root}\n")]      // negative size
    [InlineData("{origin}\n42\nAAAA\n")]        // root hash of 3 bytes
    public void Signed_but_malformed_checkpoints_are_refused(string template)
    {
        using var log = TestSigner.Create("ed25519");
        var key = VerificationKey.Parse(log.PublicKeyDer);
        var body = template.Replace("{origin}", Origin, StringComparison.Ordinal).Replace("{root}", Convert.ToBase64String(Root), StringComparison.Ordinal);
        var note = body + "\n" + TestRekorLog.NoteSignatureLine(Origin, CheckpointVerifier.C2spKeyId(Origin, key), log.Sign(Encoding.UTF8.GetBytes(body)));

        Assert.Equal(DiagnosticCode.CheckpointInvalid,
            Assert.Throws<InvalidInputException>(() => CheckpointVerifier.VerifyC2sp(note, Origin, key)).Problem.Code);
    }

    [Theory]
    [InlineData("no blank line\n\u2014 a AAAAAAA=\n")]
    [InlineData("text\n\n\u2014 a AAAAAAA=")]               // no final newline
    [InlineData("text\n\n- a AAAAAAA=\n")]                  // hyphen instead of em dash
    [InlineData("text\n\n\u2014 a+b AAAAAAA=\n")]           // '+' in the key name
    [InlineData("text\n\n\u2014  AAAAAAA=\n")]              // empty key name
    [InlineData("text\n\n\u2014 a AAAAAA==\n")]             // 4 bytes: a key ID without a signature
    [InlineData("text\n\n\u2014 a AAAA AAA=\n")]            // not base64
    [InlineData("te\txt\n\n\u2014 a AAAAAAA=\n")]           // a control character
    [InlineData("text\n\n")]                                // no signature lines
    public void Malformed_notes_are_refused(string note)
    {
        Assert.Equal(DiagnosticCode.CheckpointInvalid, Assert.Throws<InvalidInputException>(() => SignedNote.Parse(note)).Problem.Code);
    }

    [Fact]
    public void More_than_the_limit_of_signatures_is_refused()
    {
        var note = "text\n\n" + string.Concat(Enumerable.Repeat("\u2014 a AAAAAAA=\n", Limits.MaxNoteSignatures + 1));

        Assert.Throws<InvalidInputException>(() => SignedNote.Parse(note));
    }

    [Fact]
    public void Rekor_v1_checkpoints_refuse_any_line_not_by_the_log()
    {
        // sigstore/rekor pkg/util SignedNote.Verify: every signature must carry the log key's hash and verify.
        using var log = TestSigner.Create("ecdsa-p256-sha256");
        using var witness = TestSigner.Create("ecdsa-p256-sha256");
        var key = VerificationKey.Parse(log.PublicKeyDer);
        var body = "rekor.example - 1234\n42\n" + Convert.ToBase64String(Root) + "\nTimestamp: 1689177396617352539\n";
        var logLine = TestRekorLog.NoteSignatureLine("rekor.example", CheckpointVerifier.SpkiKeyId(log.PublicKeyDer), log.Sign(Encoding.UTF8.GetBytes(body)));

        var checkpoint = CheckpointVerifier.VerifyRekorV1(body + "\n" + logLine, key);
        Assert.Equal(["Timestamp: 1689177396617352539"], checkpoint.Extensions);

        var cosigned = body + "\n" + logLine + TestRekorLog.NoteSignatureLine("witness.example", CheckpointVerifier.SpkiKeyId(witness.PublicKeyDer), witness.Sign(Encoding.UTF8.GetBytes(body)));
        Assert.Throws<InvalidInputException>(() => CheckpointVerifier.VerifyRekorV1(cosigned, key));
    }

    /// <summary>RFC 8410 section 4: SubjectPublicKeyInfo for an Ed25519 key.</summary>
    private static VerificationKey Ed25519Key(ReadOnlySpan<byte> raw) =>
        VerificationKey.Parse([.. Convert.FromHexString("302a300506032b6570032100"), .. raw]);
}
