using k8s;
using k8s.Models;
using Microsoft.Extensions.Options;
using StatefulGuard.Configuration;
using StatefulGuard.Core.Cluster;
using ServerVersion = StatefulGuard.Core.Cluster.ServerVersion;

namespace StatefulGuard.Serve;

/// <summary>
/// The webhook's view of the cluster: one watch cache per kind, filled in the background. Lookups never
/// call the apiserver. Without cluster access every lookup is <see cref="LookupState.Unknown"/>.
/// </summary>
internal sealed partial class KubernetesClusterView : BackgroundService, IClusterView
{
    // One cache per declared kind (none without a cluster).
    private readonly Dictionary<ClusterKind, IWatchCache> caches = [];
    private readonly ILogger<KubernetesClusterView> logger;
    private readonly string? target;
    private readonly IKubernetes? client;
    private volatile ServerVersion? serverVersion;

    public KubernetesClusterView(ClusterConnection connection, IOptions<StatefulGuardOptions> options, ILogger<KubernetesClusterView> logger)
    {
        this.logger = logger;
        target = connection.Description;
        client = connection.Client;
        if (client is null)
        {
            return;
        }

        var cluster = options.Value.Cluster;
        var factory = new CacheFactory(this, client, logger, TimeSpan.FromSeconds(cluster.WatchTimeoutSeconds), TimeSpan.FromSeconds(cluster.MaxBackoffSeconds));
        foreach (var kind in ClusterKinds.All)
        {
            var cache = kind.Accept(factory);
            cache.Restarted += reason => CacheRestarted?.Invoke(kind, reason);
            caches[kind] = cache;
        }
    }

    /// <summary>Raised on a cache's loop with what a watch event or a (re-)list changed of a kind.</summary>
    public event Action<ClusterKind, CacheChange>? Changed;

    /// <summary>Raised when a cache's list/watch loop restarts (gone: re-list; error: the apiserver unreachable).</summary>
    public event Action<ClusterKind, string>? CacheRestarted;

    private sealed class CacheFactory(KubernetesClusterView view, IKubernetes client, ILogger logger, TimeSpan watchTimeout, TimeSpan maxBackoff)
        : IClusterKindVisitor<IWatchCache>
    {
        public IWatchCache Visit<T, TList, TCached>(ClusterKind<T, TList, TCached> kind)
            where T : class, IKubernetesObject<V1ObjectMeta>
            where TList : class, IKubernetesObject<V1ListMeta>, IItems<T>
            where TCached : class
        {
            var cache = new WatchCache<T, TList, TCached>(KindClient.Source(client, kind), logger, watchTimeout, maxBackoff);
            cache.Changed += change =>
            {
                view.CheckSynced();
                view.Changed?.Invoke(kind, change);
            };
            return cache;
        }
    }

    /// <summary>Whether the cluster serves StatefulGuardExceptions (its CRD installed); until then none apply.</summary>
    public bool ExceptionsInstalled => caches.GetValueOrDefault(ClusterKinds.Exception)?.Installed ?? false;

    /// <summary>False when running without a cluster.</summary>
    public bool Connected => client is not null;

    /// <summary>True when every cache has completed its first list and the version is known (or there is no cluster to wait for).</summary>
    public bool Synced => !Connected || (caches.Values.All(c => c.Synced) && serverVersion is not null);

    private readonly TaskCompletionSource synced = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once <see cref="Synced"/> is first true (at once without a cluster).</summary>
    public Task WhenSynced => synced.Task;

    private readonly Lock settling = new();

    /// <summary>How many collections followed lists (one, after the first lists; re-lists leave theirs to the trimmer).</summary>
    public int SettleCollections { get; private set; }

    private void CheckSynced()
    {
        if (synced.Task.IsCompleted || !Synced)
        {
            return;
        }

        if (Connected)
        {
            // Whichever cache loop gets here first collects; the others wait for it, so nothing reports ready before.
            lock (settling)
            {
                if (SettleCollections == 0)
                {
                    SettleAfterFirstLists();
                    SettleCollections++;
                }
            }
        }

        synced.TrySetResult();
    }

    /// <summary>
    /// The first lists read every object of every kind, page by page, and keep a few hundred bytes of each: what they
    /// leave behind is garbage several times the size of the caches, and the collector has no reason to return it
    /// while the webhook is quiet. One compacting collection before the webhook reports ready gives it back (100,000
    /// Services, 20,000 StatefulSets and PodDisruptionBudgets: see the scale table in docs/performance.md), at the
    /// cost of one pause before any admission is answered rather than during one.
    /// </summary>
    private void SettleAfterFirstLists()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        var heap = GC.GetGCMemoryInfo().HeapSizeBytes;
        LogSettled(logger, clock.Elapsed.TotalMilliseconds, heap / (1024.0 * 1024));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Caches listed: collected the lists' garbage in {Milliseconds:0} ms, managed heap {HeapMegabytes:0.0} MB")]
    private static partial void LogSettled(ILogger logger, double milliseconds, double heapMegabytes);

    public IEnumerable<(string Kind, bool Synced, int Count, DateTimeOffset LastContact)> Caches =>
        caches.Values.Select(c => (c.Kind, c.Synced, c.Count, c.LastContact));

    /// <summary>The cache of a declared kind; null without a cluster.</summary>
    public IWatchCache<TCached>? Cache<TCached>(ClusterKind<TCached> kind)
        where TCached : class => caches.GetValueOrDefault(kind) as IWatchCache<TCached>;

    public Lookup<TCached> Get<TCached>(ClusterKind<TCached> kind, string @namespace, string name)
        where TCached : class =>
        Cache(kind)?.Get(kind.Namespaced ? @namespace : "", name) ?? Lookup<TCached>.Unknown;

    public Lookup<IReadOnlyList<TCached>> List<TCached>(ClusterKind<TCached> kind, string @namespace)
        where TCached : class =>
        Cache(kind)?.List(kind.Namespaced ? @namespace : "") ?? Lookup<IReadOnlyList<TCached>>.Unknown;

    /// <summary>Read from <c>/version</c> at start and every ten minutes (control planes get upgraded under running webhooks).</summary>
    public ServerVersion? ServerVersion => serverVersion;

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!Connected)
        {
            LogOffline(logger);
            CheckSynced();
            return Task.CompletedTask;
        }

        LogConnecting(logger, target ?? "?");
        return Task.WhenAll(caches.Values.Select(c => c.RunAsync(stoppingToken)).Append(PollVersionAsync(stoppingToken)));
    }

    private async Task PollVersionAsync(CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromSeconds(1);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var info = await client!.Version.GetCodeAsync(stoppingToken);
                var version = Core.Cluster.ServerVersion.Parse(info.GitVersion, info.Major, info.Minor);
                if (version != serverVersion)
                {
                    LogVersion(logger, info.GitVersion ?? "?");
                }

                serverVersion = version;
                CheckSynced();
                delay = TimeSpan.FromMinutes(10);
            }
            catch (Exception ex) when (ex is HttpRequestException or k8s.Autorest.HttpOperationException or IOException or System.Text.Json.JsonException)
            {
                delay = TimeSpan.FromSeconds(Math.Min(delay.TotalSeconds * 2, 60));
            }

            try
            {
                await Task.Delay(delay, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Kubernetes version {Version}")]
    private static partial void LogVersion(ILogger logger, string version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No cluster access: Service lookups cannot be verified and are reported as warnings")]
    private static partial void LogOffline(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Watching the cluster at {Target}")]
    private static partial void LogConnecting(ILogger logger, string target);
}
