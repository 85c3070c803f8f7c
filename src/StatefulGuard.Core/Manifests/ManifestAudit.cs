using System.Text.Json;
using System.Text.Json.Nodes;
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

    /// <summary>Nothing could be read at all: the audit has nothing to say.</summary>
    public bool Unreadable => DocumentsRead == 0 && Errors.Any(e => !e.IsWarning);
}

/// <summary>
/// The offline adapter over <see cref="RuleEngine"/>: the Services and Namespaces in the input stand in for
/// the cluster, and every StatefulSet is judged as a CREATE, as <c>kubectl apply</c> of the files would be.
/// </summary>
public static class ManifestAudit
{
    public const string DefaultNamespace = "default";

    /// <param name="manifests">The input.</param>
    /// <param name="engine">The engine, configured as the webhook is.</param>
    /// <param name="cluster">A live cluster to look in after the input (<c>audit --cluster</c>).</param>
    /// <param name="mode">The global mode to judge under (enforce: what the webhook would deny).</param>
    /// <param name="progress">Called as objects are judged, with (done, total).</param>
    public static AuditReport Run(ManifestSet manifests, RuleEngine engine, IClusterView? cluster = null, GuardMode? mode = GuardMode.Enforce,
        Action<int, int>? progress = null)
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
                        fromInput.Add(sts, DefaultNamespace);
                    }

                    break;
            }
        }

        IClusterView view = cluster is null ? fromInput : new LayeredClusterView(fromInput, cluster);
        var reports = new ObjectReport[statefulSets.Count];
        for (var i = 0; i < statefulSets.Count; i++)
        {
            var (doc, sts) = statefulSets[i];
            var ns = sts.Metadata?.NamespaceProperty is { Length: > 0 } n ? n : DefaultNamespace;
            var evaluation = engine.Validate(new RuleInput(Operation.Create, ns, sts, null), view, mode);
            reports[i] = new ObjectReport(doc, ns, sts.Metadata?.Name ?? "", evaluation);
            progress?.Invoke(i + 1, statefulSets.Count);
        }

        return new AuditReport(reports, errors, manifests.Documents.Count);
    }

    /// <summary>The typed object, or null with an error; fields the API model does not know are reported as warnings.</summary>
    public static T? TryConvert<T>(ManifestDocument doc, List<ManifestError> errors)
        where T : class
    {
        T typed;
        try
        {
            typed = KubernetesJson.Deserialize<T>(doc.Object);
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException or NotSupportedException or OverflowException or ArgumentException)
        {
            errors.Add(new ManifestError(doc.Source, doc.Line, $"{doc.Kind} {doc.Name}: {ex.Message}"));
            return null;
        }

        foreach (var path in UnknownFields.Find(doc.Object, KubeJson.ToNode(typed)))
        {
            errors.Add(new ManifestError(doc.Source, doc.LineOf(path),
                $"{doc.Kind} {doc.Name}: unknown field {path}: the apiserver drops it silently", IsWarning: true));
        }

        return typed;
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
