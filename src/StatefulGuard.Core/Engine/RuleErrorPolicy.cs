namespace StatefulGuard.Core.Engine;

/// <summary><c>StatefulGuard:RuleErrors</c>: what a deny rule that throws on an object does.</summary>
public enum RuleErrorPolicy
{
    /// <summary>Fail closed: the object is denied with a message saying it could not be evaluated and why.</summary>
    Deny,

    /// <summary>Fail open: a warning says the rule could not evaluate the object.</summary>
    Allow,
}
