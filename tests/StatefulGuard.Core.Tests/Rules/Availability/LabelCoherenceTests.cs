using System.Text.Json.Nodes;
using StatefulGuard.Core.Cluster;
using StatefulGuard.Core.Rules.Availability;

namespace StatefulGuard.Core.Tests.Rules.Availability;

/// <summary>Rule <c>label-coherence</c>.</summary>
public sealed class LabelCoherenceTests
{
    [Fact]
    public void Coherent_selectors_pass()
    {
        var view = new StaticClusterView().Add(Rule.Budget("web", Rule.Labels(("app.kubernetes.io/name", "web"))), "shop");
        var sts = Objects.StatefulSet(edit: j => Mutation.Pod(j)["topologySpreadConstraints"] = new JsonArray(new JsonObject
        {
            ["maxSkew"] = 1, ["topologyKey"] = "kubernetes.io/hostname", ["whenUnsatisfiable"] = "ScheduleAnyway",
            ["labelSelector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["app.kubernetes.io/name"] = "web" } },
        }));
        Assert.Empty(Rule.Check<LabelCoherence>(sts, view));
    }

    [Fact]
    public void Budget_meant_for_the_pods_that_misses_them_names_the_key()
    {
        var view = new StaticClusterView()
            .Add(Rule.Budget("web", Rule.Labels(("app.kubernetes.io/name", "web"), ("tier", "frontend"))), "shop")
            .Add(Rule.Budget("unrelated", Rule.Labels(("app", "billing"))), "shop");

        var finding = Assert.Single(Rule.Check<LabelCoherence>(Objects.StatefulSet(), view));

        Assert.Equal("budget-selector-mismatch", finding.Code);
        Assert.Contains("PodDisruptionBudget \"web\"", finding.Message);
        Assert.Contains("label tier missing (selector wants frontend)", finding.Message);
    }

    [Fact]
    public void Spread_constraint_selecting_other_pods_is_reported_with_its_path()
    {
        var sts = Objects.StatefulSet(edit: j => Mutation.Pod(j)["topologySpreadConstraints"] = new JsonArray(new JsonObject
        {
            ["maxSkew"] = 1, ["topologyKey"] = "topology.kubernetes.io/zone", ["whenUnsatisfiable"] = "ScheduleAnyway",
            ["labelSelector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["app.kubernetes.io/name"] = "nginx" } },
        }));

        var finding = Assert.Single(Rule.Check<LabelCoherence>(sts));

        Assert.Equal("spec.template.spec.topologySpreadConstraints[0].labelSelector", finding.Path);
        Assert.Contains("app.kubernetes.io/name=web, selector wants nginx", finding.Message);
    }

    [Fact]
    public void Anti_affinity_term_with_a_typo_is_reported()
    {
        var sts = Objects.StatefulSet(edit: j => Mutation.Pod(j)["affinity"] = JsonNode.Parse("""
            {"podAntiAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":[
              {"labelSelector":{"matchExpressions":[{"key":"app.kubernetes.io/name","operator":"In","values":["wbe"]}]},"topologyKey":"kubernetes.io/hostname"}]}}
            """));

        var finding = Assert.Single(Rule.Check<LabelCoherence>(sts));

        Assert.Equal("spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].labelSelector", finding.Path);
        Assert.Contains("selector wants one of wbe", finding.Message);
    }

    [Fact]
    public void Affinity_towards_other_applications_is_not_a_mismatch()
    {
        var sts = Objects.StatefulSet(edit: j => Mutation.Pod(j)["affinity"] = JsonNode.Parse("""
            {"podAffinity":{"preferredDuringSchedulingIgnoredDuringExecution":[{"weight":50,"podAffinityTerm":
              {"labelSelector":{"matchLabels":{"app":"cache"}},"topologyKey":"kubernetes.io/hostname"}}]}}
            """));
        Assert.Empty(Rule.Check<LabelCoherence>(sts));
    }
}
