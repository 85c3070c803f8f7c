using k8s.Models;

namespace StatefulGuard.Core.Cluster;

/// <summary>
/// A cluster view over a fixed set of objects: the objects found in the manifests being audited
/// (<see cref="ViewScope.Input"/>), or a snapshot of a whole cluster (<see cref="ViewScope.Cluster"/>). Offline,
/// a Service or PodDisruptionBudget not in the set is missing from the input; a StorageClass not in the set is
/// unknown, since StorageClasses belong to the cluster, not to the application.
/// </summary>
public sealed class StaticClusterView : IClusterView
{
    private readonly Dictionary<(string Namespace, string Name), V1Service> services = new();
    private readonly Dictionary<string, V1Namespace> namespaces = new(StringComparer.Ordinal);
    private readonly Dictionary<string, V1StorageClass> storageClasses = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<V1PodDisruptionBudget>> budgetsByNamespace = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<V1StatefulSet>> statefulSetsByNamespace = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<Exceptions.StatefulGuardException>> exceptionsByNamespace = new(StringComparer.Ordinal);

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
        Bucket(budgetsByNamespace, budget.Metadata.NamespaceProperty).Add(budget);
        return this;
    }

    public StaticClusterView Add(V1StatefulSet statefulSet, string defaultNamespace)
    {
        statefulSet.Metadata ??= new V1ObjectMeta();
        statefulSet.Metadata.NamespaceProperty = statefulSet.Metadata.NamespaceProperty is { Length: > 0 } n ? n : defaultNamespace;
        Bucket(statefulSetsByNamespace, statefulSet.Metadata.NamespaceProperty).Add(statefulSet);
        return this;
    }

    /// <summary>
    /// Whether the view holds a whole cluster (<c>audit --cluster</c>'s snapshot): then a missing StorageClass or
    /// default is missing. Over the input alone they are unknown: the input is not the cluster.
    /// </summary>
    public bool StorageClassesComplete => Scope == ViewScope.Cluster;

    public ViewScope Scope { get; init; } = ViewScope.Input;

    public Lookup<V1StorageClass> GetStorageClass(string name) =>
        storageClasses.GetValueOrDefault(name) is { } found ? Lookup<V1StorageClass>.Found(found)
        : StorageClassesComplete ? Lookup<V1StorageClass>.NotFound : Lookup<V1StorageClass>.Unknown;

    public Lookup<V1StorageClass> GetDefaultStorageClass() =>
        StorageClasses.PickDefault(storageClasses.Values) is { } found ? Lookup<V1StorageClass>.Found(found)
        : StorageClassesComplete ? Lookup<V1StorageClass>.NotFound : Lookup<V1StorageClass>.Unknown;

    public Lookup<IReadOnlyList<V1PodDisruptionBudget>> GetPodDisruptionBudgets(string @namespace) =>
        Lookup<IReadOnlyList<V1PodDisruptionBudget>>.Found(budgetsByNamespace.TryGetValue(@namespace, out var list) ? list : []);

    public Lookup<IReadOnlyList<V1StatefulSet>> GetStatefulSets(string @namespace) =>
        Lookup<IReadOnlyList<V1StatefulSet>>.Found(statefulSetsByNamespace.TryGetValue(@namespace, out var list) ? list : []);

    public StaticClusterView Add(Exceptions.StatefulGuardException exception, string defaultNamespace)
    {
        exception.Metadata ??= new V1ObjectMeta();
        exception.Metadata.NamespaceProperty = exception.Metadata.NamespaceProperty is { Length: > 0 } n ? n : defaultNamespace;
        Bucket(exceptionsByNamespace, exception.Metadata.NamespaceProperty).Add(exception);
        return this;
    }

    public Lookup<IReadOnlyList<Exceptions.StatefulGuardException>> GetExceptions(string @namespace) =>
        Lookup<IReadOnlyList<Exceptions.StatefulGuardException>>.Found(exceptionsByNamespace.TryGetValue(@namespace, out var list) ? list : []);

    public Lookup<V1Service> GetService(string @namespace, string name) =>
        Lookup<V1Service>.Of(services.GetValueOrDefault((@namespace, name)));

    public Lookup<V1Namespace> GetNamespace(string name) =>
        Lookup<V1Namespace>.Of(namespaces.GetValueOrDefault(name));

    public ServerVersion? ServerVersion { get; init; }

    /// <summary>Every Service the view holds.</summary>
    public IEnumerable<V1Service> Services => services.Values;

    private static List<T> Bucket<T>(Dictionary<string, List<T>> byNamespace, string ns)
    {
        if (!byNamespace.TryGetValue(ns, out var list))
        {
            byNamespace[ns] = list = [];
        }

        return list;
    }
}
