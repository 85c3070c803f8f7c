using StatefulGuard.Core.Engine;

namespace StatefulGuard.Core.Rules.Defaults;

internal sealed class ProbesOptionsRules : RuleOptionsRules<ProbesOptions>
{
    public ProbesOptionsRules()
    {
        RuleFor(o => o.TimeoutSeconds).Between(1, 300);
        RuleFor(o => o.StartupPeriodSeconds).Between(1, 300);
        RuleFor(o => o.StartupFailureThreshold).Between(1, 10_000);
        RuleFor(o => o.ReadinessPeriodSeconds).Between(1, 300);
        RuleFor(o => o.ReadinessFailureThreshold).Between(1, 100);
        RuleFor(o => o.LivenessPeriodSeconds).Between(1, 300);
        RuleFor(o => o.LivenessFailureThreshold).Between(1, 100);
    }
}
