using StatefulGuard.Core.Engine;

namespace StatefulGuard.Core.Rules.Defaults;

internal sealed class SecurityContextOptionsRules : RuleOptionsRules<SecurityContextOptions>
{
    public SecurityContextOptionsRules() => RuleFor(o => o.Profile).Named();
}
