using Microsoft.Extensions.Diagnostics.HealthChecks;
using StatefulGuard.Serve.Cluster;

namespace StatefulGuard.Serve.Health;

/// <summary>Ready once every watch cache has listed and the version is known; an apiserver outage after that does not make it unready.</summary>
internal sealed class ClusterCacheHealthCheck(KubernetesClusterView view) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!view.Connected)
        {
            return Task.FromResult(HealthCheckResult.Healthy("no cluster configured: lookups are unverifiable"));
        }

        var caches = view.Caches.ToDictionary(c => c.Kind, c => (object)new { c.Synced, c.Count, c.LastContact });
        caches["version"] = view.ServerVersion?.ToString() ?? "unknown";
        // Without its CRD the webhook runs without exceptions: ready, and saying so.
        var note = view.Synced && !view.ExceptionsInstalled
            ? "; StatefulGuardException CRD not installed: no exceptions apply" : "";
        return Task.FromResult(view.Synced
            ? HealthCheckResult.Healthy("caches synced" + note, caches)
            : HealthCheckResult.Unhealthy($"caches not synced yet (waiting for {string.Join(", ", view.Waiting)})", data: caches));
    }
}
