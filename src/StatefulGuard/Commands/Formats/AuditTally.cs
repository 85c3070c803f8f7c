using StatefulGuard.Core.Engine;
using StatefulGuard.Core.Manifests;

namespace StatefulGuard.Commands.Formats;

/// <summary>The counts every report format leads with, worked out once.</summary>
internal sealed record AuditTally(int Checked, int Denied, int Warned, int Clean, int Skipped, int InputErrors, int InputWarnings)
{
    public static AuditTally Of(AuditReport report)
    {
        int denied = 0, warned = 0, clean = 0, skipped = 0;
        foreach (var obj in report.Objects)
        {
            switch (ResultOf(obj))
            {
                case ObjectResult.Deny: denied++; break;
                case ObjectResult.Warn: warned++; break;
                case ObjectResult.Ok: clean++; break;
                default: skipped++; break;
            }
        }

        return new AuditTally(report.Objects.Count, denied, warned, clean, skipped,
            report.Errors.Count(e => !e.IsWarning), report.Errors.Count(e => e.IsWarning));
    }

    public static ObjectResult ResultOf(ObjectReport obj) =>
        obj.Evaluation.Mode == GuardMode.Off ? ObjectResult.Skipped
        : obj.Evaluation.WouldDenyInEnforce ? ObjectResult.Deny
        : obj.Evaluation.Verdicts.Any(v => v.Qualifier != VerdictQualifier.Waived) ? ObjectResult.Warn
        : ObjectResult.Ok;

    /// <summary>What a finding is in a report: a denial, a warning, or waived by an exception.</summary>
    public static string KindOf(Verdict verdict) =>
        verdict.Waiver is not null ? "waived" : verdict.EnforceAction == Core.Rules.RuleAction.Deny ? "deny" : "warn";

    /// <summary>Denials first, then warnings, then what is waived; within each, as the rules reported them.</summary>
    public static IEnumerable<Verdict> Ordered(Evaluation evaluation) =>
        evaluation.Verdicts.OrderBy(v => KindOf(v) switch { "deny" => 0, "warn" => 1, _ => 2 });
}
