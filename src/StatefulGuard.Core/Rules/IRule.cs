using FluentValidation;

namespace StatefulGuard.Core.Rules;

/// <summary>
/// A rule. Implementations are discovered by the <see cref="Engine.RuleCatalog"/>: adding a rule is adding
/// a class (with a parameterless constructor), its tests and fixtures.
/// </summary>
public interface IRule
{
    RuleDescriptor Descriptor { get; }

    /// <summary>
    /// The type bound from <c>StatefulGuard:Rules:&lt;id&gt;</c>; <see cref="RuleOptions"/> or a subclass.
    /// </summary>
    Type OptionsType { get; }

    /// <summary>What values of <see cref="OptionsType"/> are valid (FluentValidation rules; see <see cref="Engine.OptionRules"/>).</summary>
    IValidator OptionsValidator { get; }
}

public interface IValidatingRule : IRule
{
    IEnumerable<Finding> Validate(RuleContext context, RuleOptions options);
}

/// <summary>What every rule with typed options has: its options type, and findings stamped with its id.</summary>
public abstract class Rule<TOptions> : IRule
    where TOptions : RuleOptions, new()
{
    public abstract RuleDescriptor Descriptor { get; }

    public Type OptionsType => typeof(TOptions);

    /// <summary>A rule with settings of its own overrides this with a <see cref="Engine.RuleOptionsRules{TOptions}"/> that checks them.</summary>
    public virtual IValidator OptionsValidator => Engine.RuleOptionsRules<TOptions>.Plain;

    protected static TOptions Typed(RuleOptions options) => options as TOptions ?? new TOptions();

    protected Finding Violation(string code, string? path, string message, string fix) =>
        new(Descriptor.Id, code, message, fix, path);

    protected Finding Unverifiable(string code, string? path, string message, string fix) =>
        new(Descriptor.Id, code, message, fix, path, Unverifiable: true);
}

/// <summary>Base class for validating rules with typed options.</summary>
public abstract class ValidatingRule<TOptions> : Rule<TOptions>, IValidatingRule
    where TOptions : RuleOptions, new()
{
    public IEnumerable<Finding> Validate(RuleContext context, RuleOptions options) => Check(context, Typed(options));

    /// <summary>Reports every violation of the rule on <see cref="RuleContext.StatefulSet"/>.</summary>
    protected abstract IEnumerable<Finding> Check(RuleContext context, TOptions options);
}
