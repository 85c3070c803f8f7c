using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;
using k8s;
using k8s.Models;
using Microsoft.AspNetCore.JsonPatch.SystemTextJson;
using StatefulGuard.Core.Engine;

namespace StatefulGuard.Core.Tests.Engine;

/// <summary>
/// Random StatefulSets through the whole mutation pass: the patch applies with an independent RFC 6902
/// implementation to the object as sent, yields exactly the mutated object, keeps every user value, and
/// mutating the result again gives no patch.
/// </summary>
public sealed class MutationPropertyTests
{
    private static readonly Gen<JsonObject?> SecurityContext = Gen.OneOf(
        Gen.Const<JsonObject?>(() => null),
        Gen.Const<JsonObject?>(() => new JsonObject()),
        Gen.Long[0, 2000].Select(u => (JsonObject?)new JsonObject { ["runAsUser"] = u }),
        Gen.Const<JsonObject?>(() => new JsonObject { ["privileged"] = true }),
        Gen.Const<JsonObject?>(() => new JsonObject { ["allowPrivilegeEscalation"] = true, ["capabilities"] = new JsonObject { ["add"] = new JsonArray("NET_ADMIN") } }),
        Gen.Const<JsonObject?>(() => new JsonObject { ["capabilities"] = new JsonObject { ["add"] = new JsonArray("SYS_ADMIN") } }));

    private static readonly Gen<JsonArray?> Ports = Gen.OneOf(
        Gen.Const<JsonArray?>(() => null),
        Gen.Int[1, 65535].Select(p => (JsonArray?)new JsonArray(new JsonObject { ["containerPort"] = p, ["protocol"] = "TCP" })),
        Gen.Int[1, 65535].Select(p => (JsonArray?)new JsonArray(new JsonObject { ["name"] = "main", ["containerPort"] = p, ["protocol"] = "TCP" },
            new JsonObject { ["name"] = "metrics", ["containerPort"] = 9100, ["protocol"] = "TCP" })),
        Gen.Const<JsonArray?>(() => new JsonArray(new JsonObject { ["containerPort"] = 53, ["protocol"] = "UDP" })));

    private static readonly Gen<JsonObject?> Probe = Gen.OneOf(
        Gen.Const<JsonObject?>(() => null),
        Gen.Const<JsonObject?>(() => new JsonObject
        {
            ["exec"] = new JsonObject { ["command"] = new JsonArray("pg_isready") },
            ["timeoutSeconds"] = 1, ["periodSeconds"] = 10, ["successThreshold"] = 1, ["failureThreshold"] = 3,
        }));

    private static Gen<JsonObject> Container(string name) =>
        Gen.Select(Ports, SecurityContext, Probe, Probe, Gen.Bool).Select((ports, security, readiness, liveness, preStop) =>
        {
            var container = new JsonObject
            {
                ["name"] = name,
                ["image"] = "example/" + name + ":1.0",
                ["resources"] = new JsonObject(),
                ["terminationMessagePath"] = "/dev/termination-log",
                ["terminationMessagePolicy"] = "File",
                ["imagePullPolicy"] = "IfNotPresent",
            };
            Set(container, "ports", ports);
            Set(container, "securityContext", security);
            Set(container, "readinessProbe", readiness);
            Set(container, "livenessProbe", liveness);
            if (preStop)
            {
                container["lifecycle"] = new JsonObject { ["preStop"] = new JsonObject { ["exec"] = new JsonObject { ["command"] = new JsonArray("/drain.sh") } } };
            }

            return container;
        });

