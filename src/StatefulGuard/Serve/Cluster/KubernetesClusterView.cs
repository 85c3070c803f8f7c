using k8s;
using k8s.Models;
using Microsoft.Extensions.Options;
using StatefulGuard.Configuration;
using StatefulGuard.Core.Cluster;
using StatefulGuard.Core.Cluster.Api;
using StatefulGuard.Core.Cluster.Watch;

namespace StatefulGuard.Serve.Cluster;

/// <summary>
/// The webhook's view of the cluster: one watch cache per declared kind and the apiserver's version, kept in the
/// background. Lookups never call the apiserver. Without cluster access every lookup is <see cref="LookupState.Unknown"/>.
/// Nothing the apiserver does ends a loop here: each retries with backoff until shutdown.
/// </summary>
internal sealed partial class KubernetesClusterView : BackgroundService, IClusterView
{
    /// <summary>How often the apiserver's version is read again once known (control planes get upgraded under running webhooks).</summary>
    public static readonly TimeSpan VersionPoll = TimeSpan.FromMinutes(10);

    private readonly Dictionary<ClusterKind, IWatchCache> caches = [];
    private readonly ILogger<KubernetesClusterView> logger;
    private readonly KubeApi? api;
    private readonly string? target;
    private readonly TimeSpan maxBackoff;
    private readonly TimeProvider clock;
    private readonly LoopHealth versionHealth;
    private volatile ServerVersion? serverVersion;

    public KubernetesClusterView(ClusterConnection connection, IOptions<StatefulGuardOptions> options, MalformedObjectLog malformed,
        ILogger<KubernetesClusterView> logger, TimeProvider clock)
    {
        this.logger = logger;
        this.clock = clock;
        target = connection.Description;
        api = connection.Api;
        var cluster = options.Value.Cluster;
        maxBackoff = TimeSpan.FromSeconds(cluster.MaxBackoffSeconds);
        versionHealth = new LoopHealth(logger, "Apiserver version (/version)");
        if (api is null)
        {
            return;
        }

        var factory = new CacheFactory(this, api, logger, TimeSpan.FromSeconds(cluster.WatchTimeoutSeconds), maxBackoff, clock);
        foreach (var kind in ClusterKinds.All)
        {
            var cache = kind.Accept(factory);
            cache.Restarted += reason =>
            {
                ClusterMetrics.WatchRestarts.WithLabels(kind.Kind, reason).Inc();
                CacheRestarted?.Invoke(kind, reason);
            };
            cache.Malformed += malformed.Report;
            caches[kind] = cache;
        }
    }

    /// <summary>Raised on a cache's loop with what a watch event or a (re-)list changed of a kind.</summary>
    public event Action<ClusterKind, CacheChange>? Changed;

    /// <summary>Raised when a cache's list/watch loop restarts (gone: re-list; error: the apiserver failed).</summary>
    public event Action<ClusterKind, string>? CacheRestarted;

    /// <summary>Raised when readiness may have changed (a first list, the version read).</summary>
    public event Action? SyncChanged;

    private sealed class CacheFactory(KubernetesClusterView view, KubeApi api, ILogger logger, TimeSpan watchTimeout, TimeSpan maxBackoff, TimeProvider clock)
        : IClusterKindVisitor<IWatchCache>
    {
        public IWatchCache Visit<T, TList, TCached>(ClusterKind<T, TList, TCached> kind)
            where T : class, IKubernetesObject<V1ObjectMeta>
            where TList : class, IKubernetesObject<V1ListMeta>, IItems<T>
            where TCached : class
        {
            var cache = new WatchCache<T, TCached>(WatchSource<T, TCached>.For(api, kind), logger, watchTimeout, maxBackoff, clock);
            cache.Listed += (count, _) =>
            {
                ClusterMetrics.CacheSynced.WithLabels(kind.Kind).Set(1);
                ClusterMetrics.CacheObjects.WithLabels(kind.Kind).Set(count);
            };
            cache.Changed += change =>
            {
                if (change.Whole is not null)
                {
                    ClusterMetrics.CacheObjects.WithLabels(kind.Kind).Set(cache.Count);
                }

                // Those who follow the caches (reports, the exception monitor) see a list before readiness says it is in.
                view.Changed?.Invoke(kind, change);
                view.CheckSynced();
            };
            return cache;
        }
    }

