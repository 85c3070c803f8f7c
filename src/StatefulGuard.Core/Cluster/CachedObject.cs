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
