using StatefulGuard.Core.Rules;

namespace StatefulGuard.Core.Engine;

/// <summary>
/// A finding and what it does to the request. <see cref="EnforceAction"/> is what enforce mode would do;
/// <see cref="Action"/> is what happens under the mode in force.
/// </summary>
public sealed record Verdict(Finding Finding, RuleAction Action, RuleAction EnforceAction, VerdictQualifier Qualifier)
{
    /// <summary>The exception that waives this finding, when <see cref="Qualifier"/> is <see cref="VerdictQualifier.Waived"/>.</summary>
    public Exceptions.Waiver? Waiver { get; init; }

    public string RuleId => Finding.RuleId;
}
