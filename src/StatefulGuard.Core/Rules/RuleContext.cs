using k8s.Models;
using StatefulGuard.Core.Admission;
using StatefulGuard.Core.Cluster;

namespace StatefulGuard.Core.Rules;

/// <summary>
/// Everything a rule may look at: the StatefulSet, its stored version on UPDATE, the operation and a
/// read-only view of the cluster. Rules never see the transport (HTTP, files).
/// </summary>
public sealed class RuleContext
{
    public RuleContext(Operation operation, string @namespace, V1StatefulSet statefulSet, V1StatefulSet? oldStatefulSet, IClusterView cluster)
    {
        Operation = operation;
        Namespace = @namespace;
        StatefulSet = statefulSet;
        OldStatefulSet = oldStatefulSet;
        Cluster = cluster;
    }

    public Operation Operation { get; }

    /// <summary>The namespace the StatefulSet lives in (the request's, which the apiserver has already checked).</summary>
    public string Namespace { get; }

    public V1StatefulSet StatefulSet { get; }

    public V1StatefulSet? OldStatefulSet { get; }

    public IClusterView Cluster { get; }

    public string Name => StatefulSet.Metadata?.Name ?? StatefulSet.Metadata?.GenerateName ?? "";

    /// <summary>The pod template's labels; never null.</summary>
    public IDictionary<string, string> PodLabels =>
        StatefulSet.Spec?.Template?.Metadata?.Labels ?? EmptyLabels;

    /// <summary>The same context looking at another version of the object (used to tell pre-existing violations).</summary>
    public RuleContext WithStatefulSet(V1StatefulSet statefulSet) =>
        new(Operation, Namespace, statefulSet, null, Cluster);

    private static readonly Dictionary<string, string> EmptyLabels = new();
}
