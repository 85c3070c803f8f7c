using k8s.Models;

namespace StatefulGuard.Core.Cluster;

/// <summary>
/// A cluster view over a fixed set of objects: the Services and Namespaces found in the manifests being
/// audited. Anything not in the set does not exist.
/// </summary>
public sealed class StaticClusterView : IClusterView
{
    private readonly Dictionary<(string Namespace, string Name), V1Service> services = new();
    private readonly Dictionary<string, V1Namespace> namespaces = new(StringComparer.Ordinal);
    private readonly Dictionary<string, V1StorageClass> storageClasses = new(StringComparer.Ordinal);
    private readonly List<V1PodDisruptionBudget> budgets = [];
    private readonly List<V1StatefulSet> statefulSets = [];

    public StaticClusterView Add(V1Service service, string defaultNamespace)
    {
        var ns = service.Metadata?.NamespaceProperty is { Length: > 0 } n ? n : defaultNamespace;
        services[(ns, service.Metadata?.Name ?? "")] = service;
        return this;
    }

    public StaticClusterView Add(V1Namespace ns)
    {
        namespaces[ns.Metadata?.Name ?? ""] = ns;
        return this;
    }

    public StaticClusterView Add(V1StorageClass storageClass)
    {
        storageClasses[storageClass.Metadata?.Name ?? ""] = storageClass;
        return this;
    }

    public StaticClusterView Add(V1PodDisruptionBudget budget, string defaultNamespace)
    {
        budget.Metadata ??= new V1ObjectMeta();
        budget.Metadata.NamespaceProperty = budget.Metadata.NamespaceProperty is { Length: > 0 } n ? n : defaultNamespace;
        budgets.Add(budget);
        return this;
    }

    public StaticClusterView Add(V1StatefulSet statefulSet, string defaultNamespace)
    {
        statefulSet.Metadata ??= new V1ObjectMeta();
        statefulSet.Metadata.NamespaceProperty = statefulSet.Metadata.NamespaceProperty is { Length: > 0 } n ? n : defaultNamespace;
        statefulSets.Add(statefulSet);
        return this;
    }

    /// <summary>
    /// Whether the input defines any StorageClass. Offline, StorageClasses usually live outside the
    /// manifests being audited, so without any the lookups are unknown rather than missing.
    /// </summary>
    public bool HasStorageClasses => storageClasses.Count > 0 || StorageClassesComplete;

    /// <summary>Set when the view holds every StorageClass of a cluster, so a missing one is missing, not unknown.</summary>
    public bool StorageClassesComplete { get; init; }

    public Lookup<V1StorageClass> GetStorageClass(string name) =>
        HasStorageClasses ? Lookup<V1StorageClass>.Of(storageClasses.GetValueOrDefault(name)) : Lookup<V1StorageClass>.Unknown;

    public Lookup<V1StorageClass> GetDefaultStorageClass() =>
        HasStorageClasses ? Lookup<V1StorageClass>.Of(StorageClasses.PickDefault(storageClasses.Values)) : Lookup<V1StorageClass>.Unknown;

    public Lookup<IReadOnlyList<V1PodDisruptionBudget>> GetPodDisruptionBudgets(string @namespace) =>
        Lookup<IReadOnlyList<V1PodDisruptionBudget>>.Found(budgets.Where(b => b.Metadata.NamespaceProperty == @namespace).ToArray());

    public Lookup<IReadOnlyList<V1StatefulSet>> GetStatefulSets(string @namespace) =>
        Lookup<IReadOnlyList<V1StatefulSet>>.Found(statefulSets.Where(s => s.Metadata.NamespaceProperty == @namespace).ToArray());

    public Lookup<V1Service> GetService(string @namespace, string name) =>
        Lookup<V1Service>.Of(services.GetValueOrDefault((@namespace, name)));

    public Lookup<V1Namespace> GetNamespace(string name) =>
        Lookup<V1Namespace>.Of(namespaces.GetValueOrDefault(name));

    public ServerVersion? ServerVersion { get; init; }
}
