namespace StatefulGuard.Core.Rules;

/// <summary>A rule that judges changes to Namespaces (their labels switch StatefulGuard per namespace).</summary>
public interface INamespaceRule : IRule
{
    IEnumerable<Finding> Validate(NamespaceRuleContext context, RuleOptions options);
}
