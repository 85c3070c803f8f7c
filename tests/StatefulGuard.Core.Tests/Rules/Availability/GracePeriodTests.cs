using System.Text.Json.Nodes;
using StatefulGuard.Core.Rules.Availability;

namespace StatefulGuard.Core.Tests.Rules.Availability;

/// <summary>Rule <c>grace-period</c>.</summary>
public sealed class GracePeriodTests
{
    private static k8s.Models.V1StatefulSet WithPreStop(JsonObject handler, int? grace = null) => Objects.StatefulSet(edit: j =>
    {
        Mutation.Pod(j)["containers"]![0]!["lifecycle"] = new JsonObject { ["preStop"] = handler };
        if (grace is not null)
        {
            Mutation.Pod(j)["terminationGracePeriodSeconds"] = grace;
        }
    });

    [Fact]
    public void Sleep_inside_the_grace_period_passes() =>
        Assert.Empty(Rule.Check<GracePeriod>(WithPreStop(new JsonObject { ["sleep"] = new JsonObject { ["seconds"] = 10 } })));

    [Theory]
    [InlineData("""{"sleep":{"seconds":45}}""")]
    [InlineData("""{"exec":{"command":["sleep","45"]}}""")]
    [InlineData("""{"exec":{"command":["/bin/sh","-c","sleep 45 && nginx -s quit"]}}""")]
    public void Sleep_at_or_over_the_grace_period_is_reported(string handler)
    {
        var finding = Assert.Single(Rule.Check<GracePeriod>(WithPreStop(JsonNode.Parse(handler)!.AsObject())));
        Assert.Equal(("prestop-exceeds-grace", "spec.template.spec.containers[0].lifecycle.preStop"), (finding.Code, finding.Path));
        Assert.Contains("sleeps 45s but the grace period is 30s", finding.Message);
    }

    [Fact]
    public void Long_grace_period_covers_a_long_sleep() =>
        Assert.Empty(Rule.Check<GracePeriod>(WithPreStop(new JsonObject { ["sleep"] = new JsonObject { ["seconds"] = 45 } }, grace: 120)));

    [Fact]
    public void Unrecognisable_hooks_are_not_guessed() =>
        Assert.Empty(Rule.Check<GracePeriod>(WithPreStop(new JsonObject { ["exec"] = new JsonObject { ["command"] = new JsonArray("/drain.sh") } })));
}
