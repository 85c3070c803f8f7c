using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Microsoft.AspNetCore.JsonPatch.SystemTextJson;
using StatefulGuard.Core.Manifests;

namespace StatefulGuard.Tests.Support;

/// <summary>Realistic StatefulSets for /mutate, and checks on what comes back.</summary>
public static class MutationFixtures
{
    public static readonly string[] Names = ["web", "mysql", "zookeeper", "kafka", "postgres", "redis", "elasticsearch"];

    /// <summary>The manifest as a user wrote it.</summary>
    public static JsonObject Manifest(string name)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "mutation", name + ".yaml");
        var set = ManifestReader.ReadText(path, File.ReadAllText(path));
        Assert.Empty(set.Errors);
        return set.Documents.Single().Object.DeepClone().AsObject();
    }

    /// <summary>The object as the apiserver sends it on CREATE: defaulted, with uid and timestamps.</summary>
    public static JsonObject Created(string name, string? ns = null)
    {
        var sts = ApiServerDefaults.Apply(Manifest(name));
        var meta = sts["metadata"]!.AsObject();
        if (ns is not null)
        {
            meta["namespace"] = ns;
        }

        meta["uid"] = Guid.NewGuid().ToString();
        meta["generation"] = 1;
        meta["creationTimestamp"] = "2026-11-20T09:14:03Z";
        sts["status"] = new JsonObject { ["replicas"] = 0, ["availableReplicas"] = 0 };
        return sts;
    }

    public static JsonObject ApplyPatch(JsonObject obj, string patch)
    {
        var target = obj.DeepClone().AsObject();
        JsonSerializer.Deserialize<JsonPatchDocument>(patch)!.ApplyTo(target);
        return target;
    }

    /// <summary>The patched object must still be a valid StatefulSet for the Kubernetes API model.</summary>
    public static V1StatefulSet Typed(JsonObject obj) => KubernetesJson.Deserialize<V1StatefulSet>(obj);

    /// <summary>
    /// Every value in <paramref name="original"/> is still in <paramref name="mutated"/>, unchanged, to the JSON type and
    /// text. A member set to null is absent to the API (it decodes null as unset), so a default may fill it.
    /// </summary>
    public static void AssertKeepsUserValues(JsonNode? original, JsonNode? mutated, string path = "")
    {
        switch (original, mutated)
        {
            case (null, _) when path.Length > 0 && !path.EndsWith('/') && !char.IsAsciiDigit(path[^1]):
                break;
            case (JsonObject a, JsonObject b):
                foreach (var (key, value) in a)
                {
                    Assert.True(b.TryGetPropertyValue(key, out var other), $"{path}/{key} was removed");
                    AssertKeepsUserValues(value, other, $"{path}/{key}");
                }

                break;
            case (JsonArray a, JsonArray b):
                Assert.True(a.Count == b.Count, $"{path}: {a.Count} items became {b.Count}");
                for (var i = 0; i < a.Count; i++)
                {
                    AssertKeepsUserValues(a[i], b[i], $"{path}/{i}");
                }

                break;
            default:
                Assert.True(JsonNode.DeepEquals(original, mutated), $"{path}: {original?.ToJsonString()} became {mutated?.ToJsonString()}");
                break;
        }
    }

    /// <summary>The safety rules of PRODUCT.md on a mutated StatefulSet.</summary>
    public static void AssertSafeDefaults(V1StatefulSet sts)
    {
        var pod = sts.Spec.Template.Spec;
        var grace = pod.TerminationGracePeriodSeconds ?? 30;
        var longRunning = pod.Containers.Concat((pod.InitContainers ?? []).Where(c => c.RestartPolicy == "Always")).ToList();
        foreach (var c in longRunning)
        {
            if (c.Ports?.Any(p => p.Protocol is null or "TCP") == true)
            {
                Assert.True(c.StartupProbe is not null && c.ReadinessProbe is not null && c.LivenessProbe is not null, $"{c.Name}: probes missing");
            }

            Assert.NotNull(c.Lifecycle?.PreStop);
            var sleep = c.Lifecycle.PreStop.Sleep?.Seconds ?? (c.Lifecycle.PreStop.Exec?.Command is [_, var s] ? long.Parse(s, System.Globalization.CultureInfo.InvariantCulture) : 0);
            Assert.True(sleep < grace, $"{c.Name}: preStop {sleep}s not below grace {grace}s");
        }

        foreach (var c in (pod.InitContainers ?? []).Where(c => c.RestartPolicy != "Always"))
        {
            Assert.True(c.StartupProbe is null && c.LivenessProbe is null && c.ReadinessProbe is null && c.Lifecycle is null, $"init container {c.Name} got probes or hooks");
        }

        foreach (var c in (pod.InitContainers ?? []).Concat(pod.Containers))
        {
            var sc = c.SecurityContext;
            var privileged = sc?.Privileged == true || sc?.Capabilities?.Add?.Contains("SYS_ADMIN") == true;
            Assert.False(privileged && sc?.AllowPrivilegeEscalation == false, $"{c.Name}: allowPrivilegeEscalation false on a privileged container");
            var user = sc?.RunAsUser ?? pod.SecurityContext?.RunAsUser;
            if (user is null or 0)
            {
                Assert.True(sc?.RunAsNonRoot is null or false, $"{c.Name}: runAsNonRoot on a container that may run as root");
                Assert.True(sc?.Capabilities?.Drop is null || sc.Capabilities.Drop.Count == 0 || !sc.Capabilities.Drop.Contains("ALL") || pod.SecurityContext?.RunAsUser is > 0,
                    $"{c.Name}: drop ALL on a container that may run as root");
            }
        }

        Assert.NotEmpty(pod.TopologySpreadConstraints);
        Assert.DoesNotContain(pod.TopologySpreadConstraints, t => t.LabelSelector is null);
        Assert.Contains("statefulguard.io/injected", sts.Metadata.Annotations.Keys);
    }
}
