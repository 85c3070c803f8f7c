namespace StatefulGuard.Core.Rules;

public enum RuleKind
{
    Validating,
    Mutating,
}

/// <summary>The stable, public identity of a rule: its id appears in configuration, messages and fixtures.</summary>
public sealed record RuleDescriptor(string Id, RuleKind Kind, RuleAction DefaultAction, string Description);
