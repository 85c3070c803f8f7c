using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace StatefulGuard.Serve.Health;

/// <summary>The <c>/readyz</c> body: the overall status and each check's, with what it found.</summary>
internal sealed record HealthBody(string Status, IReadOnlyDictionary<string, HealthCheckBody> Checks)
{
    public static HealthBody Of(HealthReport report) => new(
        report.Status.ToString(),
        report.Entries.ToDictionary(e => e.Key, e => new HealthCheckBody(e.Value.Status.ToString(), e.Value.Description), StringComparer.Ordinal));
}
