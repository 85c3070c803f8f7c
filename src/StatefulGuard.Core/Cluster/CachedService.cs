namespace StatefulGuard.Core.Cluster;

/// <summary>A Service: headless-service reads its type, clusterIP and selector.</summary>
public sealed record CachedService(string Namespace, string Name, string? Type, string? ClusterIP, LabelDictionary? Selector) : CachedObject(Namespace, Name);
