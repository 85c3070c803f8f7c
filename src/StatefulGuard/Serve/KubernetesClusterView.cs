using k8s;
using k8s.Models;
using Microsoft.Extensions.Options;
using StatefulGuard.Configuration;
using StatefulGuard.Core.Cluster;
using StatefulGuard.Core.Exceptions;
using ServerVersion = StatefulGuard.Core.Cluster.ServerVersion;

namespace StatefulGuard.Serve;

/// <summary>
/// The webhook's view of the cluster: one watch cache per kind, filled in the background. Lookups never
/// call the apiserver. Without cluster access every lookup is <see cref="LookupState.Unknown"/>.
/// </summary>
internal sealed partial class KubernetesClusterView : BackgroundService, IClusterView
{
    private const int PageSize = 500;

    private readonly WatchCache<V1Service, V1ServiceList>? services;
    private readonly WatchCache<V1Namespace, V1NamespaceList>? namespaces;
    private readonly WatchCache<V1StorageClass, V1StorageClassList>? storageClasses;
    private readonly WatchCache<V1PodDisruptionBudget, V1PodDisruptionBudgetList>? budgets;
    private readonly WatchCache<V1StatefulSet, V1StatefulSetList>? statefulSets;
    private readonly WatchCache<StatefulGuardException, StatefulGuardExceptionList>? exceptions;
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
        var watchTimeout = TimeSpan.FromSeconds(cluster.WatchTimeoutSeconds);
        var maxBackoff = TimeSpan.FromSeconds(cluster.MaxBackoffSeconds);
        WatchCache<T, TList> Cache<T, TList>(WatchSource<T, TList> source)
            where T : class, IKubernetesObject<V1ObjectMeta>
            where TList : IKubernetesObject<V1ListMeta>, IItems<T> => new(source, logger, watchTimeout, maxBackoff);

