using Prometheus;

namespace StatefulGuard.Serve;

internal static class AdmissionMetrics
{
    public static readonly Histogram Duration = Metrics.CreateHistogram(
        "statefulguard_admission_duration_seconds",
        "Time to answer an AdmissionReview, from the first byte read to the response written.",
        new HistogramConfiguration
        {
            LabelNames = ["endpoint", "operation", "decision"],
            Buckets = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
        });

    public static readonly Counter RuleResults = Metrics.CreateCounter(
        "statefulguard_rule_results_total",
        "Rule evaluations by rule id and outcome (pass, warn, deny; inject for mutating rules that patched).",
        "rule", "outcome");
}
