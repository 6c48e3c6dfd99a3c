using System.Diagnostics;

namespace Provenance.Testing;

/// <summary>
/// A named pipe that gives its content to the first reader only, as <c>&lt;(command)</c> in a shell does: a tool that
/// reads such an input twice gets nothing, or waits for ever, the second time.
/// </summary>
public static class Fifo
{
    /// <summary>Makes the pipe at <paramref name="path"/> and starts writing <paramref name="content"/> to whoever opens it first.</summary>
    public static Task Serve(string path, byte[] content)
    {
        using (var mkfifo = Process.Start(new ProcessStartInfo("mkfifo", [path]) { UseShellExecute = false })!)
        {
            mkfifo.WaitForExit();
            if (mkfifo.ExitCode != 0)
            {
                throw new IOException($"mkfifo {path} exited with {mkfifo.ExitCode}");
            }
        }

        // Opening a pipe to write blocks until a reader opens it, so the writer gets its own thread.
        return Task.Factory.StartNew(() => File.WriteAllBytes(path, content), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }
}
