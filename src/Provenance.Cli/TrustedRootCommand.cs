using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Provenance.Http;
using Provenance.Sigstore;
using Provenance.Tuf;

namespace Provenance.Cli;

/// <summary>
/// <c>provenance trusted-root update|show</c>: refreshes the Sigstore trusted root through TUF into the cache, and
/// shows what is trusted and where it came from.
/// </summary>
internal static class TrustedRootCommand
{
    public static Command Create(IServiceProvider services)
    {
        var update = new Command("update", "Fetch the newest trusted_root.json through TUF (root rotation, timestamp, snapshot, targets) and cache it.");
        var updateOptions = TufCommandOptions.Create(update);
        var offline = new Option<bool>("--offline") { Description = "Do not fetch: verify what the cache holds and say what it is." };
        update.Options.Add(offline);
        update.SetAction((parse, cancellationToken) => services.GetRequiredService<TrustedRootResolver>()
            .UpdateAsync(updateOptions.Read(parse, parse.GetValue(offline)), cancellationToken));

        var show = new Command("show", "Show the trusted root verification uses: its authorities and logs with their validity, its source, age and TUF expiries.");
        var showOptions = TufCommandOptions.Create(show);
        show.SetAction((parse, cancellationToken) => services.GetRequiredService<TrustedRootResolver>()
            .ShowAsync(showOptions.Read(parse, offline: true), cancellationToken));

        return new Command("trusted-root", "Keep the Sigstore trusted root fresh through TUF, and show it.") { update, show };
    }
}

/// <summary>The TUF options as given: all null for the public-good repository and the default cache.</summary>
internal sealed record TufRequest(string? Url, string? RootPath, string? CacheDirectory, bool Offline)
{
    /// <summary>True when the user named a repository: then verify refreshes from it.</summary>
    public bool NamesRepository => Url is not null || RootPath is not null;
}

/// <summary>The --tuf-url, --tuf-root and --tuf-cache options, shared by <c>verify</c> and <c>trusted-root</c>.</summary>
internal sealed record TufCommandOptions(Option<string?> Url, Option<string?> Root, Option<string?> Cache)
{
    public static TufCommandOptions Create(Command command)
    {
        var options = new TufCommandOptions(
            new Option<string?>("--tuf-url") { Description = "A TUF repository to take the trusted root from (a private instance or a mirror); verify updates from it first." },
            new Option<string?>("--tuf-root") { Description = "The root.json trusted for --tuf-url (not needed for the public-good and GitHub repositories, whose roots are embedded)." },
            new Option<string?>("--tuf-cache") { Description = "The TUF cache folder (default: PROVENANCE_TUF_CACHE, else $XDG_CACHE_HOME/provenance/tuf, else ~/.cache/provenance/tuf)." });
        command.Options.Add(options.Url);
        command.Options.Add(options.Root);
        command.Options.Add(options.Cache);
        return options;
    }

    public TufRequest Read(ParseResult parse, bool offline) => new(parse.GetValue(Url), parse.GetValue(Root), parse.GetValue(Cache), offline);
}

/// <summary>
/// Chooses and refreshes trusted roots for the commands, writing warnings to stderr. Plain <c>verify</c> never goes to
/// the network: it uses what the last <c>trusted-root update</c> verified, else the embedded root; naming a repository
/// with --tuf-url/--tuf-root makes it update first, unless --offline.
/// </summary>
internal sealed class TrustedRootResolver(CliOutput output, TimeProvider time, IConfiguration configuration)
{
    /// <summary>The root for <c>verify</c>, or the problem that stops it (always exit 2: no root, nothing verified).</summary>
    public async Task<(TrustedRoot? Root, Problem? Problem)> ForVerifyAsync(TufRequest request, HttpFetcher fetcher, CancellationToken cancellationToken)
    {
        var (repository, problem) = await TufRepositories.ResolveAsync(request.Url, request.RootPath, cancellationToken).ConfigureAwait(false);
        if (repository is null)
        {
            return (null, problem);
        }

        var update = request.NamesRepository && !request.Offline;
        var choice = await ChooseAsync(request, repository, update ? fetcher : null, cancellationToken).ConfigureAwait(false);
        return (choice.Root, choice.Problem);
    }

    public async Task<int> UpdateAsync(TufRequest request, CancellationToken cancellationToken)
    {
        var (repository, problem) = await TufRepositories.ResolveAsync(request.Url, request.RootPath, cancellationToken).ConfigureAwait(false);
        if (repository is null)
        {
            return await FailAsync(problem!).ConfigureAwait(false);
        }

        var options = ClientOptions(request, repository);
        TufResult result;
        if (request.Offline)
        {
            result = new TufClient(options, fetcher: null).LoadCached(TufRepositories.TrustedRootTarget);
        }
        else
        {
            using var fetcher = CliNetwork.CreateFetcher(offline: false, [], time);
            result = await new TufClient(options, fetcher).UpdateAsync(TufRepositories.TrustedRootTarget, cancellationToken).ConfigureAwait(false);
        }

        if (result.Target is not { } target)
        {
            return await FailAsync(result.Problem!).ConfigureAwait(false);
        }

        if (!TrustedRoot.TryParse(target.Content, out var root, out var rootProblem))
        {
            return await FailAsync(new Problem(DiagnosticCode.InvalidTrustedRoot, rootProblem!.Message, TufRepositories.TrustedRootTarget)).ConfigureAwait(false);
        }

        var verb = request.Offline ? "verified the cached" : "updated the";
        await output.Output.WriteLineAsync($"{verb} trusted root from {repository.Url} (TUF root version {target.State.RootVersion}) into {options.CacheDirectory}").ConfigureAwait(false);
        await WriteAsync(root!, $"TUF repository {repository.Url}", target.State, options.CacheDirectory).ConfigureAwait(false);
        return ExitCodes.Verified;
    }

