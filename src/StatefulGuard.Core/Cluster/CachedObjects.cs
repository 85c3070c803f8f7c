using k8s.Models;

namespace StatefulGuard.Core.Cluster;

/// <summary>
/// What the webhook keeps of a cluster object for as long as it exists: the fields the rules and the policy reports
/// read of it, declared with its kind in <see cref="ClusterKinds"/>. A few hundred bytes each, where the client's model
/// of the same object (a <c>V1Service</c> with its metadata and spec classes and a dictionary per label map) takes a
/// kilobyte or more even with every unread field empty. The offline view keeps the same records, so a rule reads
/// the same thing in the webhook and in <c>audit</c>.
/// </summary>
/// <param name="Namespace">"" for cluster-scoped kinds.</param>
public abstract record CachedObject(string Namespace, string Name);

/// <summary>A Service: headless-service reads its type, clusterIP and selector.</summary>
public sealed record CachedService(string Namespace, string Name, string? Type, string? ClusterIP, LabelDictionary? Selector) : CachedObject(Namespace, Name);

/// <summary>A namespace: the engine reads its <c>statefulguard.io/mode</c> label; service-protection whether it is being deleted.</summary>
public sealed record CachedNamespace(string Name, LabelDictionary Labels, bool Terminating) : CachedObject("", Name);

/// <summary>A StorageClass: storage-binding reads its binding mode, and whether it is the default (the newest default wins).</summary>
public sealed record CachedStorageClass(string Name, string? Provisioner, string? VolumeBindingMode, bool IsDefault, DateTime? Created)
    : CachedObject("", Name);

/// <summary>A PodDisruptionBudget: disruption-budget and label-coherence read its selector (its matchLabels a <see cref="LabelDictionary"/>).</summary>
public sealed record CachedDisruptionBudget(string Namespace, string Name, V1LabelSelector? Selector) : CachedObject(Namespace, Name);

/// <summary>
/// A StatefulSet: service-protection reads its serviceName, pod labels and whether it is being deleted; label-coherence
/// its pod labels. The policy reports judge whole objects, which they take from watch events and lists.
/// </summary>
public sealed record CachedStatefulSet(string Namespace, string Name, string? ServiceName, V1LabelSelector? Selector, LabelDictionary PodLabels, bool Deleting)
    : CachedObject(Namespace, Name);
