using System.Collections.Concurrent;
using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using StatefulGuard.Core.Cluster;

namespace StatefulGuard.Serve;

/// <summary>How a <see cref="WatchCache{T, TList}"/> reaches the apiserver for one kind.</summary>
internal sealed record WatchSource<T, TList>(
    string Kind,
    Func<string? /*continue*/, CancellationToken, Task<TList>> ListPage,
    Func<string /*resourceVersion*/, int /*timeoutSeconds*/, Action<Exception>, CancellationToken, IAsyncEnumerable<(WatchEventType, T)>> Watch);

/// <summary>
/// A list+watch cache of one kind, as client-go's reflector keeps one: list (in pages), then watch from the
/// list's resourceVersion; re-watch from the last seen version when a watch ends, re-list on 410 Gone,
/// back off while the apiserver is unreachable, and keep serving the last known state meanwhile.
/// </summary>
internal sealed partial class WatchCache<T, TList>
    where T : class, IKubernetesObject<V1ObjectMeta>
    where TList : IKubernetesObject<V1ListMeta>, IItems<T>
{
    private readonly WatchSource<T, TList> source;
    private readonly ILogger logger;
    private readonly TimeSpan watchTimeout;
    private readonly TimeSpan maxBackoff;
    private volatile ConcurrentDictionary<(string Namespace, string Name), T> store = new();
    private volatile bool synced;
    private string resourceVersion = "";

    public WatchCache(WatchSource<T, TList> source, ILogger logger, TimeSpan watchTimeout, TimeSpan maxBackoff)
    {
        this.source = source;
        this.logger = logger;
        this.watchTimeout = watchTimeout;
        this.maxBackoff = maxBackoff;
    }

    public string Kind => source.Kind;

    /// <summary>True once the first list has completed; stays true while the apiserver is unreachable.</summary>
    public bool Synced => synced;

    /// <summary>When the cache last heard from the apiserver (list, event or bookmark).</summary>
    public DateTimeOffset LastContact { get; private set; }

    public int Count => store.Count;

    public Lookup<T> Get(string @namespace, string name) =>
        synced ? Lookup<T>.Of(store.GetValueOrDefault((@namespace, name))) : Lookup<T>.Unknown;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var backoff = TimeSpan.Zero;
        var needList = true;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (needList)
                {
                    await ListAsync(cancellationToken);
                    needList = false;
                }

                backoff = TimeSpan.Zero;
                needList = await WatchAsync(cancellationToken);
                continue;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (HttpOperationException ex) when (ex.Response?.StatusCode == HttpStatusCode.Gone)
            {
                LogGone(logger, Kind);
                needList = true;
                ClusterMetrics.WatchRestarts.WithLabels(Kind, "gone").Inc();
                continue;
            }
            catch (Exception ex) when (ex is HttpRequestException or HttpOperationException or IOException
                                           or KubernetesException or System.Text.Json.JsonException or OperationCanceledException)
            {
                ClusterMetrics.WatchRestarts.WithLabels(Kind, "error").Inc();
                backoff = NextBackoff(backoff);
                LogUnreachable(logger, Kind, ex.Message, backoff.TotalSeconds, synced);
            }

            try
            {
                await Task.Delay(backoff, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task ListAsync(CancellationToken cancellationToken)
    {
        var fresh = new ConcurrentDictionary<(string, string), T>();
        string? continueToken = null;
        string version;
        do
        {
            var page = await source.ListPage(continueToken, cancellationToken);
            foreach (var item in page.Items)
            {
                fresh[Key(item)] = item;
            }

            continueToken = page.Metadata?.ContinueProperty;
            version = page.Metadata?.ResourceVersion ?? "";
        }
        while (!string.IsNullOrEmpty(continueToken));

        // Swap the whole map so a lookup never sees a half-built list.
        store = fresh;
        resourceVersion = version;
        LastContact = DateTimeOffset.UtcNow;
        var first = !synced;
        synced = true;
        ClusterMetrics.CacheSynced.WithLabels(Kind).Set(1);
        ClusterMetrics.CacheObjects.WithLabels(Kind).Set(fresh.Count);
        LogListed(logger, Kind, fresh.Count, version, first);
    }

    /// <returns>True when the cache must re-list (the watch's resourceVersion expired).</returns>
    private async Task<bool> WatchAsync(CancellationToken cancellationToken)
    {
        var gone = false;
        Exception? streamError = null;
        var timeoutSeconds = (int)watchTimeout.TotalSeconds;

        // A watch whose connection silently died would otherwise hang forever: give up when nothing arrives
        // well past the server-side timeout.
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var idleLimit = watchTimeout + TimeSpan.FromSeconds(30);
        idle.CancelAfter(idleLimit);

        var events = source.Watch(
            resourceVersion,
            timeoutSeconds,
            ex =>
            {
                if (ex is KubernetesException { Status.Code: (int)HttpStatusCode.Gone })
                {
                    gone = true;
                }
                else
                {
                    streamError = ex;
                }
            },
            idle.Token);

        try
        {
            await foreach (var (type, item) in events)
            {
                idle.CancelAfter(idleLimit);
                LastContact = DateTimeOffset.UtcNow;
                if (item?.Metadata?.ResourceVersion is { Length: > 0 } version)
                {
                    resourceVersion = version;
                }

                switch (type)
                {
                    case WatchEventType.Added or WatchEventType.Modified:
                        store[Key(item!)] = item!;
                        break;
                    case WatchEventType.Deleted:
                        store.TryRemove(Key(item!), out _);
                        break;
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new IOException($"no watch event for {idleLimit.TotalSeconds:0} s");
        }

        ClusterMetrics.CacheObjects.WithLabels(Kind).Set(store.Count);
        if (gone)
        {
            LogGone(logger, Kind);
            ClusterMetrics.WatchRestarts.WithLabels(Kind, "gone").Inc();
            return true;
        }

        if (streamError is not null)
        {
            throw new IOException($"watch stream error: {streamError.Message}", streamError);
        }

        return false;
    }

    private TimeSpan NextBackoff(TimeSpan current)
    {
        var next = current == TimeSpan.Zero ? TimeSpan.FromMilliseconds(200) : current * 2;
        if (next > maxBackoff)
        {
            next = maxBackoff;
        }

        // Jitter keeps many replicas from hammering a recovering apiserver in step.
        return next * (0.8 + (Random.Shared.NextDouble() * 0.4));
    }

    private static (string, string) Key(T item) => (item.Metadata?.NamespaceProperty ?? "", item.Metadata?.Name ?? "");

    [LoggerMessage(Level = LogLevel.Information, Message = "Cache {Kind}: listed {Count} objects at resourceVersion {ResourceVersion} (first sync: {FirstSync})")]
    private static partial void LogListed(ILogger logger, string kind, int count, string resourceVersion, bool firstSync);

    [LoggerMessage(Level = LogLevel.Information, Message = "Cache {Kind}: resourceVersion expired (410 Gone), re-listing")]
    private static partial void LogGone(ILogger logger, string kind);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cache {Kind}: apiserver unreachable ({Error}); retrying in {BackoffSeconds:0.0} s, serving last known state: {Synced}")]
    private static partial void LogUnreachable(ILogger logger, string kind, string error, double backoffSeconds, bool synced);
}
