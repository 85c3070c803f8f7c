using k8s;
using k8s.Models;

namespace StatefulGuard.Core.Cluster.Watch;

/// <summary>Where an object is: its namespace ("" for cluster-scoped kinds) and name.</summary>
public readonly record struct ObjectKey(string Namespace, string Name)
{
    public static ObjectKey Of(IKubernetesObject<V1ObjectMeta> item) => new(item.Metadata?.NamespaceProperty ?? "", item.Metadata?.Name ?? "");
}
