using k8s;
using k8s.Models;

namespace StatefulGuard.Core.Cluster.Watch;

/// <summary>
/// What changed in a cache: after a watch event, the one object it named and the whole object as the event brought
/// it; after a (re-)list, every object listed and no whole ones (the cache keeps only its kind's projection).
/// </summary>
public sealed record CacheChange(IReadOnlyList<ObjectKey> Keys, IKubernetesObject<V1ObjectMeta>? Whole);
