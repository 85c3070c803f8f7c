using k8s.Models;

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

public enum ViewScope
{
    /// <summary>A cluster's objects (watch caches, or a snapshot for <c>audit --cluster</c>).</summary>
    Cluster,

    /// <summary>Only the manifests being audited.</summary>
    Input,
}

public static class StorageClasses
{
    public const string DefaultAnnotation = "storageclass.kubernetes.io/is-default-class";

    public static bool IsDefault(V1StorageClass storageClass) =>
        storageClass.Metadata?.Annotations?.TryGetValue(DefaultAnnotation, out var value) == true
        && string.Equals(value, "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>The default class as the apiserver picks it when several are marked: the newest, then by name.</summary>
    public static CachedStorageClass? PickDefault(IEnumerable<CachedStorageClass> classes) =>
        classes.Where(c => c.IsDefault)
            .OrderByDescending(c => c.Created ?? DateTime.MinValue)
            .ThenBy(c => c.Name, StringComparer.Ordinal)
            .FirstOrDefault();
}

public enum LookupState
{
    Found,
    NotFound,

    /// <summary>The view cannot tell: no cluster access, or its cache for this kind has not synced yet.</summary>
    Unknown,
}

public readonly record struct Lookup<T>(LookupState State, T? Value)
    where T : class
{
    public static Lookup<T> Found(T value) => new(LookupState.Found, value);

    public static readonly Lookup<T> NotFound = new(LookupState.NotFound, null);

    public static readonly Lookup<T> Unknown = new(LookupState.Unknown, null);

    public static Lookup<T> Of(T? value) => value is null ? NotFound : Found(value);
}
