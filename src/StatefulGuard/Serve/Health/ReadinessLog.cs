using Microsoft.Extensions.Diagnostics.HealthChecks;
using StatefulGuard.Serve.Cluster;

namespace StatefulGuard.Serve.Health;

/// <summary>
/// Says in the log when readiness changes, once, with the reason: not ready yet at start (and what it waits for), ready
/// once the caches have listed and the warm-up has run, not ready again (shutting down, no certificate), ready again.
/// Probes themselves log nothing (the health check service's own per-probe lines are off): a normal start is a few
/// lines, not one line per probe. Readiness is seen on each <c>/readyz</c> probe, on each run of the health check
/// publisher, and when the caches first sync.
/// </summary>
internal sealed partial class ReadinessLog(KubernetesClusterView view, AdmissionWarmup warmup, ILogger<ReadinessLog> logger) : BackgroundService, IHealthCheckPublisher
{
    /// <summary>The message a log reader (and a test of the real process) waits for.</summary>
    public const string Message = "Ready to answer admissions";

    private readonly Lock gate = new();
    private bool? ready;

    /// <summary>How many readiness changes were logged.</summary>
    public int Changes { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await Task.WhenAll(view.WhenSynced, warmup.Finished).WaitAsync(stoppingToken);
            Observe(true, "caches listed, request path warmed up");
        }
        catch (OperationCanceledException)
        {
            // Stopped before it was ready.
        }
    }

    public Task PublishAsync(HealthReport report, CancellationToken cancellationToken)
    {
        Observe(report);
        return Task.CompletedTask;
    }

    /// <summary>Readiness as a report of the ready checks says it.</summary>
    public void Observe(HealthReport report)
    {
        if (report.Status == HealthStatus.Healthy)
        {
            Observe(true, "every readiness check passes");
            return;
        }

        Observe(false, string.Join("; ", report.Entries.Where(e => e.Value.Status != HealthStatus.Healthy).Select(e => $"{e.Key}: {e.Value.Description}")));
    }

    private void Observe(bool nowReady, string why)
    {
        lock (gate)
        {
            // The first time, and on every change of state (not of its reason: what a start waits for shrinks as it goes).
            if (ready == nowReady)
            {
                return;
            }

            var first = ready is null;
            ready = nowReady;
            Changes++;
            if (nowReady)
            {
                LogReady(logger, why);
            }
            else if (first)
            {
                LogNotReadyYet(logger, why);
            }
            else
            {
                LogNotReady(logger, why);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = Message + ": {Reason}")]
    private static partial void LogReady(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Not ready yet: {Reason}")]
    private static partial void LogNotReadyYet(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Not ready: {Reason}")]
    private static partial void LogNotReady(ILogger logger, string reason);
}
