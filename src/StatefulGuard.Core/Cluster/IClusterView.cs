namespace StatefulGuard.Core.Cluster;

/// <summary>
/// A read-only view of the cluster objects rules need. In the webhook it is backed by watch caches
/// (never a GET per admission); offline it is backed by the manifests being audited.
/// </summary>
public interface IClusterView
{
    /// <summary>What is kept of one object of a declared kind ("" as the namespace of cluster-scoped kinds).</summary>
    Lookup<TCached> Get<TCached>(ClusterKind<TCached> kind, string @namespace, string name)
        where TCached : class;

    /// <summary>What is kept of every object of a declared kind in a namespace ("" for cluster-scoped kinds).</summary>
    Lookup<IReadOnlyList<TCached>> List<TCached>(ClusterKind<TCached> kind, string @namespace)
        where TCached : class;

    /// <summary>The StorageClass annotated <c>storageclass.kubernetes.io/is-default-class: "true"</c>; NotFound when there is none.</summary>
    Lookup<CachedStorageClass> GetDefaultStorageClass() =>
        List(ClusterKinds.StorageClass, "") is { State: LookupState.Found } all
            ? Lookup<CachedStorageClass>.Of(StorageClasses.PickDefault(all.Value!))
            : Lookup<CachedStorageClass>.Unknown;

    /// <summary>The apiserver's version; unknown offline unless configured.</summary>
    ServerVersion? ServerVersion { get; }

    /// <summary>
    /// What the view holds: a cluster's objects, or only the manifests being audited. Offline, what ships with
    /// the application (its Service, its PodDisruptionBudget) is expected in the input, and a finding about its
    /// absence says "not found in the input"; what belongs to the cluster is unknown unless the input has it.
    /// </summary>
    ViewScope Scope => ViewScope.Cluster;
}
