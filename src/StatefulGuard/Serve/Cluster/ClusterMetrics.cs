using Prometheus;

namespace StatefulGuard.Serve.Cluster;

internal static class ClusterMetrics
{
    public static readonly Gauge CacheSynced = Metrics.CreateGauge(
        "statefulguard_cluster_cache_synced", "1 once the watch cache of a kind has completed its first list.", "kind");

    public static readonly Gauge CacheObjects = Metrics.CreateGauge(
        "statefulguard_cluster_cache_objects", "Objects held by the watch cache of a kind.", "kind");

    public static readonly Counter WatchRestarts = Metrics.CreateCounter(
        "statefulguard_cluster_watch_restarts_total", "Watch cache restarts by kind and reason (gone = re-list, error = apiserver unreachable).", "kind", "reason");

    public static readonly Counter MalformedObjects = Metrics.CreateCounter(
        "statefulguard_malformed_objects_total", "Objects from the apiserver that could not be read and were skipped, by kind and source (list, watch, read, write).", "kind", "source");

    public static readonly Gauge ServerVersionKnown = Metrics.CreateGauge(
        "statefulguard_cluster_version_known", "1 once the apiserver's version has been read (/version).");
}
