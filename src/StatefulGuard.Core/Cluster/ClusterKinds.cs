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
    /// <summary>headless-service reads its type, clusterIP and selector.</summary>
    public static readonly ClusterKind<V1Service, V1ServiceList> Service = new("Service", "", "v1", "services", namespaced: true)
    {
        Project = s => new V1Service
        {
            Metadata = Identity(s.Metadata),
            Spec = s.Spec is { } spec ? new V1ServiceSpec { Type = spec.Type, ClusterIP = spec.ClusterIP, Selector = spec.Selector } : null,
        },
    };

    /// <summary>Read for the namespace's <c>statefulguard.io/mode</c> label.</summary>
    public static readonly ClusterKind<V1Namespace, V1NamespaceList> Namespace = new("Namespace", "", "v1", "namespaces", namespaced: false)
    {
        Project = n => new V1Namespace { Metadata = Identity(n.Metadata, labels: true) },
    };

    /// <summary>storage-binding reads its binding mode and whether it is the default (the newest default wins).</summary>
    public static readonly ClusterKind<V1StorageClass, V1StorageClassList> StorageClass = new("StorageClass", "storage.k8s.io", "v1", "storageclasses", namespaced: false)
    {
        ShippedWithApplication = false,
        Project = c =>
        {
            var metadata = Identity(c.Metadata);
            metadata.CreationTimestamp = c.Metadata?.CreationTimestamp;
            if (c.Metadata?.Annotations?.TryGetValue(StorageClasses.DefaultAnnotation, out var isDefault) == true)
            {
                metadata.Annotations = new Dictionary<string, string> { [StorageClasses.DefaultAnnotation] = isDefault };
            }

            return new V1StorageClass { Metadata = metadata, Provisioner = c.Provisioner, VolumeBindingMode = c.VolumeBindingMode };
        },
    };

    /// <summary>disruption-budget and label-coherence read its name and selector.</summary>
    public static readonly ClusterKind<V1PodDisruptionBudget, V1PodDisruptionBudgetList> PodDisruptionBudget =
        new("PodDisruptionBudget", "policy", "v1", "poddisruptionbudgets", namespaced: true)
        {
            Project = b => new V1PodDisruptionBudget
            {
                Metadata = Identity(b.Metadata),
                Spec = b.Spec is { } spec ? new V1PodDisruptionBudgetSpec { Selector = spec.Selector } : null,
            },
        };

    /// <summary>
    /// label-coherence and service-protection read its name, serviceName, selector and pod labels. The policy reports
    /// judge whole objects: they take them from watch events and lists, not from the cache.
    /// </summary>
    public static readonly ClusterKind<V1StatefulSet, V1StatefulSetList> StatefulSet = new("StatefulSet", "apps", "v1", "statefulsets", namespaced: true)
    {
        Project = s => new V1StatefulSet
        {
            Metadata = Deleting(Identity(s.Metadata), s.Metadata),
            Spec = s.Spec is { } spec
                ? new V1StatefulSetSpec
                {
                    ServiceName = spec.ServiceName,
                    Selector = spec.Selector,
                    Template = new V1PodTemplateSpec { Metadata = new V1ObjectMeta { Labels = spec.Template?.Metadata?.Labels } },
                }
                : null,
        },
    };

    /// <summary>Read by the engine for every rule: the waivers a platform team granted.</summary>
    public static readonly ClusterKind<StatefulGuardException, StatefulGuardExceptionList> Exception =
        new(StatefulGuardException.KindName, StatefulGuardException.Group, StatefulGuardException.Version, StatefulGuardException.Plural, namespaced: true)
        {
            Optional = true,
        };

    public static IReadOnlyList<ClusterKind> All { get; } = [Service, Namespace, StorageClass, PodDisruptionBudget, StatefulSet, Exception];

    /// <summary>What every projection keeps of the metadata: name, namespace, the version seen (labels only where a rule reads them).</summary>
    private static V1ObjectMeta Identity(V1ObjectMeta? metadata, bool labels = false) => new()
    {
        Name = metadata?.Name,
        NamespaceProperty = metadata?.NamespaceProperty,
        ResourceVersion = metadata?.ResourceVersion,
        Labels = labels ? metadata?.Labels : null,
    };

    /// <summary>Keeps the deletion mark (a StatefulSet being deleted no longer depends on its Service).</summary>
    private static V1ObjectMeta Deleting(V1ObjectMeta projected, V1ObjectMeta? metadata)
    {
        projected.DeletionTimestamp = metadata?.DeletionTimestamp;
        return projected;
    }

    /// <summary>The declared kind named <paramref name="kind"/> (as a manifest's <c>kind</c> spells it); null for others.</summary>
    public static ClusterKind? ByKind(string? kind) => All.FirstOrDefault(k => k.Kind == kind);
}
