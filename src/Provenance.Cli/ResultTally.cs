using Provenance.Cryptography;
using Provenance.Policy;
using Provenance.Verification;

namespace Provenance.Cli;

/// <summary>What the exit code needs of the results, gathered as they stream past on their way to the report.</summary>
internal sealed class ResultTally
{
    /// <summary>True until a result is not verified.</summary>
    public bool AllVerified { get; private set; } = true;

    /// <summary>Whether some result failed for want of readable input (exit 2 rather than 1).</summary>
    public bool AnyInputError { get; private set; }

    /// <summary>The same results, counted, and each summarized into <paramref name="summaries"/> when given.</summary>
    public async IAsyncEnumerable<VerificationResult> Observe(
        IAsyncEnumerable<VerificationResult> results,
        SummaryFile? summaries,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var result in results.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            AllVerified &= result.Verified;
            AnyInputError |= result.HasInputError;
            if (summaries is not null)
            {
                await summaries.WriteAsync(result, cancellationToken).ConfigureAwait(false);
            }

            yield return result;
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
    private VerificationSummaryOptions? _options;

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

    public async Task WriteAsync(VerificationResult result, CancellationToken cancellationToken)
    {
        if (_file is null || Problem is not null)
        {
            return;
        }

        if (!VerificationSummaryWriter.CanSummarize(result))
        {
            await _error.WriteLineAsync($"warning: no verification summary for {result.Artifact}: it was not read, so there is no digest to name").ConfigureAwait(false);
            return;
        }

        // Every result of one run names the same attestation files: the first one's are the run's.
        _options ??= new VerificationSummaryOptions { TimeProvider = _time, Policy = _policy?.Source, InputAttestations = result.AttestationFiles };
        var line = _key is null
            ? VerificationSummaryWriter.CreateStatement(result, _options)
            : VerificationSummaryWriter.CreateSignedEnvelope(result, _options, _key);
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
