using System.Text.Json.Nodes;

namespace StatefulGuard.Core.Tests.Rules.Defaults;

/// <summary>Rule <c>topology-spread</c>.</summary>
public sealed class TopologySpreadTests
{
    [Fact]
    public void Zone_and_hostname_soft_constraints_selecting_the_pods()
    {
        var constraints = Mutation.Run(Objects.StatefulSet()).Mutated.Spec.Template.Spec.TopologySpreadConstraints;

        Assert.Equal(["topology.kubernetes.io/zone", "kubernetes.io/hostname"], constraints.Select(c => c.TopologyKey));
        Assert.All(constraints, c =>
        {
            Assert.Equal(1, c.MaxSkew);
            Assert.Equal("ScheduleAnyway", c.WhenUnsatisfiable);
            Assert.Equal(new Dictionary<string, string> { ["app.kubernetes.io/name"] = "web" }, c.LabelSelector.MatchLabels);
        });
    }

    [Fact]
    public void Existing_constraints_and_affinity_are_untouched()
    {
        var sts = Objects.StatefulSet(edit: j => Mutation.Pod(j)["topologySpreadConstraints"] = new JsonArray(new JsonObject
        {
            ["maxSkew"] = 2,
            ["topologyKey"] = "kubernetes.io/hostname",
            ["whenUnsatisfiable"] = "DoNotSchedule",
            ["labelSelector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["app.kubernetes.io/name"] = "web" } },
        }));

        var result = Mutation.Run(sts);

        var constraint = Assert.Single(result.Mutated.Spec.Template.Spec.TopologySpreadConstraints);
        Assert.Equal(("DoNotSchedule", 2), (constraint.WhenUnsatisfiable, constraint.MaxSkew));
        Assert.DoesNotContain("topology-spread", result.Injected);
    }

    [Fact]
    public void Keys_and_policy_come_from_configuration()
    {
        var result = Mutation.Run(Objects.StatefulSet(), settings: new Dictionary<string, string?>
        {
            ["Rules:topology-spread:TopologyKeys:0"] = "topology.kubernetes.io/region",
            ["Rules:topology-spread:WhenUnsatisfiable"] = "DoNotSchedule",
        });
        var constraint = Assert.Single(result.Mutated.Spec.Template.Spec.TopologySpreadConstraints);
        Assert.Equal(("topology.kubernetes.io/region", "DoNotSchedule"), (constraint.TopologyKey, constraint.WhenUnsatisfiable));
    }
}