    /// <summary>The API the caches read through; null without a cluster.</summary>
    public KubeApi? Api => api;

    /// <summary>Whether the cluster serves StatefulGuardExceptions (its CRD installed); until then none apply.</summary>
    public bool ExceptionsInstalled => caches.GetValueOrDefault(ClusterKinds.Exception)?.Installed ?? false;

    /// <summary>False when running without a cluster.</summary>
    public bool Connected => api is not null;

    /// <summary>True when every cache has completed its first list and the version is known (or there is no cluster to wait for).</summary>
    public bool Synced => !Connected || (caches.Values.All(c => c.Synced) && serverVersion is not null);

    private readonly TaskCompletionSource synced = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once <see cref="Synced"/> is first true (at once without a cluster).</summary>
    public Task WhenSynced => synced.Task;

    private readonly Lock settling = new();

    /// <summary>How many collections followed lists (one, after the first lists; re-lists leave theirs to the trimmer).</summary>
    public int SettleCollections { get; private set; }

    /// <summary>What is not synced yet, for readiness: the kinds not listed, and the version if unknown.</summary>
    public IReadOnlyList<string> Waiting =>
        [.. caches.Values.Where(c => !c.Synced).Select(c => c.Kind), .. serverVersion is null && Connected ? ["version"] : Array.Empty<string>()];

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
        SyncChanged?.Invoke();
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
        var watch = System.Diagnostics.Stopwatch.StartNew();
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        var heap = GC.GetGCMemoryInfo().HeapSizeBytes;
        LogSettled(logger, watch.Elapsed.TotalMilliseconds, heap / (1024.0 * 1024));
    }

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

    /// <summary>Read from <c>/version</c> at start and every <see cref="VersionPoll"/>.</summary>
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

    /// <summary>Reads the version until it is known, backing off on any failure, then again every <see cref="VersionPoll"/>.</summary>
    private async Task PollVersionAsync(CancellationToken stoppingToken)
    {
        var backoff = TimeSpan.Zero;
        while (!stoppingToken.IsCancellationRequested)
        {
            TimeSpan wait;
            try
            {
                var (version, text) = await VersionEndpoint.ReadAsync(api!, stoppingToken);
                if (version != serverVersion)
                {
                    LogVersion(logger, text);
                }

                serverVersion = version;
                ClusterMetrics.ServerVersionKnown.Set(1);
                versionHealth.Succeeded();
                CheckSynced();
                backoff = TimeSpan.Zero;
                wait = VersionPoll;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // Whatever happened (a timeout, a reset, an error status, an answer that cannot be read), polling goes on:
                // a webhook that stopped asking would never become ready after the apiserver recovered.
                backoff = Backoff.Next(backoff, maxBackoff, ex);
                versionHealth.Failed(ex, backoff);
                wait = backoff;
            }

            try
            {
                await Task.Delay(wait, clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Caches listed: collected the lists' garbage in {Milliseconds:0} ms, managed heap {HeapMegabytes:0.0} MB")]
    private static partial void LogSettled(ILogger logger, double milliseconds, double heapMegabytes);

    [LoggerMessage(Level = LogLevel.Information, Message = "Kubernetes version {Version}")]
    private static partial void LogVersion(ILogger logger, string version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No cluster access: Service lookups cannot be verified and are reported as warnings")]
    private static partial void LogOffline(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Watching the cluster at {Target}")]
    private static partial void LogConnecting(ILogger logger, string target);
}