    private static readonly Gen<JsonObject> StatefulSet =
        Gen.Select(Container("main").Array[1, 3], Container("init").Array[0, 2], Gen.Long[0, 300], SecurityContext, Gen.Bool, Gen.Bool)
            .Select((containers, inits, grace, podSecurity, sidecar, spread) =>
            {
                var sts = Objects.Json("statefulset-web.json");
                var pod = sts["spec"]!["template"]!["spec"]!.AsObject();
                pod["containers"] = new JsonArray(containers.Select((c, i) => { c["name"] = $"c{i}"; return (JsonNode)c; }).ToArray());
                if (inits.Length > 0)
                {
                    pod["initContainers"] = new JsonArray(inits.Select((c, i) =>
                    {
                        c["name"] = $"init{i}";
                        if (sidecar && i == 0)
                        {
                            c["restartPolicy"] = "Always";
                        }

                        return (JsonNode)c;
                    }).ToArray());
                }

                pod["terminationGracePeriodSeconds"] = grace;
                pod["securityContext"] = podSecurity?.DeepClone() ?? new JsonObject();
                if (spread)
                {
                    pod["topologySpreadConstraints"] = new JsonArray(new JsonObject
                    {
                        ["maxSkew"] = 3, ["topologyKey"] = "kubernetes.io/hostname", ["whenUnsatisfiable"] = "DoNotSchedule",
                        ["labelSelector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["app.kubernetes.io/name"] = "web" } },
                    });
                }

                sts["spec"]!["template"]!["metadata"]!["annotations"] = new JsonObject { ["prometheus.io/scrape"] = "true", ["checksum/config~v1"] = "abc" };
                return sts;
            });

    [Fact]
    public void Patch_applies_yields_the_mutated_object_keeps_user_values_and_is_idempotent() =>
        StatefulSet.Sample(json =>
        {
            var sts = KubernetesJson.Deserialize<V1StatefulSet>(json);
            var result = Mutation.Run(sts);

            var patched = json.DeepClone().AsObject();
            var patch = JsonSerializer.Deserialize<JsonPatchDocument>(JsonPatchBuilder.ToJson(result.Patch))!;
            patch.ApplyTo(patched);

            var expected = JsonNode.Parse(StatefulGuard.Core.Engine.KubeJson.Serialize(result.Mutated));
            var actual = JsonNode.Parse(StatefulGuard.Core.Engine.KubeJson.Serialize(KubernetesJson.Deserialize<V1StatefulSet>(patched)));
            return JsonNode.DeepEquals(expected, actual)
                   && Subset(json, patched)
                   && Mutation.Run(KubernetesJson.Deserialize<V1StatefulSet>(patched)).Patch.Count == 0
                   && SafeSecurity(result.Mutated);
        }, iter: 400);

    [Fact]
    public void Editing_the_template_in_place_gives_the_same_answer_as_editing_a_copy() =>
        Gen.Select(StatefulSet, StatefulSet).Sample((json, storedJson) =>
        {
            var engine = new RuleEngine(RuleSet.Defaults(RuleCatalog.Default), EngineSettings.Default);
            var cluster = Mutation.Cluster(1, 31);

            // A CREATE, and an UPDATE of a stored object that recorded some injections.
            var stored = KubernetesJson.Deserialize<V1StatefulSet>(storedJson);
            var storedPatched = storedJson.DeepClone().AsObject();
            JsonSerializer.Deserialize<JsonPatchDocument>(JsonPatchBuilder.ToJson(Mutation.Run(stored).Patch))!.ApplyTo(storedPatched);
            foreach (var (operation, old) in new[] { (StatefulGuard.Core.Admission.Operation.Create, (V1StatefulSet?)null), (StatefulGuard.Core.Admission.Operation.Update, KubernetesJson.Deserialize<V1StatefulSet>(storedPatched)) })
            {
                var copying = engine.Mutate(new RuleInput(operation, "shop", KubernetesJson.Deserialize<V1StatefulSet>(json), old), cluster);
                var inPlace = engine.Mutate(new RuleInput(operation, "shop", KubernetesJson.Deserialize<V1StatefulSet>(json), old), cluster, editInPlace: true);
                if (JsonPatchBuilder.ToJsonString(copying.Patch) != JsonPatchBuilder.ToJsonString(inPlace.Patch)
                    || !copying.Injected.SequenceEqual(inPlace.Injected)
                    || !copying.Warnings.SequenceEqual(inPlace.Warnings))
                {
                    return false;
                }
            }

            return true;
        }, iter: 200);

    [Fact]
    public void The_patch_worked_out_against_the_template_as_sent_keeps_fields_the_model_does_not_know() =>
        Gen.Select(StatefulSet, Gen.Bool, Gen.Bool).Sample((json, unknown, nulls) =>
        {
            // The apiserver of a newer Kubernetes sends fields this model lacks, and a client may send explicit nulls.
            var template = json["spec"]!["template"]!.AsObject();
            var pod = template["spec"]!.AsObject();
            if (unknown)
            {
                pod["futurePodField"] = new JsonObject { ["mode"] = "x" };
                foreach (var container in pod["containers"]!.AsArray())
                {
                    container!["futureContainerField"] = new JsonArray(1, 2);
                }
            }

            if (nulls)
            {
                foreach (var container in pod["containers"]!.AsArray())
                {
                    container!.AsObject().TryAdd("startupProbe", null);
                    container.AsObject().TryAdd("lifecycle", null);
                }

                pod.TryAdd("topologySpreadConstraints", null);
            }

            var sent = System.Text.Encoding.UTF8.GetBytes(template.ToJsonString());
            var engine = new RuleEngine(RuleSet.Defaults(RuleCatalog.Default), EngineSettings.Default);
            var sts = KubernetesJson.Deserialize<V1StatefulSet>(json);
            var result = engine.Mutate(new RuleInput(StatefulGuard.Core.Admission.Operation.Create, "shop", sts, null) { TemplateJson = sent },
                Mutation.Cluster(1, 31), editInPlace: true);

            var patched = json.DeepClone().AsObject();
            JsonSerializer.Deserialize<JsonPatchDocument>(JsonPatchBuilder.ToJson(result.Patch))!.ApplyTo(patched);
            var expected = JsonNode.Parse(StatefulGuard.Core.Engine.KubeJson.Serialize(result.Mutated));
            var actual = JsonNode.Parse(StatefulGuard.Core.Engine.KubeJson.Serialize(KubernetesJson.Deserialize<V1StatefulSet>(patched)));
            var keptUnknown = !unknown || (patched["spec"]!["template"]!["spec"]!["futurePodField"]?["mode"]?.GetValue<string>() == "x"
                                           && patched["spec"]!["template"]!["spec"]!["containers"]!.AsArray().All(c => c!["futureContainerField"] is JsonArray { Count: 2 }));
            return JsonNode.DeepEquals(expected, actual) && keptUnknown
                   && result.Patch.All(op => op.Op == PatchOperation.Add || op.Path.StartsWith("/metadata/annotations/", StringComparison.Ordinal));
        }, iter: 300);

    /// <summary>Every value in <paramref name="original"/> is still there, unchanged.</summary>
    internal static bool Subset(JsonNode? original, JsonNode? mutated) => (original, mutated) switch
    {
        (JsonObject a, JsonObject b) => a.All(p => b.TryGetPropertyValue(p.Key, out var v) && Subset(p.Value, v)),
        (JsonArray a, JsonArray b) => a.Count == b.Count && a.Select((x, i) => Subset(x, b[i])).All(ok => ok),
        _ => JsonNode.DeepEquals(original, mutated),
    };

    /// <summary>No default that the apiserver would reject or that would stop a root image from starting.</summary>
    private static bool SafeSecurity(V1StatefulSet sts)
    {
        var pod = sts.Spec.Template.Spec;
        foreach (var c in (pod.InitContainers ?? []).Concat(pod.Containers))
        {
            var sc = c.SecurityContext;
            var privileged = sc?.Privileged == true || sc?.Capabilities?.Add?.Contains("SYS_ADMIN") == true;
            if (privileged && sc?.AllowPrivilegeEscalation == false)
            {
                return false;
            }

            var user = sc?.RunAsUser ?? pod.SecurityContext?.RunAsUser;
            if (sc?.RunAsNonRoot == true && user is null or 0)
            {
                return false;
            }
        }

        return true;
    }

    private static void Set(JsonObject obj, string key, JsonNode? value)
    {
        if (value is not null)
        {
            obj[key] = value.DeepClone();
        }
    }
}
