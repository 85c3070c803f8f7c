using k8s.Models;
using StatefulGuard.Core.Exceptions;

namespace StatefulGuard.Core.Cluster;

/// <summary>
/// Every kind of cluster object StatefulGuard reads, with what is kept of it (<see cref="CachedObject"/>). Adding a
/// kind is one declaration here, the rule that reads it (naming it in <see cref="Rules.RuleDescriptor.Reads"/>) and its
/// tests: the watch caches, the offline view, the <c>audit --cluster</c> snapshot and the test apiserver follow, and a
/// test holds <c>deploy/</c>'s RBAC to exactly get/list/watch on these.
/// </summary>
public static class ClusterKinds
{
    public static readonly ClusterKind<V1Service, V1ServiceList, CachedService> Service = new("Service", "", "v1", "services", namespaced: true,
        s => new CachedService(NamespaceOf(s.Metadata), NameOf(s.Metadata), s.Spec?.Type, s.Spec?.ClusterIP, LabelDictionary.From(s.Spec?.Selector)));

    public static readonly ClusterKind<V1Namespace, V1NamespaceList, CachedNamespace> Namespace = new("Namespace", "", "v1", "namespaces", namespaced: false,
        n => new CachedNamespace(NameOf(n.Metadata), LabelDictionary.From(n.Metadata?.Labels) ?? LabelDictionary.Empty,
            n.Metadata?.DeletionTimestamp is not null || n.Status?.Phase == "Terminating"));

    public static readonly ClusterKind<V1StorageClass, V1StorageClassList, CachedStorageClass> StorageClass =
        new("StorageClass", "storage.k8s.io", "v1", "storageclasses", namespaced: false,
            c => new CachedStorageClass(NameOf(c.Metadata), c.Provisioner, c.VolumeBindingMode, StorageClasses.IsDefault(c), c.Metadata?.CreationTimestamp))
        {
            ShippedWithApplication = false,
        };

    public static readonly ClusterKind<V1PodDisruptionBudget, V1PodDisruptionBudgetList, CachedDisruptionBudget> PodDisruptionBudget =
        new("PodDisruptionBudget", "policy", "v1", "poddisruptionbudgets", namespaced: true,
            b => new CachedDisruptionBudget(NamespaceOf(b.Metadata), NameOf(b.Metadata), Compact(b.Spec?.Selector)));

    public static readonly ClusterKind<V1StatefulSet, V1StatefulSetList, CachedStatefulSet> StatefulSet =
        new("StatefulSet", "apps", "v1", "statefulsets", namespaced: true,
            s => new CachedStatefulSet(NamespaceOf(s.Metadata), NameOf(s.Metadata), s.Spec?.ServiceName, Compact(s.Spec?.Selector),
                LabelDictionary.From(s.Spec?.Template?.Metadata?.Labels) ?? LabelDictionary.Empty, s.Metadata?.DeletionTimestamp is not null));

    /// <summary>Read by the engine for every rule: the waivers a platform team granted, kept whole (there are few).</summary>
    public static readonly ClusterKind<StatefulGuardException, StatefulGuardExceptionList, StatefulGuardException> Exception =
        new(StatefulGuardException.KindName, StatefulGuardException.Group, StatefulGuardException.Version, StatefulGuardException.Plural, namespaced: true,
            DropServerBookkeeping)
        {
            Optional = true,
        };

    public static IReadOnlyList<ClusterKind> All { get; } = [Service, Namespace, StorageClass, PodDisruptionBudget, StatefulSet, Exception];

    /// <summary>kubectl's copy of the whole object as last applied: often the largest field, and never read.</summary>
    private const string LastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration";

    /// <summary>The declared kind named <paramref name="kind"/> (as a manifest's <c>kind</c> spells it); null for others.</summary>
    public static ClusterKind? ByKind(string? kind) => All.FirstOrDefault(k => k.Kind == kind);

    private static string NamespaceOf(V1ObjectMeta? metadata) => metadata?.NamespaceProperty ?? "";

    private static string NameOf(V1ObjectMeta? metadata) => metadata?.Name ?? "";

    /// <summary>A selector with its matchLabels as a <see cref="LabelDictionary"/> (its expressions are rare and kept as they are).</summary>
    private static V1LabelSelector? Compact(V1LabelSelector? selector) =>
        selector is null ? null : new V1LabelSelector
        {
            MatchLabels = LabelDictionary.From(selector.MatchLabels),
            MatchExpressions = selector.MatchExpressions is { Count: > 0 } expressions ? expressions : null,
        };

    /// <summary>An object less what the server keeps for itself: managed fields and kubectl's last-applied copy.</summary>
    private static T DropServerBookkeeping<T>(T item)
        where T : class, k8s.IKubernetesObject<V1ObjectMeta>
    {
        if (item.Metadata is { } metadata)
        {
            metadata.ManagedFields = null;
            metadata.Annotations?.Remove(LastAppliedAnnotation);
        }

        return item;
    }
}
