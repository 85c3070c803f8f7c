using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace StatefulGuard.Serve.Health;

/// <summary>Not ready until the warm-up has run.</summary>
internal sealed class WarmupHealthCheck(AdmissionWarmup warmup) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(warmup.Done
            ? HealthCheckResult.Healthy($"warmed up ({warmup.Reviews} reviews)")
            : HealthCheckResult.Unhealthy("warming up"));
}
