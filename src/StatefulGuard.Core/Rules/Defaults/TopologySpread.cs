using k8s.Models;

namespace StatefulGuard.Core.Rules.Defaults;

/// <summary>
/// Spreads the replicas across zones and nodes when the pod template has no <c>topologySpreadConstraints</c>,
/// selecting the pods by the StatefulSet's own selector (whose labels every pod carries).
/// </summary>
public sealed class TopologySpread : MutatingRule<TopologySpreadOptions>
{
    public const string Id = "topology-spread";

    public override FluentValidation.IValidator OptionsValidator { get; } = new TopologySpreadOptionsRules();

    public override RuleDescriptor Descriptor { get; } = new(
        Id, RuleKind.Mutating, RuleAction.Warn,
        "injects zone and hostname topologySpreadConstraints (maxSkew 1, ScheduleAnyway) where none are set")
    {
        Help = "Replicas that share a node or zone fail together. Injected: zone and hostname spread constraints with maxSkew 1 and ScheduleAnyway, so single-zone clusters still schedule every replica.",
        SpecFields = ["selector", "template"],
        Category = "Availability",
        Severity = RuleSeverity.Low,
    };

    protected override void Apply(MutationContext context, TopologySpreadOptions options)
    {
        var sts = context.StatefulSet;
        if (sts.Spec?.Template?.Spec is not { } spec || spec.TopologySpreadConstraints is { Count: > 0 })
        {
            return;
        }

        var selector = sts.Spec.Selector;
        if (selector is null || (selector.MatchLabels is not { Count: > 0 } && selector.MatchExpressions is not { Count: > 0 }))
        {
            return;
        }

        var constraints = context.Fill(Id, (Options: options, Selector: selector),
            static (s, _) => s.Spec?.Template?.Spec?.TopologySpreadConstraints is { Count: > 0 } stored ? stored : null,
            static a => a.Options.EffectiveTopologyKeys.Select(key => new V1TopologySpreadConstraint
            {
                MaxSkew = a.Options.MaxSkew,
                TopologyKey = key,
                WhenUnsatisfiable = a.Options.WhenUnsatisfiable,
                LabelSelector = Copy(a.Selector),
            }).ToList());
        if (constraints is not null)
        {
            spec.TopologySpreadConstraints = constraints;
        }
    }

    /// <summary>Each constraint gets a selector of its own (a label selector has just these two fields).</summary>
    private static V1LabelSelector Copy(V1LabelSelector selector) => new()
    {
        MatchLabels = selector.MatchLabels is null ? null : new Dictionary<string, string>(selector.MatchLabels),
        // A null requirement selects nothing and the apiserver refuses it: the copy leaves it out.
        MatchExpressions = selector.MatchExpressions?.OfType<V1LabelSelectorRequirement>().Select(e => new V1LabelSelectorRequirement
        {
            Key = e.Key,
            OperatorProperty = e.OperatorProperty,
            Values = e.Values is null ? null : [.. e.Values],
        }).ToList(),
    };
}
