using Prometheus;

namespace StatefulGuard.Serve;

/// <summary>
/// What /metrics exports besides StatefulGuard's own series: process metrics and the .NET runtime's
/// (GC, heap, thread pool). Not the per-request instruments of Kestrel and hosting, nor
/// EventCounters: prometheus-net would translate every measurement of every request, which once scraped
/// made an admission markedly slower; StatefulGuard's own histogram already times each one.
/// </summary>
internal static class MetricsSetup
{
    private static int configured;

    /// <summary>Before any metric exists (prometheus-net ignores this once its registry is in use).</summary>
    public static void Configure()
    {
        if (Interlocked.Exchange(ref configured, 1) == 1)
        {
            return;
        }

        Metrics.SuppressDefaultMetrics(new SuppressDefaultMetricOptions
        {
            SuppressProcessMetrics = false,
            SuppressDebugMetrics = true,
            SuppressEventCounters = true,
            SuppressMeters = false,
        });
        Metrics.ConfigureMeterAdapter(options => options.InstrumentFilterPredicate = instrument => instrument.Meter.Name == "System.Runtime");
    }
}
