using System.Text.Json.Nodes;

namespace StatefulGuard.Tests.Support;

/// <summary>Objects as the apiserver stores and sends them (defaults filled in, managedFields present).</summary>
public static class Fixtures
{
    public static JsonObject Load(string name) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", name)))!.AsObject();

    /// <summary>The "web" StatefulSet of the Kubernetes tutorial, defaulted, in namespace <paramref name="ns"/>.</summary>
    public static JsonObject StatefulSet(string ns = "shop", string serviceName = "nginx")
    {
        var sts = Load("statefulset-web.json");
        sts["metadata"]!["namespace"] = ns;
        sts["spec"]!["serviceName"] = serviceName;
        return sts;
    }

    /// <summary>The headless Service that selects the "web" pods.</summary>
    public static JsonObject HeadlessService(string ns = "shop", string name = "nginx")
    {
        var svc = Load("service-nginx.json");
        svc["metadata"]!["namespace"] = ns;
        svc["metadata"]!["name"] = name;
        return svc;
    }

    /// <summary>A StatefulGuardException waiving <paramref name="rules"/> for StatefulSets matching <paramref name="statefulSets"/>.</summary>
    public static JsonObject Exception(string ns, string name, string[] rules, string[] statefulSets, DateTimeOffset? expires,
        string reason = "sharded by ordinals: no per-pod DNS needed", string? ticket = "PLAT-1234")
    {
        var spec = new JsonObject
        {
            ["rules"] = new JsonArray(rules.Select(r => (JsonNode?)r).ToArray()),
            ["statefulSets"] = new JsonArray(statefulSets.Select(s => (JsonNode?)s).ToArray()),
            ["reason"] = reason,
        };
        if (ticket is not null)
        {
            spec["ticket"] = ticket;
        }

        if (expires is { } e)
        {
            spec["expires"] = e.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        }

        return new JsonObject
        {
            ["apiVersion"] = "statefulguard.io/v1alpha1",
            ["kind"] = "StatefulGuardException",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
            ["spec"] = spec,
        };
    }

    /// <summary>The same Service with an allocated cluster IP (not headless).</summary>
    public static JsonObject ClusterIpService(string ns = "shop", string name = "nginx")
    {
        var svc = HeadlessService(ns, name);
        svc["spec"]!["clusterIP"] = "10.96.112.7";
        svc["spec"]!["clusterIPs"] = new JsonArray("10.96.112.7");
        return svc;
    }

    /// <summary>A PodDisruptionBudget selecting the "web" pods.</summary>
    public static JsonObject Budget(string ns, string name = "web", string app = "web") => new()
    {
        ["apiVersion"] = "policy/v1",
        ["kind"] = "PodDisruptionBudget",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
        ["spec"] = new JsonObject
        {
            ["maxUnavailable"] = 1,
            ["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["app.kubernetes.io/name"] = app } },
        },
    };

    public static JsonObject StorageClass(string name, string bindingMode, bool isDefault) => new()
    {
        ["apiVersion"] = "storage.k8s.io/v1",
        ["kind"] = "StorageClass",
        ["metadata"] = new JsonObject
        {
            ["name"] = name,
            ["annotations"] = new JsonObject { ["storageclass.kubernetes.io/is-default-class"] = isDefault ? "true" : "false" },
        },
        ["provisioner"] = "ebs.csi.aws.com",
        ["reclaimPolicy"] = "Delete",
        ["volumeBindingMode"] = bindingMode,
    };

    public static JsonObject Namespace(string name, string? mode = null)
    {
        var labels = new JsonObject { ["kubernetes.io/metadata.name"] = name };
        if (mode is not null)
        {
            labels["statefulguard.io/mode"] = mode;
        }

        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Namespace",
            ["metadata"] = new JsonObject { ["name"] = name, ["labels"] = labels },
            ["spec"] = new JsonObject { ["finalizers"] = new JsonArray("kubernetes") },
            ["status"] = new JsonObject { ["phase"] = "Active" },
        };
    }

    /// <summary>The stored version of an object: what oldObject carries on UPDATE.</summary>
    public static JsonObject Stored(JsonObject obj, int resourceVersion = 48213, int readyReplicas = 3)
    {
        var stored = obj.DeepClone().AsObject();
        stored["metadata"]!["resourceVersion"] = resourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture);
        stored["status"] = new JsonObject
        {
            ["observedGeneration"] = 1,
            ["replicas"] = readyReplicas,
            ["readyReplicas"] = readyReplicas,
            ["currentReplicas"] = readyReplicas,
            ["updatedReplicas"] = readyReplicas,
            ["availableReplicas"] = readyReplicas,
            ["currentRevision"] = "web-7d9f8b6c5",
            ["updateRevision"] = "web-7d9f8b6c5",
            ["collisionCount"] = 0,
        };
        return stored;
    }
}
