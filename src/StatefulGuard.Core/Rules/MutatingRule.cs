using System.Diagnostics.CodeAnalysis;

namespace StatefulGuard.Core.Rules;

/// <summary>Base class for mutating rules with typed options.</summary>
public abstract class MutatingRule<[DynamicallyAccessedMembers(RuleOptions.Members)] TOptions> : Rule<TOptions>, IMutatingRule
    where TOptions : RuleOptions, new()
{
    public string SkipName => Descriptor.Id;

    public void Mutate(MutationContext context, RuleOptions options) => Apply(context, Typed(options));

    protected abstract void Apply(MutationContext context, TOptions options);
}
