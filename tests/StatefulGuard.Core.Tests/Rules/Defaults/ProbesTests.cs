using System.Text.Json.Nodes;
using StatefulGuard.Core.Rules;
using StatefulGuard.Core.Rules.Defaults;

namespace StatefulGuard.Core.Tests.Rules.Defaults;

/// <summary>Rule <c>probes</c>.</summary>
public sealed class ProbesTests
{
    [Fact]
    public void Descriptor_is_stable()
    {
        var rule = new Probes();
        Assert.Equal(("probes", RuleKind.Mutating, "probes"), (rule.Descriptor.Id, rule.Descriptor.Kind, rule.SkipName));
    }

    [Fact]
    public void Tcp_probes_on_the_named_port_with_every_field_set()
    {
        var result = Mutation.Run(Objects.StatefulSet());
        var nginx = Mutation.Container(result.Mutated, "nginx");

        Assert.Equal("web", nginx.StartupProbe.TcpSocket.Port.Value);
        Assert.Equal((10, 90, 5, 1), (nginx.StartupProbe.PeriodSeconds, nginx.StartupProbe.FailureThreshold, nginx.StartupProbe.TimeoutSeconds, nginx.StartupProbe.SuccessThreshold));
        Assert.Equal((10, 3), (nginx.ReadinessProbe.PeriodSeconds, nginx.ReadinessProbe.FailureThreshold));
        Assert.Equal((20, 6), (nginx.LivenessProbe.PeriodSeconds, nginx.LivenessProbe.FailureThreshold));
        Assert.Contains("probes:nginx/startup", result.Injected);
        Assert.Contains("probes:nginx/liveness", result.Injected);
    }

    [Fact]
    public void Unnamed_port_is_probed_by_number()
    {
        var sts = Objects.StatefulSet(edit: j => Mutation.Pod(j)["containers"]![0]!["ports"]![0]!.AsObject().Remove("name"));
        Assert.Equal("80", Mutation.Container(Mutation.Run(sts).Mutated, "nginx").LivenessProbe.TcpSocket.Port.Value);
    }

    [Fact]
    public void Container_without_tcp_port_gets_no_probe_and_a_warning_naming_it()
    {
        var sts = Objects.StatefulSet(edit: j =>
        {
            Mutation.Pod(j)["containers"]!.AsArray().Add(Mutation.Container("log-shipper", "fluent/fluent-bit:3.1"));
            Mutation.Pod(j)["containers"]!.AsArray().Add(new JsonObject
            {
                ["name"] = "dns",
                ["image"] = "coredns/coredns:1.11.3",
                ["ports"] = new JsonArray(new JsonObject { ["containerPort"] = 53, ["protocol"] = "UDP" }),
            });
        });

        var result = Mutation.Run(sts);

        Assert.Null(Mutation.Container(result.Mutated, "log-shipper").LivenessProbe);
        Assert.Null(Mutation.Container(result.Mutated, "dns").StartupProbe);
        Assert.Contains("probes: container \"log-shipper\" declares no TCP port, so no probe was injected", result.Warnings);
        Assert.Contains("probes: container \"dns\" declares no TCP port, so no probe was injected", result.Warnings);
    }

    [Fact]
    public void Existing_probes_are_kept_and_only_missing_ones_added()
    {
        var sts = Objects.StatefulSet(edit: j => Mutation.Pod(j)["containers"]![0]!["livenessProbe"] = new JsonObject
        {
            ["httpGet"] = new JsonObject { ["path"] = "/healthz", ["port"] = 80, ["scheme"] = "HTTP" },
            ["initialDelaySeconds"] = 30,
            ["timeoutSeconds"] = 1,
            ["periodSeconds"] = 10,
            ["successThreshold"] = 1,
            ["failureThreshold"] = 3,
        });

        var result = Mutation.Run(sts);
        var nginx = Mutation.Container(result.Mutated, "nginx");

        Assert.Equal("/healthz", nginx.LivenessProbe.HttpGet.Path);
        Assert.Null(nginx.LivenessProbe.TcpSocket);
        Assert.NotNull(nginx.StartupProbe);
        Assert.DoesNotContain("probes:nginx/liveness", result.Injected);
    }

    [Fact]
    public void Plain_init_containers_get_none_and_native_sidecars_do()
    {
        var sts = Objects.StatefulSet(edit: j => Mutation.Pod(j)["initContainers"] = new JsonArray(
            Mutation.Container("init-schema", "flyway/flyway:10", ("db", 5432)),
            new JsonObject
            {
                ["name"] = "proxy",
                ["image"] = "envoyproxy/envoy:v1.31.0",
                ["restartPolicy"] = "Always",
                ["ports"] = new JsonArray(new JsonObject { ["name"] = "admin", ["containerPort"] = 9901, ["protocol"] = "TCP" }),
            }));

        var result = Mutation.Run(sts);

        Assert.Null(Mutation.Container(result.Mutated, "init-schema").StartupProbe);
        Assert.Equal("admin", Mutation.Container(result.Mutated, "proxy").ReadinessProbe.TcpSocket.Port.Value);
    }

    [Fact]
    public void Timings_come_from_configuration()
    {
        var result = Mutation.Run(Objects.StatefulSet(), settings: new Dictionary<string, string?>
        {
            ["Rules:probes:StartupFailureThreshold"] = "180",
            ["Rules:probes:LivenessPeriodSeconds"] = "30",
        });
        var nginx = Mutation.Container(result.Mutated, "nginx");
        Assert.Equal((180, 30), (nginx.StartupProbe.FailureThreshold, nginx.LivenessProbe.PeriodSeconds));
    }
}
