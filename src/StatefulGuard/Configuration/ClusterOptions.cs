using StatefulGuard.Core.Rules;

namespace StatefulGuard.Configuration;

public sealed class ClusterOptions
{
    public Core.Cluster.Api.ClusterSource Source { get; set; } = Core.Cluster.Api.ClusterSource.Auto;

    /// <summary>An explicit kubeconfig file; by default KUBECONFIG, then ~/.kube/config, as kubectl finds it.</summary>
    public string? Kubeconfig { get; set; }

    /// <summary>
    /// What a rule's violation becomes when the cluster state it needs is unknown (caches not synced, no cluster):
    /// Warn (default) keeps deployments flowing; Deny fails closed; Off says nothing.
    /// </summary>
    public RuleAction UnverifiableAction { get; set; } = RuleAction.Warn;

    /// <summary>Server-side timeout of one watch request; the cache re-watches from the last resourceVersion.</summary>
    public int WatchTimeoutSeconds { get; set; } = 300;

    /// <summary>
    /// Upper bound of the backoff while the apiserver fails: after it recovers, the caches follow changes again and the
    /// webhook becomes ready within this (plus one request).
    /// </summary>
    public int MaxBackoffSeconds { get; set; } = 8;

    /// <summary>How long one request to the apiserver may take (a watch: until its headers arrive).</summary>
    public int RequestTimeoutSeconds { get; set; } = 10;

    /// <summary>The connection these settings describe (none with <see cref="Core.Cluster.Api.ClusterSource.None"/>).</summary>
    public Core.Cluster.Api.ClusterConnection Connect() =>
        Core.Cluster.Api.ClusterConnection.Create(Source, Kubeconfig, TimeSpan.FromSeconds(RequestTimeoutSeconds));
}
