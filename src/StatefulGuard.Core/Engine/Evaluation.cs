using StatefulGuard.Core.Rules;

namespace StatefulGuard.Core.Engine;

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
