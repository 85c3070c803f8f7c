namespace StatefulGuard.Core.Rules;

/// <summary>
/// Settings every rule has, bound from <c>StatefulGuard:Rules:&lt;rule-id&gt;</c>.
/// A rule with parameters derives its own options type from this one.
/// </summary>
public class RuleOptions
{
    /// <summary>Overrides the rule's default action; null keeps the default.</summary>
    public RuleAction? Action { get; set; }
}
