using k8s.Models;
using StatefulGuard.Core.Exceptions;

namespace StatefulGuard.Core.Cluster;

/// <summary>
/// Every kind of cluster object StatefulGuard reads. Adding a kind is one declaration here, the rule that reads it
/// (naming it in <see cref="Rules.RuleDescriptor.Reads"/>) and its tests: the watch caches, the offline view, the
/// <c>audit --cluster</c> snapshot and the test apiserver follow, and a test holds <c>deploy/</c>'s RBAC to exactly
/// get/list/watch on these.
/// </summary>
public static class ClusterKinds
{
    public static readonly ClusterKind<V1Service, V1ServiceList> Service = new("Service", "", "v1", "services", namespaced: true);

    /// <summary>Read for the namespace's <c>statefulguard.io/mode</c> label.</summary>
    public static readonly ClusterKind<V1Namespace, V1NamespaceList> Namespace = new("Namespace", "", "v1", "namespaces", namespaced: false);

    public static readonly ClusterKind<V1StorageClass, V1StorageClassList> StorageClass = new("StorageClass", "storage.k8s.io", "v1", "storageclasses", namespaced: false)
    {
        ShippedWithApplication = false,
    };

    public static readonly ClusterKind<V1PodDisruptionBudget, V1PodDisruptionBudgetList> PodDisruptionBudget =
        new("PodDisruptionBudget", "policy", "v1", "poddisruptionbudgets", namespaced: true);

    public static readonly ClusterKind<V1StatefulSet, V1StatefulSetList> StatefulSet = new("StatefulSet", "apps", "v1", "statefulsets", namespaced: true);

    /// <summary>Read by the engine for every rule: the waivers a platform team granted.</summary>
    public static readonly ClusterKind<StatefulGuardException, StatefulGuardExceptionList> Exception =
        new(StatefulGuardException.KindName, StatefulGuardException.Group, StatefulGuardException.Version, StatefulGuardException.Plural, namespaced: true)
        {
            Optional = true,
        };

    public static IReadOnlyList<ClusterKind> All { get; } = [Service, Namespace, StorageClass, PodDisruptionBudget, StatefulSet, Exception];

    /// <summary>The declared kind named <paramref name="kind"/> (as a manifest's <c>kind</c> spells it); null for others.</summary>
    public static ClusterKind? ByKind(string? kind) => All.FirstOrDefault(k => k.Kind == kind);
}
