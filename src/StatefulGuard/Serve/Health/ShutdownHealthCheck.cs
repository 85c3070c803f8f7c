using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace StatefulGuard.Serve.Health;

/// <summary>Unready as soon as shutdown begins, so endpoints drop the pod before it stops listening.</summary>
internal sealed class ShutdownHealthCheck(IHostApplicationLifetime lifetime) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(lifetime.ApplicationStopping.IsCancellationRequested
            ? HealthCheckResult.Unhealthy("shutting down")
            : HealthCheckResult.Healthy());
}
