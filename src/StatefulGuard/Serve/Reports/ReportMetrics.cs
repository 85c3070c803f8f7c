using Prometheus;

namespace StatefulGuard.Serve.Reports;

internal static class ReportMetrics
{
    public static readonly Gauge Results = Metrics.CreateGauge(
        "statefulguard_report_results", "Current results in the policy reports, by rule and result (pass, fail, warn, error, skip); kept by the leader.", "rule", "result");

    public static readonly Counter Writes = Metrics.CreateCounter(
        "statefulguard_report_writes_total", "Policy report writes by format and verb (create, update, delete).", "format", "verb");

    public static readonly Counter WriteFailures = Metrics.CreateCounter(
        "statefulguard_report_write_failures_total", "Failed policy report writes by format and reason (conflict, crd-missing, error).", "format", "reason");

    public static readonly Histogram Latency = Metrics.CreateHistogram(
        "statefulguard_report_latency_seconds", "Time from a change in the cluster to the report that reflects it (written, or found up to date).",
        new HistogramConfiguration { Buckets = [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300] });

    public static readonly Gauge Leader = Metrics.CreateGauge(
        "statefulguard_report_leader", "1 while this replica holds the reports Lease and writes the reports.");
}
