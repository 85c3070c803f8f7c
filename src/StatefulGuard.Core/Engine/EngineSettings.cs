using StatefulGuard.Core.Rules;

namespace StatefulGuard.Core.Engine;

/// <summary>The engine-wide settings that are not per rule.</summary>
public sealed record EngineSettings(GuardMode Mode, RuleAction UnverifiableAction)
{
    public static readonly EngineSettings Default = new(GuardMode.Enforce, RuleAction.Warn);
}
