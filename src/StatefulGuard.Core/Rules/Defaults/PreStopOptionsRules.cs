using StatefulGuard.Core.Engine;

namespace StatefulGuard.Core.Rules.Defaults;

internal sealed class PreStopOptionsRules : RuleOptionsRules<PreStopOptions>
{
    public PreStopOptionsRules()
    {
        RuleFor(o => o.SleepSeconds).Between(1, 600);
        RuleFor(o => o.MinShutdownSeconds).Between(0, 600);
        RuleFor(o => o.AssumeKubernetesVersion).KubernetesVersion();
    }
}
