using System.Diagnostics.CodeAnalysis;

namespace StatefulGuard.Core.Rules;

public abstract class NamespaceRule<[DynamicallyAccessedMembers(RuleOptions.Members)] TOptions> : Rule<TOptions>, INamespaceRule
    where TOptions : RuleOptions, new()
{
    public IEnumerable<Finding> Validate(NamespaceRuleContext context, RuleOptions options) => Check(context, Typed(options));

    protected abstract IEnumerable<Finding> Check(NamespaceRuleContext context, TOptions options);
}
