using System.Collections.Concurrent;
using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using StatefulGuard.Core.Cluster;

namespace StatefulGuard.Serve;

/// <summary>How a <see cref="WatchCache{T, TList, TCached}"/> reaches the apiserver for one kind, and what it keeps of each object.</summary>
/// <param name="Optional">
/// A kind the cluster may not serve (a custom resource whose CRD is not installed): a 404 on the list leaves the cache
/// synced and empty, says so once, and the list is tried again every <c>OptionalRetry</c> until the kind appears.
/// </param>
/// <param name="Project">What the cache keeps of each object (<see cref="ClusterKind{T, TList, TCached}.Project"/>).</param>
internal sealed record WatchSource<T, TList, TCached>(
    string Kind,
    Func<string? /*continue*/, CancellationToken, Task<TList>> ListPage,
    Func<string /*resourceVersion*/, int /*timeoutSeconds*/, Action<Exception>, CancellationToken, IAsyncEnumerable<(WatchEventType, T)>> Watch,
    Func<T, TCached> Project,
    bool Optional = false)
    where T : class, IKubernetesObject<V1ObjectMeta>;

/// <summary>What readiness and start-up need of any cache, whatever its kind.</summary>
internal interface IWatchCache
{
    string Kind { get; }

    bool Synced { get; }

    int Count { get; }

    DateTimeOffset LastContact { get; }

    /// <summary>False while an optional kind is not served by the cluster (its CRD is not installed).</summary>
    bool Installed { get; }

    /// <summary>Raised when the list/watch loop restarts, with the reason counted in <c>statefulguard_cluster_watch_restarts_total</c>.</summary>
    event Action<string>? Restarted;

    Task RunAsync(CancellationToken cancellationToken);
}

/// <summary>The lookups of a cache that keeps <typeparamref name="TCached"/> of each object.</summary>
internal interface IWatchCache<TCached> : IWatchCache
    where TCached : class
{
    Lookup<TCached> Get(string @namespace, string name);

    Lookup<IReadOnlyList<TCached>> List(string @namespace);

    /// <summary>What is kept of every object in every namespace (a copy).</summary>
    IReadOnlyList<TCached> All();
}

/// <summary>
/// What changed in a cache: after a watch event, the one object it named and the whole object as the event brought
/// it; after a (re-)list, every object listed and no whole ones (the cache keeps only its kind's projection).
/// </summary>
internal sealed record CacheChange(IReadOnlyList<ObjectKey> Keys, IKubernetesObject<V1ObjectMeta>? Whole);

/// <summary>Where an object is: its namespace ("" for cluster-scoped kinds) and name.</summary>
internal readonly record struct ObjectKey(string Namespace, string Name);

