namespace StatefulGuard.Core.Cluster.Api;

/// <summary>One event of a watch: what happened, to which object (none for a bookmark), at which resourceVersion.</summary>
public readonly record struct WatchEvent<T>(WatchEventType Type, T? Object, string? ResourceVersion)
    where T : class;
