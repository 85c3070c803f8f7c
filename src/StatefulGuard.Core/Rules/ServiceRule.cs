using System.Diagnostics.CodeAnalysis;

namespace StatefulGuard.Core.Rules;

public abstract class ServiceRule<[DynamicallyAccessedMembers(RuleOptions.Members)] TOptions> : Rule<TOptions>, IServiceRule
    where TOptions : RuleOptions, new()
{
    public IEnumerable<Finding> Validate(ServiceRuleContext context, RuleOptions options) => Check(context, Typed(options));

    protected abstract IEnumerable<Finding> Check(ServiceRuleContext context, TOptions options);
}
