using k8s;
using k8s.Models;

namespace StatefulGuard.Core.Cluster;

/// <summary>
/// A cluster view over a fixed set of objects: the objects found in the manifests being audited
/// (<see cref="ViewScope.Input"/>), or a snapshot of a whole cluster (<see cref="ViewScope.Cluster"/>). Offline,
/// an object of a kind the application ships (a Service, a PodDisruptionBudget) that is not in the set is missing
/// from the input; one of a kind the cluster owns (a StorageClass) is unknown.
/// </summary>
public sealed class StaticClusterView : IClusterView
{
    // Kind → its Store<T>: namespace ("" for cluster-scoped kinds) → the objects in the order added, and by name.
    private readonly Dictionary<ClusterKind, object> stores = [];

    public ViewScope Scope { get; init; } = ViewScope.Input;

    public ServerVersion? ServerVersion { get; set; }

    /// <summary>
    /// Adds what is kept of an object of a declared kind; a namespaced object without a namespace gets
    /// <paramref name="defaultNamespace"/> (set on the object too).
    /// </summary>
    public StaticClusterView Add<TCached>(ClusterKind<TCached> kind, IKubernetesObject<V1ObjectMeta> item, string defaultNamespace = "")
        where TCached : class
    {
        var ns = "";
        if (kind.Namespaced)
        {
            item.Metadata ??= new V1ObjectMeta();
            ns = item.Metadata.NamespaceProperty is { Length: > 0 } n ? n : defaultNamespace;
            item.Metadata.NamespaceProperty = ns;
        }

        if (!stores.TryGetValue(kind, out var store))
        {
            stores[kind] = store = new Store<TCached>();
        }

        var bucket = ((Store<TCached>)store).Bucket(ns);
        var kept = kind.Keep(item);
        bucket.Items.Add(kept);
        bucket.ByName[item.Metadata?.Name ?? ""] = kept;
        return this;
    }

    /// <summary>Adds an object read with <see cref="ClusterKind.Read"/>.</summary>
    public StaticClusterView Add(ClusterKind kind, IKubernetesObject<V1ObjectMeta> item, string defaultNamespace) =>
        kind.Accept(new Adder(this, item, defaultNamespace));

    public StaticClusterView Add(V1Service service, string defaultNamespace) => Add(ClusterKinds.Service, service, defaultNamespace);

    public StaticClusterView Add(V1Namespace ns) => Add(ClusterKinds.Namespace, ns);

    public StaticClusterView Add(V1StorageClass storageClass) => Add(ClusterKinds.StorageClass, storageClass);

    public StaticClusterView Add(V1PodDisruptionBudget budget, string defaultNamespace) => Add(ClusterKinds.PodDisruptionBudget, budget, defaultNamespace);

    public StaticClusterView Add(V1StatefulSet statefulSet, string defaultNamespace) => Add(ClusterKinds.StatefulSet, statefulSet, defaultNamespace);

    public StaticClusterView Add(Exceptions.StatefulGuardException exception, string defaultNamespace) => Add(ClusterKinds.Exception, exception, defaultNamespace);

    /// <summary>Whether a lookup that finds nothing means missing: it does for a whole cluster, and for what the application ships.</summary>
    private bool Complete(ClusterKind kind) => Scope == ViewScope.Cluster || kind.ShippedWithApplication;

    public Lookup<TCached> Get<TCached>(ClusterKind<TCached> kind, string @namespace, string name)
        where TCached : class
    {
        var found = Find(kind, kind.Namespaced ? @namespace : "")?.ByName.GetValueOrDefault(name);
        return found is not null ? Lookup<TCached>.Found(found) : Complete(kind) ? Lookup<TCached>.NotFound : Lookup<TCached>.Unknown;
    }

    public Lookup<IReadOnlyList<TCached>> List<TCached>(ClusterKind<TCached> kind, string @namespace)
        where TCached : class
    {
        var list = Find(kind, kind.Namespaced ? @namespace : "")?.Items;
        return list is not null ? Lookup<IReadOnlyList<TCached>>.Found(list)
            : Complete(kind) ? Lookup<IReadOnlyList<TCached>>.Found([])
            : Lookup<IReadOnlyList<TCached>>.Unknown;
    }

    /// <summary>A default found in the set; otherwise missing for a whole cluster and unknown over the input alone.</summary>
    public Lookup<CachedStorageClass> GetDefaultStorageClass() =>
        StorageClasses.PickDefault(All(ClusterKinds.StorageClass)) is { } found ? Lookup<CachedStorageClass>.Found(found)
        : Complete(ClusterKinds.StorageClass) ? Lookup<CachedStorageClass>.NotFound : Lookup<CachedStorageClass>.Unknown;

    /// <summary>Every Service the view holds.</summary>
    public IEnumerable<CachedService> Services => All(ClusterKinds.Service);

    /// <summary>What is kept of every object of a kind the view holds, in every namespace.</summary>
    public IEnumerable<TCached> All<TCached>(ClusterKind<TCached> kind)
        where TCached : class =>
        stores.TryGetValue(kind, out var store) ? ((Store<TCached>)store).Values.SelectMany(b => b.Items) : [];

    private Bucket<TCached>? Find<TCached>(ClusterKind<TCached> kind, string ns)
        where TCached : class =>
        stores.TryGetValue(kind, out var store) ? ((Store<TCached>)store).GetValueOrDefault(ns) : null;

    private sealed class Store<T> : Dictionary<string, Bucket<T>>
        where T : class
    {
        public Store()
            : base(StringComparer.Ordinal)
        {
        }

        public Bucket<T> Bucket(string ns)
        {
            if (!TryGetValue(ns, out var bucket))
            {
                this[ns] = bucket = new Bucket<T>();
            }

            return bucket;
        }
    }

    private sealed class Bucket<T>
        where T : class
    {
        public List<T> Items { get; } = [];

        public Dictionary<string, T> ByName { get; } = new(StringComparer.Ordinal);
    }

    private sealed class Adder(StaticClusterView view, IKubernetesObject<V1ObjectMeta> item, string defaultNamespace) : IClusterKindVisitor<StaticClusterView>
    {
        public StaticClusterView Visit<T, TList, TCached>(ClusterKind<T, TList, TCached> kind)
            where T : class, IKubernetesObject<V1ObjectMeta>
            where TList : class, IKubernetesObject<V1ListMeta>, IItems<T>
            where TCached : class => view.Add(kind, item, defaultNamespace);
    }
}