/// <summary>
/// A list+watch cache of one kind, as client-go's reflector keeps one: list (in pages), then watch from the
/// list's resourceVersion; re-watch from the last seen version when a watch ends, re-list on 410 Gone,
/// back off while the apiserver is unreachable, and keep serving the last known state meanwhile.
/// </summary>
internal sealed partial class WatchCache<T, TList, TCached> : IWatchCache<TCached>
    where T : class, IKubernetesObject<V1ObjectMeta>
    where TList : IKubernetesObject<V1ListMeta>, IItems<T>
    where TCached : class
{
    private readonly WatchSource<T, TList, TCached> source;
    private readonly ILogger logger;
    private readonly TimeSpan watchTimeout;
    private readonly TimeSpan maxBackoff;
    // Namespace → its objects, so a namespace's objects are listed without scanning the cluster. One writer (the
    // loop below) and many readers (every admission): a namespace's bucket is never changed once published but
    // replaced, so readers take no lock and a list is the bucket's own array, not a copy per lookup. A watch event
    // costs a copy of its own namespace's bucket (namespaces hold tens to hundreds of objects of a kind).
    private volatile ConcurrentDictionary<string, Bucket> store = new(StringComparer.Ordinal);
    private volatile bool synced;
    private string resourceVersion = "";

    public WatchCache(WatchSource<T, TList, TCached> source, ILogger logger, TimeSpan watchTimeout, TimeSpan maxBackoff)
    {
        this.source = source;
        this.logger = logger;
        this.watchTimeout = watchTimeout;
        this.maxBackoff = maxBackoff;
    }

    public string Kind => source.Kind;

    /// <summary>True once the first list has completed; stays true while the apiserver is unreachable.</summary>
    public bool Synced => synced;

    /// <summary>False while an optional kind is not served by the cluster (its CRD is not installed).</summary>
    public bool Installed { get; private set; } = true;

    /// <summary>How long an optional kind that is not served waits before the next list.</summary>
    public static readonly TimeSpan OptionalRetry = TimeSpan.FromSeconds(30);

    /// <summary>When the cache last heard from the apiserver (list, event or bookmark).</summary>
    public DateTimeOffset LastContact { get; private set; }

    public int Count => CountOf(store);

    public Lookup<TCached> Get(string @namespace, string name) =>
        synced ? Lookup<TCached>.Of(store.GetValueOrDefault(@namespace)?.ByName.GetValueOrDefault(name)) : Lookup<TCached>.Unknown;

    /// <summary>Every object in the namespace ("" for cluster-scoped kinds).</summary>
    public Lookup<IReadOnlyList<TCached>> List(string @namespace) =>
        synced
            ? Lookup<IReadOnlyList<TCached>>.Found(store.GetValueOrDefault(@namespace)?.Items ?? [])
            : Lookup<IReadOnlyList<TCached>>.Unknown;

    public IReadOnlyList<TCached> All() => [.. store.Values.SelectMany(b => b.Items)];

    /// <summary>One namespace's objects as published to readers: by name, and as a list.</summary>
    private sealed class Bucket
    {
        public Bucket(Dictionary<string, TCached> byName)
        {
            ByName = byName;
            Items = [.. byName.Values];
        }

        public Dictionary<string, TCached> ByName { get; }

        public TCached[] Items { get; }
    }

    // Enumerating a ConcurrentDictionary takes no lock (its Values property takes them all).
    private static int CountOf(ConcurrentDictionary<string, Bucket> map) => map.Sum(entry => entry.Value.Items.Length);

    /// <summary>Raised on the cache's loop after each change a watch brings and after each (re-)list.</summary>
    public event Action<CacheChange>? Changed;

    public event Action<string>? Restarted;

    /// <summary>Counts a restart of the list/watch loop (gone: re-list; error: the apiserver unreachable) and says so.</summary>
    private void Restart(string reason)
    {
        ClusterMetrics.WatchRestarts.WithLabels(Kind, reason).Inc();
        Restarted?.Invoke(reason);
    }

    /// <summary>Adds or replaces one object: its namespace's bucket is copied with the change and swapped in.</summary>
    private void Put(T item)
    {
        var (ns, name) = Key(item);
        var byName = store.TryGetValue(ns, out var bucket) ? new Dictionary<string, TCached>(bucket.ByName, StringComparer.Ordinal) : new(StringComparer.Ordinal);
        byName[name] = source.Project(item);
        store[ns] = new Bucket(byName);
    }

    private void Remove(T item)
    {
        var (ns, name) = Key(item);
        if (store.TryGetValue(ns, out var bucket) && bucket.ByName.ContainsKey(name))
        {
            var byName = new Dictionary<string, TCached>(bucket.ByName, StringComparer.Ordinal);
            byName.Remove(name);
            store[ns] = new Bucket(byName);
        }
    }

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
                    Installed = true;
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
            catch (HttpOperationException ex) when (source.Optional && needList && ex.Response?.StatusCode == HttpStatusCode.NotFound)
            {
                // Not served: the webhook runs without this kind, ready, and looks again later.
                if (Installed)
                {
                    LogNotInstalled(logger, Kind, OptionalRetry.TotalSeconds);
                }

                Installed = false;
                store = new ConcurrentDictionary<string, Bucket>(StringComparer.Ordinal);
                synced = true;
                Changed?.Invoke(new CacheChange([], null));
                backoff = OptionalRetry;
            }
            catch (HttpOperationException ex) when (ex.Response?.StatusCode == HttpStatusCode.Gone)
            {
                LogGone(logger, Kind);
                needList = true;
                Restart("gone");
                continue;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Whatever the client or the connection throws (not only the usual network and HTTP errors), the
                // cache backs off and tries again: a loop that ended here would leave the webhook answering from a
                // cache that never changes again.
                Restart("error");
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
        var namespaces = new Dictionary<string, Dictionary<string, TCached>>(StringComparer.Ordinal);
        string? continueToken = null;
        string version;
        do
        {
            var page = await source.ListPage(continueToken, cancellationToken);
            foreach (var item in page.Items)
            {
                var (ns, name) = Key(item);
                if (!namespaces.TryGetValue(ns, out var byName))
                {
                    namespaces[ns] = byName = new Dictionary<string, TCached>(StringComparer.Ordinal);
                }

                byName[name] = source.Project(item);
            }

            continueToken = page.Metadata?.ContinueProperty;
            version = page.Metadata?.ResourceVersion ?? "";
        }
        while (!string.IsNullOrEmpty(continueToken));

        // Swap the whole map so a lookup never sees a half-built list.
        var fresh = new ConcurrentDictionary<string, Bucket>(
            namespaces.Select(entry => KeyValuePair.Create(entry.Key, new Bucket(entry.Value))), StringComparer.Ordinal);
        store = fresh;
        resourceVersion = version;
        LastContact = DateTimeOffset.UtcNow;
        var first = !synced;
        synced = true;
        ClusterMetrics.CacheSynced.WithLabels(Kind).Set(1);
        var count = CountOf(fresh);
        ClusterMetrics.CacheObjects.WithLabels(Kind).Set(count);
        LogListed(logger, Kind, count, version, first);
        Changed?.Invoke(new CacheChange([.. fresh.SelectMany(entry => entry.Value.ByName.Keys.Select(name => new ObjectKey(entry.Key, name)))], null));
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
                        Put(item!);
                        Changed?.Invoke(new CacheChange([Key(item!)], item));
                        break;
                    case WatchEventType.Deleted:
                        Remove(item!);
                        Changed?.Invoke(new CacheChange([Key(item!)], item));
                        break;
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new IOException($"no watch event for {idleLimit.TotalSeconds:0} s");
        }

        ClusterMetrics.CacheObjects.WithLabels(Kind).Set(Count);
        if (gone)
        {
            LogGone(logger, Kind);
            Restart("gone");
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

    private static ObjectKey Key(T item) => new(item.Metadata?.NamespaceProperty ?? "", item.Metadata?.Name ?? "");

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Kind} is not served by the cluster (its CustomResourceDefinition is not installed): running without it, looking again every {Seconds} s")]
    private static partial void LogNotInstalled(ILogger logger, string kind, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Cache {Kind}: listed {Count} objects at resourceVersion {ResourceVersion} (first sync: {FirstSync})")]
    private static partial void LogListed(ILogger logger, string kind, int count, string resourceVersion, bool firstSync);

    [LoggerMessage(Level = LogLevel.Information, Message = "Cache {Kind}: resourceVersion expired (410 Gone), re-listing")]
    private static partial void LogGone(ILogger logger, string kind);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cache {Kind}: apiserver unreachable ({Error}); retrying in {BackoffSeconds:0.0} s, serving last known state: {Synced}")]
    private static partial void LogUnreachable(ILogger logger, string kind, string error, double backoffSeconds, bool synced);
}
