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

    public static readonly StaticClusterView Empty = new();

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

    public Lookup<V1Service> GetService(string @namespace, string name) =>
        Lookup<V1Service>.Of(services.GetValueOrDefault((@namespace, name)));

    public Lookup<V1Namespace> GetNamespace(string name) =>
        Lookup<V1Namespace>.Of(namespaces.GetValueOrDefault(name));

    public ServerVersion? ServerVersion { get; init; }
}
