using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using StatefulGuard.Core.Engine;

namespace StatefulGuard.Core.Cluster;

/// <summary>
/// A kind of cluster object the rules look up, declared once in <see cref="ClusterKinds"/>. The webhook's watch caches,
/// the offline view over the input, the <c>audit --cluster</c> snapshot, the test apiserver and the RBAC check all
/// come from these declarations.
/// </summary>
public abstract class ClusterKind
{
    private protected ClusterKind(string kind, string group, string version, string plural, bool namespaced)
    {
        Kind = kind;
        Group = group;
        Version = version;
        Plural = plural;
        Namespaced = namespaced;
    }

    public string Kind { get; }

    /// <summary>The API group; "" for the core group.</summary>
    public string Group { get; }

    public string Version { get; }

    /// <summary>The resource name in API paths and RBAC rules.</summary>
    public string Plural { get; }

    public bool Namespaced { get; }

    /// <summary>The apiVersion the cluster serves it as (<c>v1</c>, <c>apps/v1</c>).</summary>
    public string ApiVersion => Group.Length == 0 ? Version : Group + "/" + Version;

    /// <summary>
    /// A custom resource the cluster may not serve (its CRD not installed): a 404 on its list leaves its lookups empty
    /// instead of holding the webhook unready.
    /// </summary>
    public bool Optional { get; init; }

    /// <summary>
    /// Whether an application ships objects of this kind with its manifests. Offline, one that is absent from the input
    /// is then missing; a kind the cluster owns (a StorageClass) is unknown unless the input has it.
    /// </summary>
    public bool ShippedWithApplication { get; init; } = true;

    public override string ToString() => Kind;

    /// <summary>Calls the visitor with the kind's object and list types.</summary>
    public abstract TResult Accept<TResult>(IClusterKindVisitor<TResult> visitor);

    /// <summary>Reads one object of this kind from JSON with StatefulGuard's serializer options.</summary>
    public abstract IKubernetesObject<V1ObjectMeta> Read(JsonNode node);
}

/// <summary>Recovers the object and list types of a <see cref="ClusterKind"/> (to build a typed cache or list call for it).</summary>
public interface IClusterKindVisitor<out TResult>
{
    TResult Visit<T, TList>(ClusterKind<T, TList> kind)
        where T : class, IKubernetesObject<V1ObjectMeta>
        where TList : class, IKubernetesObject<V1ListMeta>, IItems<T>;
}

/// <summary>A kind whose objects are <typeparamref name="T"/>.</summary>
public abstract class ClusterKind<T> : ClusterKind
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private protected ClusterKind(string kind, string group, string version, string plural, bool namespaced)
        : base(kind, group, version, plural, namespaced)
    {
    }

    /// <summary>kubectl's copy of the whole object as last applied: often the largest field, and never read by a rule.</summary>
    public const string LastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration";

    /// <summary>
    /// What a cache keeps of each object for as long as it exists (as informers' transforms do). The default drops the
    /// managed fields and kubectl's last-applied copy, which no rule reads.
    /// </summary>
    public Func<T, T> Project { get; init; } = DropServerBookkeeping;

    public static T DropServerBookkeeping(T item)
    {
        if (item.Metadata is { } metadata)
        {
            metadata.ManagedFields = null;
            metadata.Annotations?.Remove(LastAppliedAnnotation);
        }

        return item;
    }

    public override IKubernetesObject<V1ObjectMeta> Read(JsonNode node) => node.Deserialize<T>(KubeJson.SerializerOptions)!;
}

/// <summary>A kind whose objects are <typeparamref name="T"/>, listed as <typeparamref name="TList"/>.</summary>
public sealed class ClusterKind<T, TList> : ClusterKind<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
    where TList : class, IKubernetesObject<V1ListMeta>, IItems<T>
{
    public ClusterKind(string kind, string group, string version, string plural, bool namespaced)
        : base(kind, group, version, plural, namespaced)
    {
    }

    public override TResult Accept<TResult>(IClusterKindVisitor<TResult> visitor) => visitor.Visit(this);
}
