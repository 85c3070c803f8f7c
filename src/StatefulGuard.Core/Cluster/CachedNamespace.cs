namespace StatefulGuard.Core.Cluster;

/// <summary>A namespace: the engine reads its <c>statefulguard.io/mode</c> label; service-protection whether it is being deleted.</summary>
public sealed record CachedNamespace(string Name, LabelDictionary Labels, bool Terminating) : CachedObject("", Name);
