namespace StatefulGuard.Core.Rules;

public enum RuleKind
{
    Validating,
    Mutating,
}
