using k8s.Models;

namespace StatefulGuard.Core.Cluster;

/// <summary>A PodDisruptionBudget: disruption-budget and label-coherence read its selector (its matchLabels a <see cref="LabelDictionary"/>).</summary>
public sealed record CachedDisruptionBudget(string Namespace, string Name, V1LabelSelector? Selector) : CachedObject(Namespace, Name);
