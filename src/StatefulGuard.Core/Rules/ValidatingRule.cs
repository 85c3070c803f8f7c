using System.Diagnostics.CodeAnalysis;

namespace StatefulGuard.Core.Rules;

/// <summary>Base class for validating rules with typed options.</summary>
public abstract class ValidatingRule<[DynamicallyAccessedMembers(RuleOptions.Members)] TOptions> : Rule<TOptions>, IValidatingRule
    where TOptions : RuleOptions, new()
{
    public IEnumerable<Finding> Validate(RuleContext context, RuleOptions options) => Check(context, Typed(options));

    /// <summary>Reports every violation of the rule on <see cref="RuleContext.StatefulSet"/>.</summary>
    protected abstract IEnumerable<Finding> Check(RuleContext context, TOptions options);
}
