using StatefulGuard.Core.Rules;

namespace StatefulGuard.Core.Engine;

/// <summary>Why a verdict's action differs from the rule's configured one.</summary>
public enum VerdictQualifier
{
    None,

    /// <summary>Audit mode turned a denial into a warning.</summary>
    Audit,

    /// <summary>On UPDATE, the stored object already had this violation: the update did not introduce it.</summary>
    PreExisting,

    /// <summary>The rule could not verify against cluster state.</summary>
    Unverifiable,

    /// <summary>A StatefulGuardException waives the rule for this object: it neither denies nor warns.</summary>
    Waived,
}

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

/// <summary>The engine's answer for one object.</summary>
public sealed record Evaluation(GuardMode Mode, IReadOnlyList<Verdict> Verdicts, IReadOnlyList<string> Notes)
{
    /// <summary>The answer when nothing was evaluated (mode off, or an object the rules do not cover).</summary>
    public static Evaluation Skipped(GuardMode mode, IReadOnlyList<string>? notes = null) => new(mode, [], notes ?? []);

    public bool Allowed => !Verdicts.Any(v => v.Action == RuleAction.Deny);

    /// <summary>Whether enforce mode would deny this object, whatever mode is in force.</summary>
    public bool WouldDenyInEnforce => Verdicts.Any(v => v.EnforceAction == RuleAction.Deny);

    public IEnumerable<Verdict> Denials => Verdicts.Where(v => v.Action == RuleAction.Deny);

    public IEnumerable<Verdict> Warnings => Verdicts.Where(v => v.Action == RuleAction.Warn);
}
