using StatefulGuard.Core.Engine;
using StatefulGuard.Core.Rules;

namespace StatefulGuard.Serve.Admission;

/// <summary>
/// What an answered admission leaves behind: its decision-log line, the rule counters and the latency histogram. The
/// warm-up's reviews are recorded as a rehearsal: into meters of their own, with no log line.
/// </summary>
internal sealed partial class AdmissionRecorder(RuleEngine engine, ILogger logger)
{
    public void Refused(string endpoint, AdmissionFailure error, TimeSpan elapsed, bool rehearsal)
    {
        Meters(rehearsal).Latency(endpoint, "", "error").Observe(elapsed.TotalSeconds);
        if (!rehearsal)
        {
            LogRejected(logger, endpoint, error.Status, error.Message);
        }
    }

    public void Decided(string endpoint, AdmissionOutcome outcome, TimeSpan elapsed, bool rehearsal)
    {
        var response = outcome.Response!;
        Count(outcome, Meters(rehearsal));
        if (rehearsal)
        {
            return;
        }

        LogDecision(logger, endpoint, response.Uid, outcome.Request?.Operation ?? "", outcome.Kind ?? "", outcome.Request?.Namespace ?? "",
            outcome.ObjectName ?? outcome.Request?.Name ?? "", response.Allowed, outcome.RuleIds ?? "", outcome.Mode ?? "",
            outcome.Request?.DryRun == true, elapsed.TotalMilliseconds);
    }

    /// <summary>Once the answer is written: the whole time, by endpoint, operation and decision.</summary>
    public static void Answered(string endpoint, AdmissionOutcome outcome, TimeSpan elapsed, bool rehearsal)
    {
        var response = outcome.Response!;
        var decision = !response.Allowed ? "deny" : response.Warnings is { Count: > 0 } ? "warn" : "allow";
        Meters(rehearsal).Latency(endpoint, outcome.Request?.Operation ?? "", decision).Observe(elapsed.TotalSeconds);
    }

    private static AdmissionMetrics Meters(bool rehearsal) => rehearsal ? AdmissionMetrics.Rehearsal : AdmissionMetrics.Live;

    private void Count(AdmissionOutcome outcome, AdmissionMetrics meters)
    {
        if (outcome.Evaluation is { } evaluation)
        {
            CountRuleResults(evaluation, outcome.Evaluated!, meters);
        }

        if (outcome.Mutation is { Mode: not GuardMode.Off } mutation)
        {
            var patched = mutation.Patch.Count > 0;
            var rules = engine.Rules.Mutating;
            var entries = mutation.Injected;
            for (var r = 0; r < rules.Count; r++)
            {
                var id = rules[r].Id;
                var injected = false;
                for (var e = 0; e < entries.Count && !injected; e++)
                {
                    injected = InjectionAnnotations.RuleOf(entries[e]).SequenceEqual(id);
                }

                meters.Rule(id, !injected ? "pass" : patched ? "inject" : "warn").Inc();
            }
        }
    }

    private static void CountRuleResults(Evaluation evaluation, IReadOnlyList<ConfiguredRule> evaluated, AdmissionMetrics meters)
    {
        if (evaluation.Mode == GuardMode.Off)
        {
            return;
        }

        foreach (var rule in evaluated)
        {
            var worst = RuleAction.Off;
            foreach (var verdict in evaluation.Verdicts)
            {
                if (verdict.RuleId == rule.Id && verdict.Action < worst)
                {
                    worst = verdict.Action;
                }
            }

            meters.Rule(rule.Id, worst switch
            {
                RuleAction.Deny => "deny",
                RuleAction.Warn => "warn",
                _ => "pass",
            }).Inc();
        }
    }

    /// <summary>The line every admission leaves (the decision log).</summary>
    /// <remarks>The parameter is <c>Namespace</c>, not <c>@namespace</c>: the generator names the property after the parameter.</remarks>
    [LoggerMessage(Level = LogLevel.Information,
        Message = "Admission {Endpoint} {Uid} {Operation} {Kind} {Namespace}/{Name}: allowed={Allowed} rules=[{Rules}] mode={Mode} dryRun={DryRun} in {DurationMs:0.000} ms")]
    private static partial void LogDecision(ILogger logger, string endpoint, string uid, string operation, string kind, string Namespace, string name,
        bool allowed, string rules, string mode, bool dryRun, double durationMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rejected {Endpoint} request with {Status}: {Error}")]
    private static partial void LogRejected(ILogger logger, string endpoint, int status, string error);
}
