using System.Text.Json.Nodes;
using StatefulGuard.Core.Rules.Availability;

namespace StatefulGuard.Core.Tests.Rules.Availability;

/// <summary>Rule <c>update-strategy</c>.</summary>
public sealed class UpdateStrategyTests
{
    [Fact]
    public void Default_rolling_update_passes() => Assert.Empty(Rule.Check<UpdateStrategy>(Objects.StatefulSet()));

    [Fact]
    public void Partition_equal_to_replicas_is_a_deliberate_pause_and_passes() =>
        Assert.Empty(Rule.Check<UpdateStrategy>(Objects.StatefulSet(edit: j => j["spec"]!["updateStrategy"]!["rollingUpdate"]!["partition"] = 3)));

    [Fact]
    public void Partition_above_replicas_is_reported()
    {
        var finding = Assert.Single(Rule.Check<UpdateStrategy>(Objects.StatefulSet(edit: j => j["spec"]!["updateStrategy"]!["rollingUpdate"]!["partition"] = 5)));
        Assert.Equal(("partition-above-replicas", "spec.updateStrategy.rollingUpdate.partition"), (finding.Code, finding.Path));
        Assert.Contains("partition 5 is above replicas 3", finding.Message);
    }

    [Fact]
    public void OnDelete_is_reported() =>
        Assert.Equal("on-delete", Assert.Single(Rule.Check<UpdateStrategy>(Objects.StatefulSet(edit: j => j["spec"]!["updateStrategy"] = new JsonObject { ["type"] = "OnDelete" }))).Code);
}
