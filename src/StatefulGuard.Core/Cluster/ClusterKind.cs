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
/// <summary>A kind whose objects are kept as <typeparamref name="TCached"/> (what views return of it).</summary>
public abstract class ClusterKind<TCached> : ClusterKind
    where TCached : class
{
    private protected ClusterKind(string kind, string group, string version, string plural, bool namespaced)
        : base(kind, group, version, plural, namespaced)
    {
    }

    /// <summary>What is kept of an object of this kind (as informers' transforms do).</summary>
    public abstract TCached Keep(IKubernetesObject<V1ObjectMeta> item);
}
/// <summary>A kind whose objects are <typeparamref name="T"/>, listed as <typeparamref name="TList"/> and kept as <typeparamref name="TCached"/>.</summary>
public sealed class ClusterKind<T, TList, TCached> : ClusterKind<TCached>
    where T : class, IKubernetesObject<V1ObjectMeta>
    where TList : class, IKubernetesObject<V1ListMeta>, IItems<T>
    where TCached : class
{
    public ClusterKind(string kind, string group, string version, string plural, bool namespaced, Func<T, TCached> project)
        : base(kind, group, version, plural, namespaced)
    {
        Project = project;
    }

    /// <summary>What a cache keeps of each object for as long as it exists: the fields the rules read.</summary>
    public Func<T, TCached> Project { get; }

    public override TCached Keep(IKubernetesObject<V1ObjectMeta> item) => Project((T)item);

    public override IKubernetesObject<V1ObjectMeta> Read(JsonNode node) => KubeJson.FromNode<T>(node);

    public override TResult Accept<TResult>(IClusterKindVisitor<TResult> visitor) => visitor.Visit(this);
}
