using System.Text;
using Provenance.Cli;

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancellation.Cancel();
};

// The console flushes stdout at every line; a batch report sent to a file or pipe is tens of thousands of lines, so
// there it goes through a buffer. A terminal still sees each line as it is written.
var output = Console.IsOutputRedirected
    ? new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), 64 * 1024)
    : Console.Out;
try
{
    return await CliApplication.RunAsync(args, output, Console.Error, cancellation.Token).ConfigureAwait(false);
}
finally
{
    await output.FlushAsync().ConfigureAwait(false);
}
