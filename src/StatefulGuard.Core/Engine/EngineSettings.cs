using StatefulGuard.Core.Rules;

namespace StatefulGuard.Core.Engine;

/// <summary>The engine-wide settings that are not per rule.</summary>
/// <param name="Mode">The global mode.</param>
/// <param name="UnverifiableAction">What a violation becomes when the cluster state it needs is unknown.</param>
/// <param name="RuleErrors">What a deny rule that cannot evaluate an object does: deny it, saying why (default), or warn.</param>
public sealed record EngineSettings(GuardMode Mode, RuleAction UnverifiableAction, RuleErrorPolicy RuleErrors = RuleErrorPolicy.Deny)
{
    /// <summary>The bounds an exception must keep to waive anything (<c>StatefulGuard:Exceptions</c>).</summary>
    public Exceptions.ExceptionPolicy Exceptions { get; init; } = new();

    public static readonly EngineSettings Default = new(GuardMode.Enforce, RuleAction.Warn);
}
