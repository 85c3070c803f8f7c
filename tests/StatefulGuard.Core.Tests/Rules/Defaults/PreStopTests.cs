using System.Text.Json.Nodes;
using StatefulGuard.Core.Cluster;

namespace StatefulGuard.Core.Tests.Rules.Defaults;

/// <summary>Rule <c>prestop</c>.</summary>
public sealed class PreStopTests
{
    [Theory]
    [InlineData(1, 31, true)]
    [InlineData(1, 30, true)]
    [InlineData(1, 29, false)]
    [InlineData(2, 0, true)]
    public void Native_sleep_from_1_30_exec_sleep_before(int major, int minor, bool native)
    {
        var preStop = Mutation.Container(Mutation.Run(Objects.StatefulSet(), Mutation.Cluster(major, minor)).Mutated, "nginx").Lifecycle.PreStop;
        if (native)
        {
            Assert.Equal(10, preStop.Sleep.Seconds);
            Assert.Null(preStop.Exec);
        }
        else
        {
            Assert.Equal(["sleep", "10"], preStop.Exec.Command);
            Assert.Null(preStop.Sleep);
        }
    }

    [Fact]
    public void Unknown_version_uses_exec_unless_a_version_is_assumed()
    {
        Assert.NotNull(Mutation.Container(Mutation.Run(Objects.StatefulSet(), new StaticClusterView()).Mutated, "nginx").Lifecycle.PreStop.Exec);
        var assumed = Mutation.Run(Objects.StatefulSet(), new StaticClusterView(),
            new Dictionary<string, string?> { ["Rules:prestop:AssumeKubernetesVersion"] = "1.31" });
        Assert.NotNull(Mutation.Container(assumed.Mutated, "nginx").Lifecycle.PreStop.Sleep);
    }

    [Theory]
    [InlineData(120, 10L)]
    [InlineData(30, 10L)]
    [InlineData(15, 5L)]
    public void Sleep_stays_inside_the_grace_period_which_is_never_changed(int grace, long sleep)
    {
        var result = Mutation.Run(Objects.StatefulSet(edit: j => Mutation.Pod(j)["terminationGracePeriodSeconds"] = grace));
        Assert.Equal(grace, result.Mutated.Spec.Template.Spec.TerminationGracePeriodSeconds);
        Assert.Equal(sleep, Mutation.Container(result.Mutated, "nginx").Lifecycle.PreStop.Sleep.Seconds);
    }

    [Fact]
    public void No_room_in_the_grace_period_means_no_hook_and_a_warning()
    {
        var result = Mutation.Run(Objects.StatefulSet(edit: j => Mutation.Pod(j)["terminationGracePeriodSeconds"] = 5));
        Assert.Null(Mutation.Container(result.Mutated, "nginx").Lifecycle);
        Assert.Contains("prestop: grace period 5s leaves no room for a preStop sleep in \"nginx\"", result.Warnings);
    }

    [Fact]
    public void Existing_lifecycle_is_merged_and_an_existing_preStop_kept()
    {
        var sts = Objects.StatefulSet(edit: j =>
        {
            var containers = Mutation.Pod(j)["containers"]!.AsArray();
            containers[0]!["lifecycle"] = new JsonObject { ["postStart"] = new JsonObject { ["exec"] = new JsonObject { ["command"] = new JsonArray("touch", "/tmp/started") } } };
            var second = Mutation.Container("exporter", "prom/mysqld-exporter:v0.15.1", ("metrics", 9104));
            second["lifecycle"] = new JsonObject { ["preStop"] = new JsonObject { ["httpGet"] = new JsonObject { ["path"] = "/drain", ["port"] = 9104 } } };
            containers.Add(second);
        });

        var result = Mutation.Run(sts);

        var nginx = Mutation.Container(result.Mutated, "nginx").Lifecycle;
        Assert.Equal(["touch", "/tmp/started"], nginx.PostStart.Exec.Command);
        Assert.NotNull(nginx.PreStop.Sleep);
        Assert.Equal("/drain", Mutation.Container(result.Mutated, "exporter").Lifecycle.PreStop.HttpGet.Path);
        Assert.DoesNotContain("prestop:exporter", result.Injected);
    }
}
