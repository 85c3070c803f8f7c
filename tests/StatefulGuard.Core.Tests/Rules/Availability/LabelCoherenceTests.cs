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
    public void Spread_constraint_that_drifted_from_the_pods_is_reported_with_its_path()
    {
        // Agrees on the name, wants a label the pods do not carry: meant for them, and misses them.
        var sts = Objects.StatefulSet(edit: j => Mutation.Pod(j)["topologySpreadConstraints"] = new JsonArray(new JsonObject
        {
            ["maxSkew"] = 1, ["topologyKey"] = "topology.kubernetes.io/zone", ["whenUnsatisfiable"] = "ScheduleAnyway",
            ["labelSelector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["app.kubernetes.io/name"] = "web", ["tier"] = "frontend" } },
        }));

        var finding = Assert.Single(Rule.Check<LabelCoherence>(sts));

        Assert.Equal("spec.template.spec.topologySpreadConstraints[0].labelSelector", finding.Path);
        Assert.Contains("label tier missing (selector wants frontend)", finding.Message);
    }

    [Fact]
    public void Spread_constraint_over_another_application_is_not_judged()
    {
        var sts = Objects.StatefulSet(edit: j => Mutation.Pod(j)["topologySpreadConstraints"] = new JsonArray(new JsonObject
        {
            ["maxSkew"] = 1, ["topologyKey"] = "topology.kubernetes.io/zone", ["whenUnsatisfiable"] = "ScheduleAnyway",
            ["labelSelector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["app.kubernetes.io/name"] = "billing" } },
        }));

        Assert.Empty(Rule.Check<LabelCoherence>(sts));
    }

    [Fact]
    public void Anti_affinity_term_naming_the_governing_service_instead_of_the_pods_is_reported()
    {
        var sts = Objects.StatefulSet(edit: j => Mutation.Pod(j)["affinity"] = JsonNode.Parse("""
            {"podAntiAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":[
              {"labelSelector":{"matchExpressions":[{"key":"app.kubernetes.io/name","operator":"In","values":["SERVICE"]}]},"topologyKey":"kubernetes.io/hostname"}]}}
            """.Replace("SERVICE", (string?)j["spec"]!["serviceName"], StringComparison.Ordinal)));

        var finding = Assert.Single(Rule.Check<LabelCoherence>(sts));

        Assert.Equal("spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].labelSelector", finding.Path);
        Assert.Contains("selector wants one of", finding.Message);
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

    [Fact]
    public void Budgets_of_other_applications_sharing_the_key_are_not_judged()
    {
        // Pods are app.kubernetes.io/name=web; the other budgets want other values of the same keys.
        var view = new StaticClusterView()
            .Add(Rule.Budget("billing", Rule.Labels(("app.kubernetes.io/name", "billing"))), "shop")
            .Add(Rule.Budget("web-canary", Rule.Labels(("app.kubernetes.io/name", "web-canary"))), "shop");
        Assert.Empty(Rule.Check<LabelCoherence>(Objects.StatefulSet(), view));
    }

    [Fact]
    public void Budget_named_after_the_statefulset_is_judged_even_when_every_value_differs()
    {
        var view = new StaticClusterView().Add(Rule.Budget("web-pdb", Rule.Labels(("app.kubernetes.io/name", "webserver"))), "shop");
        var finding = Assert.Single(Rule.Check<LabelCoherence>(Objects.StatefulSet(), view));
        Assert.Equal("budget-selector-mismatch", finding.Code);
        Assert.Contains("\"web-pdb\"", finding.Short);
    }

    [Fact]
    public void Drifted_budget_is_not_reported_when_another_budget_covers_the_pods()
    {
        var view = new StaticClusterView()
            .Add(Rule.Budget("web", Rule.Labels(("app.kubernetes.io/name", "web"))), "shop")
            .Add(Rule.Budget("web-extra", Rule.Labels(("app.kubernetes.io/name", "web"), ("tier", "frontend"))), "shop");
        Assert.Empty(Rule.Check<LabelCoherence>(Objects.StatefulSet(), view));
    }

    [Fact]
    public void Drifted_selector_that_selects_another_statefulset_belongs_to_it()
    {
        var other = Objects.StatefulSet(edit: j =>
        {
            j["metadata"]!["name"] = "web-frontend";
            j["spec"]!["template"]!["metadata"]!["labels"] = new JsonObject { ["app.kubernetes.io/name"] = "web", ["tier"] = "frontend" };
        });
        var view = new StaticClusterView()
            .Add(Rule.Budget("frontend", Rule.Labels(("app.kubernetes.io/name", "web"), ("tier", "frontend"))), "shop")
            .Add(other, "shop");
        Assert.Empty(Rule.Check<LabelCoherence>(Objects.StatefulSet(), view));
    }

    [Fact]
    public void Terms_that_exclude_the_pods_on_purpose_are_not_judged()
    {
        var sts = Objects.StatefulSet(edit: j => Mutation.Pod(j)["affinity"] = JsonNode.Parse("""
            {"podAntiAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":[
              {"labelSelector":{"matchExpressions":[
                {"key":"app.kubernetes.io/name","operator":"In","values":["web"]},
                {"key":"app.kubernetes.io/name","operator":"NotIn","values":["web"]}]},"topologyKey":"kubernetes.io/hostname"},
              {"labelSelector":{"matchExpressions":[{"key":"app.kubernetes.io/name","operator":"DoesNotExist"}]},"topologyKey":"kubernetes.io/hostname"}]}}
            """));
        Assert.Empty(Rule.Check<LabelCoherence>(sts));
    }

    [Fact]
    public void Affinity_naming_the_statefulset_is_judged()
    {
        var sts = Objects.StatefulSet(edit: j => Mutation.Pod(j)["affinity"] = JsonNode.Parse("""
            {"podAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":[
              {"labelSelector":{"matchLabels":{"statefulset.kubernetes.io/pod-name":"web-0"}},"topologyKey":"kubernetes.io/hostname"}]}}
            """));
        Assert.Equal("affinity-selector-mismatch", Assert.Single(Rule.Check<LabelCoherence>(sts)).Code);
    }

    [Fact]
    public void Null_terms_and_requirements_are_absent()
    {
        var sts = Objects.StatefulSet(edit: j =>
        {
            Mutation.Pod(j)["topologySpreadConstraints"] = new JsonArray((JsonNode?)null);
            Mutation.Pod(j)["affinity"] = JsonNode.Parse("""
                {"podAntiAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":[null,{"labelSelector":{"matchExpressions":[null]},"topologyKey":"x"}],
                 "preferredDuringSchedulingIgnoredDuringExecution":[null,{"weight":1}]}}
                """);
        });
        Assert.Empty(Rule.Check<LabelCoherence>(sts, new StaticClusterView().Add(Rule.Budget("b", null), "shop")));
    }
}
