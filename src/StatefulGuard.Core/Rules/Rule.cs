using System.Diagnostics.CodeAnalysis;
using FluentValidation;

namespace StatefulGuard.Core.Rules;

/// <summary>What every rule with typed options has: its options type, and findings stamped with its id.</summary>
public abstract class Rule<[DynamicallyAccessedMembers(RuleOptions.Members)] TOptions> : IRule
    where TOptions : RuleOptions, new()
{
    public abstract RuleDescriptor Descriptor { get; }

    [DynamicallyAccessedMembers(RuleOptions.Members)]
    public Type OptionsType => typeof(TOptions);

    public RuleOptions NewOptions() => new TOptions();

    /// <summary>A rule with settings of its own overrides this with a <see cref="Engine.RuleOptionsRules{TOptions}"/> that checks them.</summary>
    public virtual IValidator OptionsValidator => Engine.RuleOptionsRules<TOptions>.Plain;

    protected static TOptions Typed(RuleOptions options) => options as TOptions ?? new TOptions();

    protected Finding Violation(string code, string? path, string message, string fix) =>
        new(Descriptor.Id, code, message, fix, path);

    protected Finding Unverifiable(string code, string? path, string message, string fix) =>
        new(Descriptor.Id, code, message, fix, path, Unverifiable: true);
}
