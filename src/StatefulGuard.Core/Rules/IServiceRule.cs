namespace StatefulGuard.Core.Rules;

/// <summary>A rule that judges changes to Services from the side of the StatefulSets that depend on them.</summary>
public interface IServiceRule : IRule
{
    IEnumerable<Finding> Validate(ServiceRuleContext context, RuleOptions options);
}