        var c = client;
        services = Cache(new WatchSource<V1Service, V1ServiceList>(
            "Service",
            (cont, ct) => c.CoreV1.ListServiceForAllNamespacesAsync(continueParameter: cont, limit: PageSize, cancellationToken: ct),
            (rv, timeout, onError, ct) => c.CoreV1.WatchListServiceForAllNamespacesAsync(
                allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: timeout, onError: onError, cancellationToken: ct)));
        namespaces = Cache(new WatchSource<V1Namespace, V1NamespaceList>(
            "Namespace",
            (cont, ct) => c.CoreV1.ListNamespaceAsync(continueParameter: cont, limit: PageSize, cancellationToken: ct),
            (rv, timeout, onError, ct) => c.CoreV1.WatchListNamespaceAsync(
                allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: timeout, onError: onError, cancellationToken: ct)));
        storageClasses = Cache(new WatchSource<V1StorageClass, V1StorageClassList>(
            "StorageClass",
            (cont, ct) => c.StorageV1.ListStorageClassAsync(continueParameter: cont, limit: PageSize, cancellationToken: ct),
            (rv, timeout, onError, ct) => c.StorageV1.WatchListStorageClassAsync(
                allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: timeout, onError: onError, cancellationToken: ct)));
        budgets = Cache(new WatchSource<V1PodDisruptionBudget, V1PodDisruptionBudgetList>(
            "PodDisruptionBudget",
            (cont, ct) => c.PolicyV1.ListPodDisruptionBudgetForAllNamespacesAsync(continueParameter: cont, limit: PageSize, cancellationToken: ct),
            (rv, timeout, onError, ct) => c.PolicyV1.WatchListPodDisruptionBudgetForAllNamespacesAsync(
                allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: timeout, onError: onError, cancellationToken: ct)));
        statefulSets = Cache(new WatchSource<V1StatefulSet, V1StatefulSetList>(
            "StatefulSet",
            (cont, ct) => c.AppsV1.ListStatefulSetForAllNamespacesAsync(continueParameter: cont, limit: PageSize, cancellationToken: ct),
            (rv, timeout, onError, ct) => c.AppsV1.WatchListStatefulSetForAllNamespacesAsync(
                allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: timeout, onError: onError, cancellationToken: ct)));
        exceptions = Cache(new WatchSource<StatefulGuardException, StatefulGuardExceptionList>(
            StatefulGuardException.KindName,
            (cont, ct) => c.CustomObjects.ListClusterCustomObjectAsync<StatefulGuardExceptionList>(
                StatefulGuardException.Group, StatefulGuardException.Version, StatefulGuardException.Plural, continueParameter: cont, limit: PageSize, cancellationToken: ct),
            (rv, timeout, onError, ct) => Typed(c.CustomObjects.WatchListClusterCustomObjectAsync(
                StatefulGuardException.Group, StatefulGuardException.Version, StatefulGuardException.Plural, allowWatchBookmarks: true, resourceVersion: rv,
                timeoutSeconds: timeout, onError: onError, cancellationToken: ct)),
            Optional: true));
    }

    /// <summary>The custom objects API hands out watch events as JSON; the cache keeps them typed.</summary>
    private static async IAsyncEnumerable<(WatchEventType, StatefulGuardException)> Typed(IAsyncEnumerable<(WatchEventType, object)> events)
    {
        await foreach (var (type, item) in events)
        {
            var json = item is System.Text.Json.JsonElement element ? element.GetRawText() : KubernetesJson.Serialize(item);
            yield return (type, KubernetesJson.Deserialize<StatefulGuardException>(json));
        }
    }

    /// <summary>Whether the cluster serves StatefulGuardExceptions (its CRD installed); until then none apply.</summary>
    public bool ExceptionsInstalled => exceptions?.Installed ?? false;

    /// <summary>False when running without a cluster.</summary>
    public bool Connected => client is not null;

    /// <summary>True when every cache has completed its first list and the version is known (or there is no cluster to wait for).</summary>
    public bool Synced => !Connected || (AllCaches.All(c => c.Synced) && serverVersion is not null);

    public IEnumerable<(string Kind, bool Synced, int Count, DateTimeOffset LastContact)> Caches =>
        AllCaches.Select(c => (c.Kind, c.Synced, c.Count, c.LastContact));

    private IEnumerable<IWatchCache> AllCaches =>
        Connected ? [services!, namespaces!, storageClasses!, budgets!, statefulSets!, exceptions!] : [];

    public Lookup<V1Service> GetService(string @namespace, string name) =>
        services?.Get(@namespace, name) ?? Lookup<V1Service>.Unknown;

    public Lookup<V1Namespace> GetNamespace(string name) =>
        namespaces?.Get("", name) ?? Lookup<V1Namespace>.Unknown;

    public Lookup<V1StorageClass> GetStorageClass(string name) =>
        storageClasses?.Get("", name) ?? Lookup<V1StorageClass>.Unknown;

    public Lookup<V1StorageClass> GetDefaultStorageClass() =>
        storageClasses?.List("") is { State: LookupState.Found } all
            ? Lookup<V1StorageClass>.Of(StorageClasses.PickDefault(all.Value!))
            : Lookup<V1StorageClass>.Unknown;

    public Lookup<IReadOnlyList<V1PodDisruptionBudget>> GetPodDisruptionBudgets(string @namespace) =>
        budgets?.List(@namespace) ?? Lookup<IReadOnlyList<V1PodDisruptionBudget>>.Unknown;

    public Lookup<IReadOnlyList<V1StatefulSet>> GetStatefulSets(string @namespace) =>
        statefulSets?.List(@namespace) ?? Lookup<IReadOnlyList<V1StatefulSet>>.Unknown;

    public Lookup<IReadOnlyList<StatefulGuardException>> GetExceptions(string @namespace) =>
        exceptions?.List(@namespace) is { State: LookupState.Found } found ? found : Lookup<IReadOnlyList<StatefulGuardException>>.Found([]);

    /// <summary>Read from <c>/version</c> at start and every ten minutes (control planes get upgraded under running webhooks).</summary>
    public ServerVersion? ServerVersion => serverVersion;

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!Connected)
        {
            LogOffline(logger);
            return Task.CompletedTask;
        }

        LogConnecting(logger, target ?? "?");
        return Task.WhenAll(AllCaches.Select(c => c.RunAsync(stoppingToken)).Append(PollVersionAsync(stoppingToken)));
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
