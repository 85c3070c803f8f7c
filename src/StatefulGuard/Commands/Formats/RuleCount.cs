using StatefulGuard.Core.Manifests;

namespace StatefulGuard.Commands.Formats;

/// <summary>How often a rule was found across the audit: denials, warnings and waived findings.</summary>
internal sealed record RuleCount(string Rule, int Deny, int Warn, int Waived)
{
    public int Total => Deny + Warn + Waived;

    /// <summary>Every rule with findings, the most denials first.</summary>
    public static IReadOnlyList<RuleCount> Of(AuditReport report) =>
        [.. report.Objects.SelectMany(o => o.Evaluation.Verdicts)
            .GroupBy(v => v.RuleId)
            .Select(g => new RuleCount(g.Key, g.Count(v => AuditTally.KindOf(v) == "deny"), g.Count(v => AuditTally.KindOf(v) == "warn"),
                g.Count(v => v.Waiver is not null)))
            .OrderByDescending(r => r.Deny).ThenByDescending(r => r.Warn).ThenBy(r => r.Rule, StringComparer.Ordinal)];
}
