using k8s.Models;

namespace StatefulGuard.Core.Cluster;

/// <summary>
/// A StatefulSet: service-protection reads its serviceName, pod labels and whether it is being deleted; label-coherence
/// its pod labels. The policy reports judge whole objects, which they take from watch events and lists.
/// </summary>
public sealed record CachedStatefulSet(string Namespace, string Name, string? ServiceName, V1LabelSelector? Selector, LabelDictionary PodLabels, bool Deleting)
    : CachedObject(Namespace, Name);
