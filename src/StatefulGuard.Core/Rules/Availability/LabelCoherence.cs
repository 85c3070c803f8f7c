using k8s.Models;
using StatefulGuard.Core.Cluster;

namespace StatefulGuard.Core.Rules.Availability;

/// <summary>
/// Selectors that are meant for the StatefulSet's pods actually select them: every PodDisruptionBudget that
/// names the pods' label keys, every topologySpreadConstraint, and every pod (anti-)affinity term that names
/// the pods' label keys. Reports the exact keys that differ. (The Service's selector is checked by
/// headless-service.)
/// </summary>
public sealed class LabelCoherence : ValidatingRule<RuleOptions>
{
    public const string Id = "label-coherence";

    public override RuleDescriptor Descriptor { get; } = new(
        Id, RuleKind.Validating, RuleAction.Warn,
        "PodDisruptionBudget, spread and affinity selectors meant for the pods select the pod template labels")
    {
        Help = "A PodDisruptionBudget, spread constraint or anti-affinity term whose selector misses the pods protects or spreads nothing, silently. Make every selector meant for the pods a subset of the pod template labels; the report names the keys that differ.",
    };

    protected override IEnumerable<Finding> Check(RuleContext context, RuleOptions options)
    {
        var labels = context.PodLabels;
        var spec = context.StatefulSet.Spec?.Template?.Spec;
        var suggested = context.StatefulSet.Spec?.Selector is { } s ? Selectors.Format(s) : Selectors.Format(labels);

        if (context.Cluster.GetPodDisruptionBudgets(context.Namespace) is { State: LookupState.Found } budgets)
        {
            foreach (var budget in budgets.Value!.OrderBy(b => b.Metadata?.Name, StringComparer.Ordinal))
            {
                if (budget.Spec?.Selector is { } selector && Selectors.SharesKeys(selector, labels) && !Selectors.Matches(selector, labels))
                {
                    yield return Violation("budget-selector-mismatch", "spec.template.metadata.labels",
                        $"PodDisruptionBudget \"{budget.Metadata?.Name}\" does not select the pods: {Describe(selector, labels)}",
                        $"make its selector a subset of the pod labels, e.g. {suggested}");
                }
            }
        }

        var spreads = spec?.TopologySpreadConstraints ?? [];
        for (var i = 0; i < spreads.Count; i++)
        {
            var selector = spreads[i].LabelSelector;
            if (selector is null || !Selectors.Matches(selector, labels))
            {
                yield return Violation("spread-selector-mismatch", $"spec.template.spec.topologySpreadConstraints[{i}].labelSelector",
                    selector is null
                        ? $"topologySpreadConstraints[{i}] has no labelSelector: it counts no pods and spreads nothing"
                        : $"topologySpreadConstraints[{i}] does not select the pods: {Describe(selector, labels)}",
                    $"set its labelSelector to {suggested}");
            }
        }

        foreach (var (term, path) in AffinityTerms(spec?.Affinity))
        {
            if (term.LabelSelector is { } selector && Selectors.SharesKeys(selector, labels) && !Selectors.Matches(selector, labels))
            {
                yield return Violation("affinity-selector-mismatch", $"{path}.labelSelector",
                    $"pod (anti-)affinity term does not select the pods: {Describe(selector, labels)}",
                    $"set its labelSelector to {suggested}");
            }
        }
    }

    private static string Describe(V1LabelSelector selector, IDictionary<string, string> labels) =>
        string.Join("; ", Selectors.LabelSelectorMismatches(selector, labels));

    private static IEnumerable<(V1PodAffinityTerm Term, string Path)> AffinityTerms(V1Affinity? affinity)
    {
        const string Root = "spec.template.spec.affinity";
        foreach (var (name, required, preferred) in new[]
                 {
                     ("podAntiAffinity", affinity?.PodAntiAffinity?.RequiredDuringSchedulingIgnoredDuringExecution, affinity?.PodAntiAffinity?.PreferredDuringSchedulingIgnoredDuringExecution),
                     ("podAffinity", affinity?.PodAffinity?.RequiredDuringSchedulingIgnoredDuringExecution, affinity?.PodAffinity?.PreferredDuringSchedulingIgnoredDuringExecution),
                 })
        {
            for (var i = 0; i < (required?.Count ?? 0); i++)
            {
                yield return (required![i], $"{Root}.{name}.requiredDuringSchedulingIgnoredDuringExecution[{i}]");
            }

            for (var i = 0; i < (preferred?.Count ?? 0); i++)
            {
                yield return (preferred![i].PodAffinityTerm, $"{Root}.{name}.preferredDuringSchedulingIgnoredDuringExecution[{i}].podAffinityTerm");
            }
        }
    }
}
