using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using StatefulGuard.Core.Cluster.Api;

namespace StatefulGuard.Core.Cluster.Watch;

/// <summary>
/// A list+watch cache of one kind, as client-go's reflector keeps one: list (in pages), then watch from the list's
/// resourceVersion; re-watch from the last seen version when a watch ends, re-list on 410 Gone, back off (honouring
/// Retry-After) while the apiserver fails, and keep serving the last known state meanwhile. Whatever the apiserver or
/// the connection does (a hang, a reset, a truncated or malformed answer, any error status), the loop goes on until
/// shutdown; an object that cannot be read is skipped and reported through <see cref="Malformed"/>.
/// </summary>
public sealed partial class WatchCache<T, TCached> : IWatchCache<TCached>
    where T : class, IKubernetesObject<V1ObjectMeta>
    where TCached : class
{
    /// <summary>How long an optional kind that is not served waits before the next list.</summary>
    public static readonly TimeSpan OptionalRetry = TimeSpan.FromSeconds(30);

    private readonly WatchSource<T, TCached> source;
    private readonly ILogger logger;
    private readonly TimeSpan watchTimeout;
    private readonly TimeSpan maxBackoff;
    private readonly TimeProvider clock;
    private readonly LoopHealth health;
    private readonly CacheStore<TCached> store = new();
    private volatile bool synced;
    private string resourceVersion = "";

    public WatchCache(WatchSource<T, TCached> source, ILogger logger, TimeSpan watchTimeout, TimeSpan maxBackoff, TimeProvider? clock = null)
    {
        this.source = source;
        this.logger = logger;
        this.watchTimeout = watchTimeout;
        this.maxBackoff = maxBackoff;
        this.clock = clock ?? TimeProvider.System;
        health = new LoopHealth(logger, $"Cache {source.Kind}");
    }

    public string Kind => source.Kind;

    public bool Synced => synced;

    public bool Installed { get; private set; } = true;

    public DateTimeOffset LastContact { get; private set; }

    public int Count => store.Count;

    /// <summary>Whether the loop's last attempt failed (the apiserver unreachable, an error, an answer that could not be read).</summary>
    public bool Failing => health.Failing;

    public event Action<CacheChange>? Changed;

    public event Action<string>? Restarted;

    public event Action<MalformedObject>? Malformed;

    /// <summary>Raised after each (re-)list with the number of objects held and whether it was the first.</summary>
    public event Action<int, bool>? Listed;

    public Lookup<TCached> Get(string @namespace, string name) =>
        synced ? Lookup<TCached>.Of(store.Get(@namespace, name)) : Lookup<TCached>.Unknown;

    public Lookup<IReadOnlyList<TCached>> List(string @namespace) =>
        synced ? Lookup<IReadOnlyList<TCached>>.Found(store.List(@namespace)) : Lookup<IReadOnlyList<TCached>>.Unknown;

    public IReadOnlyList<TCached> All() => store.All();

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var backoff = TimeSpan.Zero;
        var needList = true;
        var relistedSinceGone = true;
        while (!cancellationToken.IsCancellationRequested)
        {
            TimeSpan wait;
            try
            {
                if (needList)
                {
                    await ListAsync(cancellationToken);
                    Installed = true;
                    needList = false;
                    relistedSinceGone = true;
                    backoff = TimeSpan.Zero;
                    health.Succeeded();
                }

                if (await WatchAsync(cancellationToken))
                {
                    backoff = TimeSpan.Zero;
                    continue;
                }

                // A watch that ended without bringing anything (not even a bookmark) is not tried again at once: an
                // apiserver or proxy that ends every watch at once would otherwise be asked again and again without pause.
                backoff = Backoff.Next(backoff, maxBackoff);
                wait = backoff;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (ApiException ex) when (source.Optional && needList && ex.IsNotFound)
            {
                // Not served: the webhook runs without this kind, ready, and looks again later.
                if (Installed)
                {
                    LogNotInstalled(logger, Kind, OptionalRetry.TotalSeconds);
                }

                Installed = false;
                store.Replace([]);
                synced = true;
                health.Succeeded();
                Changed?.Invoke(new CacheChange([], null));
                wait = OptionalRetry;
            }
            catch (ApiException ex) when (ex.IsGone && relistedSinceGone)
            {
                // The version is too old: list again at once (but only once in a row; a list that is itself gone backs off).
                LogGone(logger, Kind);
                Restarted?.Invoke("gone");
                needList = true;
                relistedSinceGone = false;
                continue;
            }
            catch (Exception ex)
            {
                // Whatever the client, the connection or the answer throws, the cache backs off and tries again: a loop that
                // ended here would leave the webhook answering from a cache that never changes again.
                Restarted?.Invoke(ex is ApiException { IsGone: true } ? "gone" : "error");
                needList |= ex is ApiException { IsGone: true };
                backoff = Backoff.Next(backoff, maxBackoff, ex);
                health.Failed(ex, backoff);
                wait = backoff;
            }

            try
            {
                await Task.Delay(wait, clock, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private void Report(MalformedObject malformed) => Malformed?.Invoke(malformed);

    private async Task ListAsync(CancellationToken cancellationToken)
    {
        var namespaces = new Dictionary<string, Dictionary<string, TCached>>(StringComparer.Ordinal);
        string? continueToken = null;
        string version;
        do
        {
            var page = await source.ListPage(continueToken, Report, cancellationToken);
            foreach (var item in page.Items)
            {
                var key = ObjectKey.Of(item);
                if (Project(item) is not { } kept)
                {
                    continue;
                }

                if (!namespaces.TryGetValue(key.Namespace, out var byName))
                {
                    namespaces[key.Namespace] = byName = new Dictionary<string, TCached>(StringComparer.Ordinal);
                }

                byName[key.Name] = kept;
            }

            continueToken = page.Continue;
            version = page.ResourceVersion;
        }
        while (!string.IsNullOrEmpty(continueToken));

        store.Replace(namespaces);
        resourceVersion = version;
        LastContact = clock.GetUtcNow();
        var first = !synced;
        synced = true;
        var count = store.Count;
        LogListed(logger, Kind, count, version, first);
        Listed?.Invoke(count, first);
        Changed?.Invoke(new CacheChange(store.Keys(), null));
    }

    /// <summary>What is kept of an object; null (reported as malformed) when the projection cannot read it.</summary>
    private TCached? Project(T item)
    {
        try
        {
            return source.Project(item);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or FormatException or NullReferenceException or InvalidCastException)
        {
            Report(new MalformedObject(Kind, "cache", ObjectKey.Of(item).ToString(), ex.Message));
            return null;
        }
    }

    /// <returns>Whether the watch brought anything (an event or a bookmark) before it ended.</returns>
    private async Task<bool> WatchAsync(CancellationToken cancellationToken)
    {
        var progressed = false;
        // A watch whose connection silently died would otherwise hang forever: give up when nothing arrives well past the
        // server-side timeout.
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var idleLimit = watchTimeout + TimeSpan.FromSeconds(30);
        idle.CancelAfter(idleLimit);
        try
        {
            await foreach (var change in source.Watch(resourceVersion, (int)watchTimeout.TotalSeconds, Report, idle.Token))
            {
                idle.CancelAfter(idleLimit);
                LastContact = clock.GetUtcNow();
                if (!progressed)
                {
                    progressed = true;
                    health.Succeeded();
                }

                if (change.ResourceVersion is { Length: > 0 } version)
                {
                    resourceVersion = version;
                }

                if (change.Object is not { } item)
                {
                    continue;
                }

                var key = ObjectKey.Of(item);
                switch (change.Type)
                {
                    case WatchEventType.Added or WatchEventType.Modified:
                        if (Project(item) is { } kept)
                        {
                            store.Put(key, kept);
                            Changed?.Invoke(new CacheChange([key], item));
                        }

                        break;
                    case WatchEventType.Deleted:
                        store.Remove(key);
                        Changed?.Invoke(new CacheChange([key], item));
                        break;
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"no watch event for {idleLimit.TotalSeconds:0} s");
        }

        return progressed;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Kind} is not served by the cluster (its CustomResourceDefinition is not installed): running without it, looking again every {Seconds} s")]
    private static partial void LogNotInstalled(ILogger logger, string kind, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Cache {Kind}: listed {Count} objects at resourceVersion {ResourceVersion} (first sync: {FirstSync})")]
    private static partial void LogListed(ILogger logger, string kind, int count, string resourceVersion, bool firstSync);

    [LoggerMessage(Level = LogLevel.Information, Message = "Cache {Kind}: resourceVersion expired (410 Gone), re-listing")]
    private static partial void LogGone(ILogger logger, string kind);
}
