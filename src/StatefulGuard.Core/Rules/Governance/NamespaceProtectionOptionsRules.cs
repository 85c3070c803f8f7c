using FluentValidation;
using StatefulGuard.Core.Engine;

namespace StatefulGuard.Core.Rules.Governance;

internal sealed class NamespaceProtectionOptionsRules : RuleOptionsRules<NamespaceProtectionOptions>
{
    public NamespaceProtectionOptionsRules()
    {
        RuleForEach(o => o.AllowedGroups).NotEmpty().WithMessage("must not hold an empty group name");
        RuleForEach(o => o.AllowedUsers).NotEmpty().WithMessage("must not hold an empty user name");
    }
}
