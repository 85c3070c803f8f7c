using StatefulGuard.Core.Cluster;

namespace StatefulGuard.Core.Rules.Availability;

/// <summary>
/// A replicated StatefulSet has a PodDisruptionBudget in its namespace that selects its pods; without one a
/// node drain or cluster upgrade may evict several members of a quorum at once.
/// </summary>
public sealed class DisruptionBudget : ValidatingRule<DisruptionBudgetOptions>
{
    public const string Id = "disruption-budget";

    public override RuleDescriptor Descriptor { get; } = new(
        Id, RuleKind.Validating, RuleAction.Warn,
        "a PodDisruptionBudget in the namespace selects the pods (when replicas > 1)")
    {
        Help = "Without a PodDisruptionBudget a node drain or cluster upgrade may evict several members of a quorum at once. Create a PodDisruptionBudget selecting the pods, typically with maxUnavailable: 1.",
        Reads = [ClusterKinds.PodDisruptionBudget],
        Category = "Availability",
        Severity = RuleSeverity.Medium,
    };

    protected override IEnumerable<Finding> Check(RuleContext context, DisruptionBudgetOptions options)
    {
        var replicas = context.StatefulSet.Spec?.Replicas ?? 1;
        if (replicas < options.MinReplicas)
        {
            yield break;
        }

        var budgets = context.Cluster.GetPodDisruptionBudgets(context.Namespace);
        if (budgets.State == LookupState.Unknown)
        {
            yield return Unverifiable("budget-unverifiable", "spec.selector",
                "cannot verify PodDisruptionBudgets: cluster state is not available", "make sure one selects the pods")
                with { Summary = "cannot verify PodDisruptionBudgets yet: cluster state is not available" };
            yield break;
        }

        if (budgets.Value!.Any(b => Selectors.Matches(b.Selector, context.PodLabels)))
        {
            yield break;
        }

        var selector = context.StatefulSet.Spec?.Selector is { } s ? Selectors.Format(s) : Selectors.Format(context.PodLabels);
        // Never a second object of a name that exists: a budget named like the StatefulSet that misses its pods is to be fixed.
        var suggested = budgets.Value!.Any(b => b.Name == context.Name) ? null : Companions.DisruptionBudget(context.StatefulSet);
        var finding = context.Cluster.Scope == ViewScope.Input
            ? Violation("no-budget", "spec.selector",
                $"no PodDisruptionBudget selecting the {replicas} replicas was found in the input: a drain may evict several at once",
                $"add a PodDisruptionBudget with selector {selector} and maxUnavailable: 1 beside the StatefulSet")
                with { Summary = "no PodDisruptionBudget for the pods in the input; add one, maxUnavailable: 1" }
            : Violation("no-budget", "spec.selector",
                $"no PodDisruptionBudget in namespace \"{context.Namespace}\" selects the {replicas} replicas: a drain may evict several at once",
                $"create a PodDisruptionBudget with selector {selector} and maxUnavailable: 1")
                with { Summary = "no PodDisruptionBudget selects the pods; create one, maxUnavailable: 1" };
        yield return finding with { Suggested = suggested };
    }
}
