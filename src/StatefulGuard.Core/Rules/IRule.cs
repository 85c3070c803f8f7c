using System.Diagnostics.CodeAnalysis;
using FluentValidation;

namespace StatefulGuard.Core.Rules;

/// <summary>
/// A rule. Implementations are listed in the <see cref="Engine.RuleCatalog"/> at compile time: adding a rule is adding
/// a public class (with a public parameterless constructor), its tests and fixtures.
/// </summary>
public interface IRule
{
    RuleDescriptor Descriptor { get; }

    /// <summary>
    /// The type bound from <c>StatefulGuard:Rules:&lt;id&gt;</c>; <see cref="RuleOptions"/> or a subclass.
    /// </summary>
    /// <remarks>Its properties and constructor are kept in the native build, for <c>statefulguard rules</c> to list them.</remarks>
    [DynamicallyAccessedMembers(RuleOptions.Members)]
    Type OptionsType { get; }

    /// <summary>A new <see cref="OptionsType"/> holding the defaults.</summary>
    RuleOptions NewOptions();

    /// <summary>What values of <see cref="OptionsType"/> are valid (FluentValidation rules; see <see cref="Engine.OptionRules"/>).</summary>
    IValidator OptionsValidator { get; }
}
