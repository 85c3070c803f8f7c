using Microsoft.Extensions.Diagnostics.HealthChecks;
using StatefulGuard.Serve.Cluster;

namespace StatefulGuard.Serve;

/// <summary>Ready once every watch cache has listed; an apiserver outage after that does not make it unready.</summary>
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
            : HealthCheckResult.Unhealthy("caches not synced yet", data: caches));
    }
}

internal sealed class CertificateHealthCheck(CertificateStore store) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!store.InUse)
        {
            return Task.FromResult(HealthCheckResult.Healthy("not serving HTTPS"));
        }

        return Task.FromResult(store.Current is { } cert
            ? HealthCheckResult.Healthy($"certificate {cert.Thumbprint} valid until {cert.NotAfter:u}")
            : HealthCheckResult.Unhealthy("no certificate loaded"));
    }
}

/// <summary>Unready as soon as shutdown begins, so endpoints drop the pod before it stops listening.</summary>
internal sealed class ShutdownHealthCheck(IHostApplicationLifetime lifetime) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(lifetime.ApplicationStopping.IsCancellationRequested
            ? HealthCheckResult.Unhealthy("shutting down")
            : HealthCheckResult.Healthy());
}

/// <summary>Says once, in the log, when the webhook first becomes ready: the caches listed and the warm-up run.</summary>
internal sealed partial class ReadinessLog(KubernetesClusterView view, AdmissionWarmup warmup, ILogger<ReadinessLog> logger) : BackgroundService
{
    /// <summary>The message a log reader (and a test of the real process) waits for.</summary>
    public const string Message = "Ready to answer admissions";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await Task.WhenAll(view.WhenSynced, warmup.Finished).WaitAsync(stoppingToken);
            LogReady(logger);
        }
        catch (OperationCanceledException)
        {
            // Stopped before it was ready.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = Message + ": caches listed, request path warmed up")]
    private static partial void LogReady(ILogger logger);
}
