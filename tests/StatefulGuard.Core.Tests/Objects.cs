using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace StatefulGuard.Core.Tests;

/// <summary>Apiserver-defaulted fixtures as typed objects, with small edits per test.</summary>
internal static class Objects
{
    public static JsonObject Json(string name) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", name)))!.AsObject();

    public static V1StatefulSet StatefulSet(string ns = "shop", Action<JsonObject>? edit = null)
    {
        var json = Json("statefulset-web.json");
        json["metadata"]!["namespace"] = ns;
        edit?.Invoke(json);
        return KubernetesJson.Deserialize<V1StatefulSet>(json);
    }

    public static V1Service Service(string ns = "shop", Action<JsonObject>? edit = null)
    {
        var json = Json("service-nginx.json");
        json["metadata"]!["namespace"] = ns;
        edit?.Invoke(json);
        return KubernetesJson.Deserialize<V1Service>(json);
    }

    public static V1Namespace Namespace(string name, string? mode) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = name,
            Labels = mode is null ? null : new Dictionary<string, string> { ["statefulguard.io/mode"] = mode },
        },
    };
}

/// <summary>A cluster view that cannot tell anything: no cluster access, or caches not yet synced.</summary>
internal sealed class UnknownCluster : StatefulGuard.Core.Cluster.IClusterView
{
    public StatefulGuard.Core.Cluster.Lookup<V1Service> GetService(string @namespace, string name) => StatefulGuard.Core.Cluster.Lookup<V1Service>.Unknown;

    public StatefulGuard.Core.Cluster.Lookup<V1Namespace> GetNamespace(string name) => StatefulGuard.Core.Cluster.Lookup<V1Namespace>.Unknown;

    public StatefulGuard.Core.Cluster.ServerVersion? ServerVersion => null;
}
