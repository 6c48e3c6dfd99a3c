using System.Diagnostics;
using System.Net;

namespace Provenance.Testing;

/// <summary>
/// The CNCF distribution registry (Debian's <c>docker-registry</c> package) for end-to-end tests: the one .ci/run
/// started (its address in <c>PROVENANCE_TEST_REGISTRY</c>, host:port), or else one started here on a free loopback
/// port with a temporary config and storage, when the binary is installed. When neither is possible the tests that
/// need it fail and say how to get it: a registry test that passes without a registry would prove nothing.
/// </summary>
public sealed class DistributionRegistry : IAsyncDisposable
{
    public const string AddressVariable = "PROVENANCE_TEST_REGISTRY";
    private static readonly string[] Binaries = ["/usr/bin/docker-registry", "/usr/local/bin/registry", "/usr/bin/registry"];

    private readonly Process? _process;
    private readonly TempDirectory? _storage;

    private DistributionRegistry(string address, Process? process, TempDirectory? storage)
    {
        (Address, _process, _storage) = (address, process, storage);
    }

    /// <summary>host:port on loopback.</summary>
    public string Address { get; }

    /// <summary>The registry's base URL (plain http: it listens on loopback only).</summary>
    public Uri BaseUri => new("http://" + Address + "/");

    /// <summary>The registry already running, or a new one; throws saying what to install when there is none.</summary>
    public static async Task<DistributionRegistry> StartAsync(CancellationToken cancellationToken = default)
    {
        if (Environment.GetEnvironmentVariable(AddressVariable) is { Length: > 0 } address)
        {
            var running = new DistributionRegistry(address, null, null);
            await running.WaitUntilServingAsync(cancellationToken);
            return running;
        }

        var binary = Binaries.FirstOrDefault(File.Exists) ?? throw new InvalidOperationException(
            "The OCI registry tests need the CNCF distribution registry: install it (apt-get install docker-registry) or start one on "
            + $"loopback and set {AddressVariable}=127.0.0.1:PORT. .ci/run does both.");

        var storage = new TempDirectory();
        var port = LoopbackHttpServer.FreePort();
        var config = storage.Write("config.yml", System.Text.Encoding.UTF8.GetBytes(
            $"version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: {storage.Path("data")}\n"
            + $"  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:{port}\n"));
        var start = new ProcessStartInfo(binary) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("serve");
        start.ArgumentList.Add(config);
        var process = Process.Start(start) ?? throw new InvalidOperationException("cannot start " + binary);
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var registry = new DistributionRegistry($"127.0.0.1:{port}", process, storage);
        try
        {
            await registry.WaitUntilServingAsync(cancellationToken);
        }
        catch
        {
            await registry.DisposeAsync();
            throw;
        }

        return registry;
    }

    private async Task WaitUntilServingAsync(CancellationToken cancellationToken)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        for (var attempt = 0; attempt < 100; attempt++)
        {
            if (_process is { HasExited: true })
            {
                throw new InvalidOperationException($"the registry exited with {_process.ExitCode} before serving");
            }

            try
            {
                using var response = await client.GetAsync(new Uri(BaseUri, "v2/"), cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // Not answering yet.
            }

            await Task.Delay(100, cancellationToken);
        }

        throw new InvalidOperationException(_process is null
            ? $"no registry answers at {BaseUri}v2/, the address {AddressVariable} gives; start one there, or unset it to let the tests start their own"
            : $"the registry started at {BaseUri} does not answer at /v2/");
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }

            _process.Dispose();
        }

        _storage?.Dispose();
    }
}

/// <summary>Pushes blobs and manifests to a registry over the OCI distribution API (monolithic blob upload).</summary>
public sealed class OciRegistryPusher(Uri registry, string repository) : IOciTarget, IDisposable
{
    private readonly HttpClient _client = new();

    public string Repository => repository;

    public async Task PutBlobAsync(byte[] content)
    {
        using var start = await _client.PostAsync(new Uri(registry, $"v2/{repository}/blobs/uploads/"), null);
        start.EnsureSuccessStatusCode();
        var location = new Uri(registry, start.Headers.Location!);
        var upload = new UriBuilder(location) { Query = (location.Query.Length > 1 ? location.Query[1..] + "&" : "") + "digest=" + OciImages.Digest(content) }.Uri;
        using var body = new ByteArrayContent(content);
        body.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/octet-stream");
        using var put = await _client.PutAsync(upload, body);
        put.EnsureSuccessStatusCode();
    }

    public async Task PutManifestAsync(string reference, byte[] manifest, string mediaType)
    {
        using var body = new ByteArrayContent(manifest);
        body.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(mediaType);
        using var put = await _client.PutAsync(new Uri(registry, $"v2/{repository}/manifests/{reference}"), body);
        if (!put.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"the registry refused the manifest {reference}: {(int)put.StatusCode} {await put.Content.ReadAsStringAsync()}");
        }
    }

    public void Dispose() => _client.Dispose();
}
