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
