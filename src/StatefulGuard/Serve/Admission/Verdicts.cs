using StatefulGuard.Core.Admission;
using StatefulGuard.Core.Engine;

namespace StatefulGuard.Serve.Admission;

/// <summary>An engine's evaluation as the apiserver's answer.</summary>
internal static class Verdicts
{
    public static AdmissionOutcome Answer(AdmissionRequest request, string uid, string kind, string ns, string name, Evaluation evaluation,
        IReadOnlyList<ConfiguredRule> evaluated)
    {
        var warnings = Messages.Warnings(evaluation);
        var response = new AdmissionResponse
        {
            Uid = uid,
            Allowed = evaluation.Allowed,
            Status = evaluation.Allowed ? null : new AdmissionStatus
            {
                Code = StatusCodes.Status403Forbidden,
                Reason = "Forbidden",
                Message = Messages.DenialMessage(kind, ns, name, evaluation),
            },
            Warnings = warnings.Count > 0 ? warnings : null,
        };
        // A waived finding is logged as waived, with the exception that waived it.
        var ruleIds = string.Join(",", evaluation.Verdicts.Select(v => v.Waiver is { } w
            ? $"{v.RuleId}:waived({w.Exception})"
            : $"{v.RuleId}:{v.Action.ToString().ToLowerInvariant()}").Distinct());
        return new AdmissionOutcome(response, null, request, kind, name, ruleIds, evaluation.Mode.ToString()) { Evaluation = evaluation, Evaluated = evaluated };
    }
}
