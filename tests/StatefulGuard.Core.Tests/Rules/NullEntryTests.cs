using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using StatefulGuard.Core.Admission;
using StatefulGuard.Core.Cluster;
using StatefulGuard.Core.Engine;
using StatefulGuard.Core.Rules;

namespace StatefulGuard.Core.Tests.Rules;

/// <summary>
/// Every rule is null-safe: a <c>null</c> entry in any list of a StatefulSet (which JSON allows and a fuzzer sends) is
/// ignored by every rule instead of making it throw. The object below has every list a rule reads, and each list in
/// turn gets a null entry.
/// </summary>
public sealed class NullEntryTests
{
    /// <summary>The fixture with the lists the rules read that it lacks: capabilities, selectors, affinity, spread, env.</summary>
    private static JsonObject Rich()
    {
        var sts = Objects.Json("statefulset-web.json");
        sts["metadata"]!["namespace"] = "shop";
        sts["spec"]!["selector"]!["matchExpressions"] = new JsonArray(new JsonObject { ["key"] = "tier", ["operator"] = "In", ["values"] = new JsonArray("db") });
        sts["spec"]!["template"]!["metadata"]!["labels"]!["tier"] = "db";
        var pod = sts["spec"]!["template"]!["spec"]!.AsObject();
        var container = pod["containers"]![0]!.AsObject();
        container["securityContext"] = new JsonObject
        {
            ["runAsUser"] = 1000,
            ["capabilities"] = new JsonObject { ["add"] = new JsonArray("NET_BIND_SERVICE"), ["drop"] = new JsonArray("NET_RAW") },
        };
        container["env"] = new JsonArray(new JsonObject { ["name"] = "A", ["value"] = "1" });
        container["lifecycle"] = new JsonObject { ["preStop"] = new JsonObject { ["exec"] = new JsonObject { ["command"] = new JsonArray("sleep", "5") } } };
        pod["initContainers"] = new JsonArray(
            new JsonObject { ["name"] = "init", ["image"] = "busybox:1.36", ["command"] = new JsonArray("true") },
            new JsonObject
            {
                ["name"] = "sidecar", ["image"] = "envoy:1.30", ["restartPolicy"] = "Always",
                ["ports"] = new JsonArray(new JsonObject { ["name"] = "admin", ["containerPort"] = 9901 }),
            });
        pod["volumes"] = new JsonArray(new JsonObject { ["name"] = "scratch", ["emptyDir"] = new JsonObject() });
        pod["tolerations"] = new JsonArray(new JsonObject { ["key"] = "dedicated", ["operator"] = "Exists" });
        pod["topologySpreadConstraints"] = new JsonArray(new JsonObject
        {
            ["maxSkew"] = 1, ["topologyKey"] = "kubernetes.io/hostname", ["whenUnsatisfiable"] = "ScheduleAnyway",
            ["labelSelector"] = new JsonObject
            {
                ["matchLabels"] = new JsonObject { ["app"] = "nginx" },
                ["matchExpressions"] = new JsonArray(new JsonObject { ["key"] = "tier", ["operator"] = "Exists" }),
            },
        });
        var term = new JsonObject
        {
            ["topologyKey"] = "kubernetes.io/hostname",
            ["labelSelector"] = new JsonObject { ["matchExpressions"] = new JsonArray(new JsonObject { ["key"] = "app", ["operator"] = "In", ["values"] = new JsonArray("nginx") }) },
        };
        pod["affinity"] = new JsonObject
        {
            ["podAntiAffinity"] = new JsonObject
            {
                ["requiredDuringSchedulingIgnoredDuringExecution"] = new JsonArray(term),
                ["preferredDuringSchedulingIgnoredDuringExecution"] = new JsonArray(new JsonObject { ["weight"] = 100, ["podAffinityTerm"] = term.DeepClone() }),
            },
        };
        return sts;
    }

    /// <summary>The JSON path of every list in the object.</summary>
    private static IEnumerable<string> Lists(JsonNode? node, string path)
    {
        switch (node)
        {
            case JsonArray array:
                yield return path;
                for (var i = 0; i < array.Count; i++)
                {
                    foreach (var inner in Lists(array[i], $"{path}/{i}"))
                    {
                        yield return inner;
                    }
                }

                break;
            case JsonObject obj:
                foreach (var (key, value) in obj)
                {
                    foreach (var inner in Lists(value, $"{path}/{key}"))
                    {
                        yield return inner;
                    }
                }

                break;
        }
    }

    /// <summary>
    /// Without its own spread constraints and affinity, the object gets the defaults built from its selector, so the
    /// lists of the selector are read by the injecting rules too.
    /// </summary>
    private static JsonObject Bare()
    {
        var sts = Rich();
        var pod = sts["spec"]!["template"]!["spec"]!.AsObject();
        pod.Remove("topologySpreadConstraints");
        pod.Remove("affinity");
        pod["containers"]![0]!.AsObject().Remove("lifecycle");
        return sts;
    }

    public static TheoryData<bool, string> EveryList
    {
        get
        {
            var data = new TheoryData<bool, string>();
            foreach (var bare in new[] { false, true })
            {
                foreach (var list in Lists(bare ? Bare() : Rich(), "").Where(p => !p.StartsWith("/metadata/managedFields", StringComparison.Ordinal)))
                {
                    data.Add(bare, list);
                }
            }

            return data;
        }
    }

    [Fact]
    public void The_object_has_the_lists_the_rules_read()
    {
        var lists = Lists(Rich(), "").ToList();
        Assert.Contains("/spec/template/spec/containers/0/securityContext/capabilities/add", lists);
        Assert.Contains("/spec/selector/matchExpressions", lists);
        Assert.Contains("/spec/template/spec/topologySpreadConstraints/0/labelSelector/matchExpressions", lists);
        Assert.True(lists.Count > 20, $"only {lists.Count} lists");
    }

    [Theory]
    [MemberData(nameof(EveryList))]
    public void A_null_entry_makes_no_rule_throw(bool bare, string list)
    {
        var json = bare ? Bare() : Rich();
        var target = list.Split('/', StringSplitOptions.RemoveEmptyEntries).Aggregate((JsonNode)json, (node, part) =>
            node is JsonArray array ? array[int.Parse(part, System.Globalization.CultureInfo.InvariantCulture)]! : node[part]!);
        target.AsArray().Add(null);
        var sts = KubernetesJson.Deserialize<V1StatefulSet>(json);

        var view = new StaticClusterView { ServerVersion = new ServerVersion(1, 31) }
            .Add(Objects.Service(), "shop");
        var engine = new RuleEngine(RuleSet.Defaults(RuleCatalog.Default), new EngineSettings(GuardMode.Enforce, RuleAction.Warn));
        var create = new RuleInput(Operation.Create, "shop", sts, null);
        var update = new RuleInput(Operation.Update, "shop", sts, KubernetesJson.Deserialize<V1StatefulSet>(json));

        foreach (var input in new[] { create, update })
        {
            var evaluation = engine.Validate(input, view);
            Assert.DoesNotContain(evaluation.Verdicts, v => v.Finding.Code == RuleEngine.RuleErrorCode);
            var mutation = engine.Mutate(input, view);
            Assert.DoesNotContain(mutation.Warnings, w => w.Contains("failed, nothing injected", StringComparison.Ordinal));
        }
    }
}
