using Prometheus;

namespace StatefulGuard.Serve;

/// <summary>
/// The admission counters: <see cref="Live"/> in <c>/metrics</c>, and <see cref="Rehearsal"/>, the same meters in a
/// registry of their own that the warm-up records into, so that the first real admission finds the recording path
/// compiled (it was 30 ms of the first answer) while the warm-up leaves nothing in <c>/metrics</c>.
/// </summary>
internal sealed class AdmissionMetrics
{
    // Before the instances below: static fields are initialized in the order they are written.
    private static readonly string[] RuleLabels = ["rule", "outcome"];

    public static readonly AdmissionMetrics Live = new(Metrics.DefaultFactory);

    public static readonly AdmissionMetrics Rehearsal = new(Metrics.WithCustomRegistry(Metrics.NewCustomRegistry()));

    /// <summary>Not part of the rehearsal: the engine counts a match whoever asked.</summary>
    public static readonly Counter ExceptionMatches = Metrics.CreateCounter(
        "statefulguard_exception_matches_total",
        "Findings and defaults waived by a StatefulGuardException, by rule id.",
        "rule");

    /// <summary>Not part of the rehearsal: only real requests are dropped.</summary>
    public static readonly Counter Dropped = Metrics.CreateCounter(
        "statefulguard_admission_dropped_total",
        "Admission requests answered without evaluation: body-deadline (408: the body was not received in time), queue-deadline and queue-full (503).",
        "reason");

    private readonly Histogram duration;
    private readonly Counter ruleResults;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string, string), Counter.Child> ruleChildren = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string, string, string), Histogram.Child> durationChildren = new();

    private AdmissionMetrics(IMetricFactory factory)
    {
        duration = factory.CreateHistogram(
            "statefulguard_admission_duration_seconds",
            "Time to answer an AdmissionReview, from the first byte read to the response written.",
            new HistogramConfiguration
            {
                LabelNames = ["endpoint", "operation", "decision"],
                Buckets = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
            });
        ruleResults = factory.CreateCounter(
            "statefulguard_rule_results_total",
            "Rule evaluations by rule id and outcome (pass, warn, deny; inject for mutating rules that patched).",
            RuleLabels);
    }

    /// <summary>The labelled child, looked up once per label set instead of once per request.</summary>
    public Counter.Child Rule(string rule, string outcome) =>
        ruleChildren.GetOrAdd((rule, outcome), static (k, counter) => counter.WithLabels(k.Item1, k.Item2), ruleResults);

    /// <summary>How many label sets of the latency histogram have been used (the warm-up's test reads the rehearsal's).</summary>
    public int LatencyLabelSets => durationChildren.Count;

    public Histogram.Child Latency(string endpoint, string operation, string decision) =>
        durationChildren.GetOrAdd((endpoint, operation, decision), static (k, histogram) => histogram.WithLabels(k.Item1, k.Item2, k.Item3), duration);
}
