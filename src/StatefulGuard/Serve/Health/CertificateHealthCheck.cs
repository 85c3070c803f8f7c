using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace StatefulGuard.Serve.Health;

/// <summary>Ready once a serving certificate is loaded (when HTTPS is served).</summary>
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
