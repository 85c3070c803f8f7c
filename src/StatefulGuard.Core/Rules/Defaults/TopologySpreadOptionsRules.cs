using FluentValidation;
using StatefulGuard.Core.Engine;

namespace StatefulGuard.Core.Rules.Defaults;

internal sealed class TopologySpreadOptionsRules : RuleOptionsRules<TopologySpreadOptions>
{
    public TopologySpreadOptionsRules()
    {
        RuleForEach(o => o.TopologyKeys).Must(key => !string.IsNullOrWhiteSpace(key))
            .WithMessage("must name a node label, e.g. topology.kubernetes.io/zone");
        RuleFor(o => o.MaxSkew).Between(1, 100);
        RuleFor(o => o.WhenUnsatisfiable).OneOf("ScheduleAnyway", "DoNotSchedule");
    }
}
