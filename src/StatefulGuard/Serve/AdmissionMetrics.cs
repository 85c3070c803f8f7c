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

    public static readonly Counter ExceptionMatches = Metrics.CreateCounter(
        "statefulguard_exception_matches_total",
        "Findings and defaults waived by a StatefulGuardException, by rule id.",
        "rule");

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(string, string), Counter.Child> RuleChildren = new();

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(string, string, string), Histogram.Child> DurationChildren = new();

    /// <summary>The labelled child, looked up once per label set instead of once per request.</summary>
    public static Counter.Child Rule(string rule, string outcome) =>
        RuleChildren.GetOrAdd((rule, outcome), static k => RuleResults.WithLabels(k.Item1, k.Item2));

    public static Histogram.Child Latency(string endpoint, string operation, string decision) =>
        DurationChildren.GetOrAdd((endpoint, operation, decision), static k => Duration.WithLabels(k.Item1, k.Item2, k.Item3));
}
