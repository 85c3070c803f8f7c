using System.Text.Json.Nodes;
using StatefulGuard.Core.Rules.Workload;

namespace StatefulGuard.Core.Tests.Rules.Workload;

/// <summary>Rule <c>resources</c>.</summary>
public sealed class ResourcesTests
{
    private static k8s.Models.V1StatefulSet With(JsonObject resources) =>
        Objects.StatefulSet(edit: j => Mutation.Pod(j)["containers"]![0]!["resources"] = resources);

    [Fact]
    public void Cpu_and_memory_requests_pass() =>
        Assert.Empty(Rule.Check<Resources>(With(new JsonObject { ["requests"] = new JsonObject { ["cpu"] = "100m", ["memory"] = "128Mi" } })));

    [Fact]
    public void Defaulted_empty_resources_are_reported_with_the_path()
    {
        var finding = Assert.Single(Rule.Check<Resources>(Objects.StatefulSet()));
        Assert.Equal(("missing-requests", "spec.template.spec.containers[0].resources.requests"), (finding.Code, finding.Path));
        Assert.Contains("no cpu and memory request", finding.Message);
    }

    [Fact]
    public void Only_the_missing_one_is_named() =>
        Assert.Contains("no memory request", Assert.Single(Rule.Check<Resources>(With(new JsonObject { ["requests"] = new JsonObject { ["cpu"] = "1" } }))).Message);

    [Fact]
    public void Limits_are_optional_unless_configured()
    {
        var sts = With(new JsonObject { ["requests"] = new JsonObject { ["cpu"] = "1", ["memory"] = "1Gi" } });
        Assert.Empty(Rule.Check<Resources>(sts));
        Assert.Equal("missing-limits", Assert.Single(Rule.Check<Resources>(sts, options: new ResourcesOptions { RequireLimits = true })).Code);
    }
}
