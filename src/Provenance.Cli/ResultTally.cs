using Provenance.Cryptography;
using Provenance.Policy;
using Provenance.Verification;

namespace Provenance.Cli;

/// <summary>A result with what is written of it, made where it was verified: its part of the report (none for a report that needs every result at once) and its summary line (none without --vsa, or when it cannot be summarized).</summary>
internal sealed record ReportedResult(VerificationResult Result, string? Report, byte[]? Summary);

/// <summary>What the exit code needs of the results, gathered as they stream past on their way to the report.</summary>
internal sealed class ResultTally
{
    /// <summary>True until a result is not verified.</summary>
    public bool AllVerified { get; private set; } = true;

    /// <summary>Whether some result failed for want of readable input (exit 2 rather than 1).</summary>
    public bool AnyInputError { get; private set; }

    /// <summary>The same results, counted, and each summarized into <paramref name="summaries"/> when given.</summary>
    public async IAsyncEnumerable<ReportedResult> Observe(
        IAsyncEnumerable<ReportedResult> results,
        SummaryFile? summaries,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var reported in results.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            AllVerified &= reported.Result.Verified;
            AnyInputError |= reported.Result.HasInputError;
            if (summaries is not null)
            {
                await summaries.WriteAsync(reported, cancellationToken).ConfigureAwait(false);
            }

            yield return reported;
        }
    }
}

/// <summary>
/// The <c>--vsa</c> file: a verification summary for each artifact with a digest, one per line, written as each
/// result comes — signed envelopes when there is a key, else bare statements — naming the policy and the
/// attestation files by the digests of the bytes that were verified, not of a second read that could see others.
/// </summary>
internal sealed class SummaryFile : IAsyncDisposable
{
    private readonly string _path;
    private readonly FileStream? _file;
    private readonly SigningKey? _key;
    private readonly PolicyDocument? _policy;
    private readonly TimeProvider _time;
    private readonly TextWriter _error;
    private readonly Lock _signing = new();

    private SummaryFile(string path, FileStream? file, SigningKey? key, PolicyDocument? policy, TimeProvider time, TextWriter error, Problem? problem)
    {
        (_path, _file, _key, _policy, _time, _error, Problem) = (path, file, key, policy, time, error, problem);
    }

    /// <summary>Why the file could not be written, once it could not; nothing more is written after.</summary>
    public Problem? Problem { get; private set; }

    /// <summary>Creates the file now, before any verification, so that a wrong path is told before the work, not after.</summary>
    public static SummaryFile Create(string path, SigningKey? key, PolicyDocument? policy, TimeProvider time, TextWriter error)
    {
        try
        {
            return new SummaryFile(path, File.Create(path), key, policy, time, error, null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new SummaryFile(path, null, key, policy, time, error, CannotWrite(path, e));
        }
    }

    /// <summary>The summary line of <paramref name="result"/>, or null when it was not read and so has no digest to name. Safe from several threads at once.</summary>
    public byte[]? Render(VerificationResult result)
    {
        if (!VerificationSummaryWriter.CanSummarize(result))
        {
            return null;
        }

        // Every result of one run names the same attestation files.
        var options = new VerificationSummaryOptions { TimeProvider = _time, Policy = _policy?.Source, InputAttestations = result.AttestationFiles };
        if (_key is null)
        {
            return VerificationSummaryWriter.CreateStatement(result, options);
        }

        // .NET does not promise that one key object signs safely on several threads at once.
        lock (_signing)
        {
            return VerificationSummaryWriter.CreateSignedEnvelope(result, options, _key);
        }
    }

    /// <summary>Writes the summary made by <see cref="Render"/>, in the order results are written.</summary>
    public async Task WriteAsync(ReportedResult reported, CancellationToken cancellationToken)
    {
        if (_file is null || Problem is not null)
        {
            return;
        }

        if (reported.Summary is not { } line)
        {
            await _error.WriteLineAsync($"warning: no verification summary for {reported.Result.Artifact}: it was not read, so there is no digest to name").ConfigureAwait(false);
            return;
        }

        try
        {
            await _file.WriteAsync(line, cancellationToken).ConfigureAwait(false);
            _file.WriteByte((byte)'\n');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Problem = CannotWrite(_path, e);
        }
    }

    /// <summary>Writes out what is buffered and closes the file; the <see cref="Problem"/> when that or any write failed.</summary>
    public async Task<Problem?> CloseAsync()
    {
        if (_file is not null)
        {
            try
            {
                await _file.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Problem ??= CannotWrite(_path, e);
            }
        }

        return Problem;
    }

    public async ValueTask DisposeAsync() => await CloseAsync().ConfigureAwait(false);

    private static Problem CannotWrite(string path, Exception e) =>
        new(DiagnosticCode.InputUnreadable, "the verification summary cannot be written: " + e.Message + "; choose a writable --vsa path", path);
}
