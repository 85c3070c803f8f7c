namespace StatefulGuard.Core.Rules;

/// <summary>What a rule's violation does to an admission request.</summary>
public enum RuleAction
{
    /// <summary>The request is denied (in enforce mode).</summary>
    Deny,

    /// <summary>The request is allowed with an admission warning.</summary>
    Warn,

    /// <summary>The rule is not evaluated.</summary>
    Off,
}
