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
    private readonly WatchCache<V1Service, V1ServiceList>? services;
    private readonly WatchCache<V1Namespace, V1NamespaceList>? namespaces;
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
        services = new(
            new WatchSource<V1Service, V1ServiceList>(
                "Service",
                (cont, ct) => client.CoreV1.ListServiceForAllNamespacesAsync(continueParameter: cont, limit: PageSize, cancellationToken: ct),
                (rv, timeout, onError, ct) => client.CoreV1.WatchListServiceForAllNamespacesAsync(
                    allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: timeout, onError: onError, cancellationToken: ct)),
            logger, watchTimeout, maxBackoff);
        namespaces = new(
            new WatchSource<V1Namespace, V1NamespaceList>(
                "Namespace",
                (cont, ct) => client.CoreV1.ListNamespaceAsync(continueParameter: cont, limit: PageSize, cancellationToken: ct),
                (rv, timeout, onError, ct) => client.CoreV1.WatchListNamespaceAsync(
                    allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: timeout, onError: onError, cancellationToken: ct)),
            logger, watchTimeout, maxBackoff);
    }

    private const int PageSize = 500;

    /// <summary>False when running without a cluster.</summary>
    public bool Connected => services is not null;

    /// <summary>True when every cache has completed its first list and the version is known (or there is no cluster to wait for).</summary>
    public bool Synced => services is null || (services.Synced && namespaces!.Synced && serverVersion is not null);

    public IEnumerable<(string Kind, bool Synced, int Count, DateTimeOffset LastContact)> Caches
    {
        get
        {
            if (services is null)
            {
                yield break;
            }

            yield return (services.Kind, services.Synced, services.Count, services.LastContact);
            yield return (namespaces!.Kind, namespaces.Synced, namespaces.Count, namespaces.LastContact);
        }
    }

    public Lookup<V1Service> GetService(string @namespace, string name) =>
        services?.Get(@namespace, name) ?? Lookup<V1Service>.Unknown;

    public Lookup<V1Namespace> GetNamespace(string name) =>
        namespaces?.Get("", name) ?? Lookup<V1Namespace>.Unknown;

    /// <summary>Read from <c>/version</c> at start and every ten minutes (control planes get upgraded under running webhooks).</summary>
    public ServerVersion? ServerVersion => serverVersion;

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (services is null)
        {
            LogOffline(logger);
            return Task.CompletedTask;
        }

        LogConnecting(logger, target ?? "?");
        return Task.WhenAll(services.RunAsync(stoppingToken), namespaces!.RunAsync(stoppingToken), PollVersionAsync(stoppingToken));
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
