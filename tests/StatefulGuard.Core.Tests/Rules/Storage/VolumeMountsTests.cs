using System.Text.Json.Nodes;
using StatefulGuard.Core.Rules.Storage;

namespace StatefulGuard.Core.Tests.Rules.Storage;

/// <summary>Rule <c>volume-mounts</c>.</summary>
public sealed class VolumeMountsTests
{
    [Fact]
    public void Mount_of_a_claim_template_passes() => Assert.Empty(Rule.Check<VolumeMounts>(Objects.StatefulSet()));

    [Fact]
    public void Mount_of_a_pod_volume_passes()
    {
        var sts = Objects.StatefulSet(edit: j =>
        {
            Mutation.Pod(j)["volumes"] = new JsonArray(new JsonObject { ["name"] = "config", ["configMap"] = new JsonObject { ["name"] = "nginx", ["defaultMode"] = 420 } });
            Mutation.Pod(j)["containers"]![0]!["volumeMounts"]!.AsArray().Add(new JsonObject { ["name"] = "config", ["mountPath"] = "/etc/nginx/conf.d" });
        });
        Assert.Empty(Rule.Check<VolumeMounts>(sts));
    }

    [Fact]
    public void Typo_is_reported_with_its_path_and_a_suggestion()
    {
        var sts = Objects.StatefulSet(edit: j => Mutation.Pod(j)["containers"]![0]!["volumeMounts"]![0]!["name"] = "wwww");

        var finding = Assert.Single(Rule.Check<VolumeMounts>(sts));

        Assert.Equal("unknown-volume", finding.Code);
        Assert.Equal("spec.template.spec.containers[0].volumeMounts[0].name", finding.Path);
        Assert.Contains("volumeMount \"wwww\" of container \"nginx\"", finding.Message);
        Assert.StartsWith("did you mean \"www\"?", finding.Fix);
    }

    [Fact]
    public void Init_containers_and_volume_devices_are_checked()
    {
        var sts = Objects.StatefulSet(edit: j => Mutation.Pod(j)["initContainers"] = new JsonArray(new JsonObject
        {
            ["name"] = "format",
            ["image"] = "busybox:1.36",
            ["volumeDevices"] = new JsonArray(new JsonObject { ["name"] = "raw", ["devicePath"] = "/dev/xvda" }),
        }));

        var finding = Assert.Single(Rule.Check<VolumeMounts>(sts));

        Assert.Equal(("unknown-volume-device", "spec.template.spec.initContainers[0].volumeDevices[0].name"), (finding.Code, finding.Path));
    }
}
