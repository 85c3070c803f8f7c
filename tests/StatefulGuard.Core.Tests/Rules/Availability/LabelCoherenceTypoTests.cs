using System.Text.Json.Nodes;
using StatefulGuard.Core.Cluster;
using StatefulGuard.Core.Rules.Availability;

namespace StatefulGuard.Core.Tests.Rules.Availability;

/// <summary>
/// Typos are evidence in <c>label-coherence</c>: an unmet selector value one slip from the StatefulSet's name, its
/// Service's, or the pods' own value for the key names the pods — unless another StatefulSet's pods carry it.
/// </summary>
public sealed class LabelCoherenceTypoTests
{
    /// <summary>The nginx StatefulSet: pods labelled app=nginx, governing Service "nginx", and one spread constraint.</summary>
    private static k8s.Models.V1StatefulSet Nginx(string spreadValue, string key = "app", string name = "web") =>
        Objects.StatefulSet(edit: j =>
        {
            j["metadata"]!["name"] = name;
            j["spec"]!["serviceName"] = "nginx";
            j["spec"]!["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["app"] = "nginx" } };
            j["spec"]!["template"]!["metadata"]!["labels"] = new JsonObject { ["app"] = "nginx" };
            Mutation.Pod(j)["topologySpreadConstraints"] = new JsonArray(new JsonObject
            {
                ["maxSkew"] = 1, ["topologyKey"] = "topology.kubernetes.io/zone", ["whenUnsatisfiable"] = "ScheduleAnyway",
                ["labelSelector"] = new JsonObject { ["matchLabels"] = new JsonObject { [key] = spreadValue } },
            });
        });

    [Theory]
    [InlineData("ngnix")] // two letters swapped
    [InlineData("nignx")] // two letters swapped
    [InlineData("ngninx")] // one added
    [InlineData("ngix")] // one dropped
    [InlineData("nginz")] // one changed
    public void A_value_one_typo_from_the_pods_own_value_is_reported(string typo)
    {
        var finding = Assert.Single(Rule.Check<LabelCoherence>(Nginx(typo)));

        Assert.Equal("spread-selector-mismatch", finding.Code);
        Assert.Contains($"app=nginx, selector wants {typo}", finding.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("wbe")] // three characters: too short to tell a typo from another name
    [InlineData("nginx-1")] // not one slip
    [InlineData("apache")] // another application
    public void Other_values_are_another_applications(string value) => Assert.Empty(Rule.Check<LabelCoherence>(Nginx(value)));

    [Fact]
    public void A_typo_of_the_statefulsets_or_the_services_name_names_the_pods_under_any_key()
    {
        Assert.Single(Rule.Check<LabelCoherence>(Nginx("ngnix", key: "app.kubernetes.io/instance")));
        Assert.Single(Rule.Check<LabelCoherence>(Nginx("kafak", key: "app.kubernetes.io/instance", name: "kafka")));
    }

    [Fact]
    public void A_value_another_statefulsets_pods_carry_is_theirs_not_a_typo()
    {
        var other = Objects.StatefulSet(edit: j =>
        {
            j["metadata"]!["name"] = "ngnix-legacy";
            j["spec"]!["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["app"] = "ngnix" } };
            j["spec"]!["template"]!["metadata"]!["labels"] = new JsonObject { ["app"] = "ngnix" };
        });
        var view = new StaticClusterView().Add(other, "shop");

        Assert.Empty(Rule.Check<LabelCoherence>(Nginx("ngnix"), view));
    }

    [Theory]
    [InlineData("db-2", "db-1")] // a digit changed: another shard
    [InlineData("postgres2", "postgres")] // a digit added: another instance
    [InlineData("shard1", "shard")]
    public void Digits_name_siblings_not_typos(string typed, string meant) => Assert.False(Core.Rules.Names.OneSlip(typed, meant));

    [Theory]
    [InlineData("ngnix", "nginx", true)]
    [InlineData("nginx", "nginx", false)]
    [InlineData("nginxx", "nginx", true)]
    [InlineData("ngin", "nginx", true)]
    [InlineData("ngjnx", "nginx", true)]
    [InlineData("xginy", "nginx", false)]
    [InlineData("ignxn", "nginx", false)]
    public void One_slip_is_one_letter_added_dropped_changed_or_two_swapped(string typed, string meant, bool slip) =>
        Assert.Equal(slip, Core.Rules.Names.OneSlip(typed, meant));
}