    public async Task<int> ShowAsync(TufRequest request, CancellationToken cancellationToken)
    {
        var (repository, problem) = await TufRepositories.ResolveAsync(request.Url, request.RootPath, cancellationToken).ConfigureAwait(false);
        if (repository is null)
        {
            return await FailAsync(problem!).ConfigureAwait(false);
        }

        var choice = await ChooseAsync(request, repository, updateWith: null, cancellationToken).ConfigureAwait(false);
        if (choice.Root is null)
        {
            return await FailAsync(choice.Problem!).ConfigureAwait(false);
        }

        await WriteAsync(choice.Root, choice.Source, choice.State, TufRepositories.CacheDirectory(CacheRoot(request), repository.Url)).ConfigureAwait(false);
        return ExitCodes.Verified;
    }

    /// <summary>The root to use; <paramref name="updateWith"/> is the client to refresh it through, or null to use only the cache and the embedded root.</summary>
    private async Task<TrustedRootChoice> ChooseAsync(TufRequest request, TufRepository repository, HttpFetcher? updateWith, CancellationToken cancellationToken)
    {
        var choice = await TufTrustedRoots.ResolveAsync(new TrustedRootRequest
        {
            Repository = repository,
            CacheRoot = CacheRoot(request),
            Update = updateWith is not null,
            EmbeddedFallback = ReferenceEquals(repository, TufRepositories.PublicGood),
            Fetcher = updateWith,
            TimeProvider = time,
        }, cancellationToken).ConfigureAwait(false);
        foreach (var warning in choice.Warnings)
        {
            await output.Error.WriteLineAsync("warning: " + warning).ConfigureAwait(false);
        }

        return choice;
    }

    private TufClientOptions ClientOptions(TufRequest request, TufRepository repository) => new()
    {
        RepositoryUrl = repository.Url,
        InitialRoot = repository.InitialRoot,
        CacheDirectory = TufRepositories.CacheDirectory(CacheRoot(request), repository.Url),
        TimeProvider = time,
    };

    private string CacheRoot(TufRequest request) =>
        TufRepositories.CacheRoot(request.CacheDirectory, name => name == TufRepositories.CacheVariable
            ? configuration["TUF_CACHE"]
            : Environment.GetEnvironmentVariable(name));

    private async Task<int> FailAsync(Problem problem)
    {
        await output.Error.WriteLineAsync("error: " + problem).ConfigureAwait(false);
        return problem.Code.IsInputError() ? ExitCodes.UsageError : ExitCodes.NotVerified;
    }

    private async Task WriteAsync(TrustedRoot root, string source, TufTrustState? state, string cacheDirectory)
    {
        var now = time.GetUtcNow();
        var text = output.Output;
        await text.WriteLineAsync($"source: {source}").ConfigureAwait(false);
        if (state is not null)
        {
            await text.WriteLineAsync($"cache: {cacheDirectory}").ConfigureAwait(false);
            await text.WriteLineAsync(state.UpdatedAt is { } at
                ? Invariant($"updated: {Time(at)} ({(now - at).TotalDays:0.#} days ago)")
                : "updated: unknown").ConfigureAwait(false);
            await text.WriteLineAsync(Invariant(
                $"TUF metadata: root v{state.RootVersion} expires {Time(state.RootExpires)}; targets v{state.TargetsVersion} expires {Time(state.TargetsExpires)}; snapshot expires {Time(state.SnapshotExpires)}; timestamp expires {Time(state.TimestampExpires)}"))
                .ConfigureAwait(false);
        }

        await SectionAsync("certificate authorities (Fulcio)", root.CertificateAuthorities.Select(a => $"{a.Uri}  {Window(a.ValidFor)}  {Subject(a)}")).ConfigureAwait(false);
        await SectionAsync("transparency logs (Rekor)", root.TransparencyLogs.Select(l => $"{l.BaseUrl}  {Window(l.ValidFor)}  {l.KeyDetails}")).ConfigureAwait(false);
        await SectionAsync("certificate transparency logs", root.CertificateTransparencyLogs.Select(l => $"{l.BaseUrl}  {Window(l.ValidFor)}  {l.KeyDetails}")).ConfigureAwait(false);
        await SectionAsync("timestamp authorities", root.TimestampAuthorities.Select(a => $"{a.Uri}  {Window(a.ValidFor)}  {Subject(a)}")).ConfigureAwait(false);
    }

    private async Task SectionAsync(string title, IEnumerable<string> lines)
    {
        await output.Output.WriteLineAsync(title + ":").ConfigureAwait(false);
        foreach (var line in lines)
        {
            await output.Output.WriteLineAsync("  " + line).ConfigureAwait(false);
        }
    }

    private static string Subject(CertificateAuthority authority)
    {
        if (authority.Certificates.IsEmpty)
        {
            return "";
        }

        try
        {
            using var certificate = X509CertificateLoader.LoadCertificate(authority.Certificates[0].Span);
            return certificate.Subject;
        }
        catch (CryptographicException)
        {
            return "(certificate not readable)";
        }
    }

    private static string Window(ValidityPeriod period) => $"valid {Time(period.Start)} to {(period.End is { } end ? Time(end) : "now (open)")}";

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
