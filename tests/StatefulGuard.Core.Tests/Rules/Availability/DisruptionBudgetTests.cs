using k8s.Models;
using StatefulGuard.Core.Cluster;
using StatefulGuard.Core.Rules.Availability;

namespace StatefulGuard.Core.Tests.Rules.Availability;

/// <summary>Rule <c>disruption-budget</c>.</summary>
public sealed class DisruptionBudgetTests
{
    private static StaticClusterView With(params V1PodDisruptionBudget[] budgets)
    {
        var view = new StaticClusterView();
        foreach (var b in budgets)
        {
            view.Add(b, "shop");
        }

        return view;
    }

    [Fact]
    public void Budget_selecting_the_pods_passes() =>
        Assert.Empty(Rule.Check<DisruptionBudget>(Objects.StatefulSet(), With(Rule.Budget("web", Rule.Labels(("app.kubernetes.io/name", "web"))))));

    [Fact]
    public void Budget_with_match_expressions_is_understood()
    {
        var selector = new V1LabelSelector { MatchExpressions = [new V1LabelSelectorRequirement { Key = "app.kubernetes.io/name", OperatorProperty = "In", Values = ["web", "api"] }] };
        Assert.Empty(Rule.Check<DisruptionBudget>(Objects.StatefulSet(), With(Rule.Budget("web", selector))));
    }

    [Fact]
    public void No_budget_for_replicated_pods_is_reported_with_a_ready_selector()
    {
        var finding = Assert.Single(Rule.Check<DisruptionBudget>(Objects.StatefulSet(), With(Rule.Budget("other", Rule.Labels(("app", "other"))))));
        Assert.Equal("no-budget", finding.Code);
        Assert.Contains("app.kubernetes.io/name=web", finding.Fix);
    }

    [Fact]
    public void Budget_in_another_namespace_does_not_count() =>
        Assert.Single(Rule.Check<DisruptionBudget>(Objects.StatefulSet(), With(Rule.Budget("web", Rule.Labels(("app.kubernetes.io/name", "web")), ns: "other"))));

    [Fact]
    public void A_single_replica_needs_no_budget() =>
        Assert.Empty(Rule.Check<DisruptionBudget>(Objects.StatefulSet(edit: j => j["spec"]!["replicas"] = 1), With()));
}
