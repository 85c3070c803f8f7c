namespace StatefulGuard.Core.Cluster;

/// <summary>The lookups the rules make, by kind.</summary>
public static class ClusterViewLookups
{
    public static Lookup<CachedService> GetService(this IClusterView view, string @namespace, string name) =>
        view.Get(ClusterKinds.Service, @namespace, name);

    public static Lookup<CachedNamespace> GetNamespace(this IClusterView view, string name) =>
        view.Get(ClusterKinds.Namespace, "", name);

    public static Lookup<CachedStorageClass> GetStorageClass(this IClusterView view, string name) =>
        view.Get(ClusterKinds.StorageClass, "", name);

    public static Lookup<IReadOnlyList<CachedDisruptionBudget>> GetPodDisruptionBudgets(this IClusterView view, string @namespace) =>
        view.List(ClusterKinds.PodDisruptionBudget, @namespace);

    public static Lookup<IReadOnlyList<CachedStatefulSet>> GetStatefulSets(this IClusterView view, string @namespace) =>
        view.List(ClusterKinds.StatefulSet, @namespace);

    /// <summary>The StatefulGuardExceptions of a namespace; none where the view holds none (the CRD not installed, not yet listed).</summary>
    public static Lookup<IReadOnlyList<Exceptions.StatefulGuardException>> GetExceptions(this IClusterView view, string @namespace) =>
        view.List(ClusterKinds.Exception, @namespace) is { State: LookupState.Found } found
            ? found
            : Lookup<IReadOnlyList<Exceptions.StatefulGuardException>>.Found([]);
}
