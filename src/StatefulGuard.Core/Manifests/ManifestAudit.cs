using System.Text.Json;
using k8s;
using k8s.Models;
using StatefulGuard.Core.Admission;
using StatefulGuard.Core.Cluster;
using StatefulGuard.Core.Engine;

namespace StatefulGuard.Core.Manifests;

/// <summary>The verdicts for one StatefulSet read from a manifest.</summary>
public sealed record ObjectReport(ManifestDocument Document, string Namespace, string Name, Evaluation Evaluation);

public sealed record AuditReport(IReadOnlyList<ObjectReport> Objects, IReadOnlyList<ManifestError> Errors, int DocumentsRead)
{
    public bool WouldDeny => Objects.Any(o => o.Evaluation.WouldDenyInEnforce);
}

/// <summary>
/// The offline adapter over <see cref="RuleEngine"/>: the Services and Namespaces in the input stand in for
/// the cluster, and every StatefulSet is judged as a CREATE, as <c>kubectl apply</c> of the files would be.
/// </summary>
public static class ManifestAudit
{
    public const string DefaultNamespace = "default";

    public static AuditReport Run(ManifestSet manifests, RuleEngine engine, IClusterView? cluster = null, GuardMode? mode = GuardMode.Enforce)
    {
        var errors = new List<ManifestError>(manifests.Errors);
        var fromInput = new StaticClusterView();
        var statefulSets = new List<(ManifestDocument Doc, V1StatefulSet Object)>();

        foreach (var doc in manifests.Documents)
        {
            switch (doc.ApiVersion, doc.Kind)
            {
                case ("v1", "Service"):
                    if (TryConvert<V1Service>(doc, errors) is { } service)
                    {
                        fromInput.Add(service, DefaultNamespace);
                    }

                    break;
                case ("v1", "Namespace"):
                    if (TryConvert<V1Namespace>(doc, errors) is { } ns)
                    {
                        fromInput.Add(ns);
                    }

                    break;
                case ("policy/v1", "PodDisruptionBudget"):
                    if (TryConvert<V1PodDisruptionBudget>(doc, errors) is { } budget)
                    {
                        fromInput.Add(budget, DefaultNamespace);
                    }

                    break;
                case ("storage.k8s.io/v1", "StorageClass"):
                    if (TryConvert<V1StorageClass>(doc, errors) is { } storageClass)
                    {
                        fromInput.Add(storageClass);
                    }

                    break;
                case ("apps/v1", "StatefulSet"):
                    if (TryConvert<V1StatefulSet>(doc, errors) is { } sts)
                    {
                        statefulSets.Add((doc, sts));
                        fromInput.Add(KubernetesJson.Deserialize<V1StatefulSet>(doc.Object), DefaultNamespace);
                    }

                    break;
            }
        }

        IClusterView view = cluster is null ? fromInput : new LayeredClusterView(fromInput, cluster);
        var reports = statefulSets
            .Select(s =>
            {
                var ns = s.Object.Metadata?.NamespaceProperty is { Length: > 0 } n ? n : DefaultNamespace;
                var evaluation = engine.Validate(new RuleInput(Operation.Create, ns, s.Object, null), view, mode);
                return new ObjectReport(s.Doc, ns, s.Object.Metadata?.Name ?? "", evaluation);
            })
            .ToArray();

        return new AuditReport(reports, errors, manifests.Documents.Count);
    }

    private static T? TryConvert<T>(ManifestDocument doc, List<ManifestError> errors)
        where T : class
    {
        try
        {
            return KubernetesJson.Deserialize<T>(doc.Object);
        }
        catch (JsonException ex)
        {
            errors.Add(new ManifestError(doc.Source, doc.Line, $"{doc.Kind} {doc.Name}: {ex.Message}"));
            return null;
        }
    }
}

/// <summary>Objects in the input first, then the live cluster: a Service being added in the same change counts.</summary>
internal sealed class LayeredClusterView(IClusterView first, IClusterView second) : IClusterView
{
    public Lookup<V1Service> GetService(string @namespace, string name) =>
        first.GetService(@namespace, name) is { State: LookupState.Found } found ? found : second.GetService(@namespace, name);

    public Lookup<V1Namespace> GetNamespace(string name) =>
        first.GetNamespace(name) is { State: LookupState.Found } found ? found : second.GetNamespace(name);

    public Lookup<V1StorageClass> GetStorageClass(string name) =>
        first.GetStorageClass(name) is { State: LookupState.Found } found ? found : second.GetStorageClass(name);

    public Lookup<V1StorageClass> GetDefaultStorageClass() =>
        first.GetDefaultStorageClass() is { State: LookupState.Found } found ? found : second.GetDefaultStorageClass();

    public Lookup<IReadOnlyList<V1PodDisruptionBudget>> GetPodDisruptionBudgets(string @namespace) =>
        Concat(first.GetPodDisruptionBudgets(@namespace), second.GetPodDisruptionBudgets(@namespace));

    public Lookup<IReadOnlyList<V1StatefulSet>> GetStatefulSets(string @namespace) =>
        Concat(first.GetStatefulSets(@namespace), second.GetStatefulSets(@namespace));

    public ServerVersion? ServerVersion => second.ServerVersion ?? first.ServerVersion;

    private static Lookup<IReadOnlyList<T>> Concat<T>(Lookup<IReadOnlyList<T>> a, Lookup<IReadOnlyList<T>> b) =>
        a.State == LookupState.Unknown || b.State == LookupState.Unknown
            ? Lookup<IReadOnlyList<T>>.Unknown
            : Lookup<IReadOnlyList<T>>.Found([.. a.Value ?? [], .. b.Value ?? []]);
}
