namespace StatefulGuard.Core.Rules;

public abstract class NamespaceRule<TOptions> : Rule<TOptions>, INamespaceRule
    where TOptions : RuleOptions, new()
{
    public IEnumerable<Finding> Validate(NamespaceRuleContext context, RuleOptions options) => Check(context, Typed(options));

    protected abstract IEnumerable<Finding> Check(NamespaceRuleContext context, TOptions options);
}
