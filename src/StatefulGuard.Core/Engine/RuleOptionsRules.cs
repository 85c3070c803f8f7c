using FluentValidation;
using StatefulGuard.Core.Rules;

namespace StatefulGuard.Core.Engine;

/// <summary>
/// What every rule's options must hold: a defined action. A rule with settings of its own derives from this
/// and adds their rules (see <see cref="Rule{TOptions}.OptionsValidator"/>).
/// </summary>
public class RuleOptionsRules<TOptions> : AbstractValidator<TOptions>
    where TOptions : RuleOptions
{
    /// <summary>The rules for options with no settings of their own.</summary>
    public static readonly RuleOptionsRules<TOptions> Plain = new();

    public RuleOptionsRules() => RuleFor(o => o.Action).Named();
}
