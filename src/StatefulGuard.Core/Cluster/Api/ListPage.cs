namespace StatefulGuard.Core.Cluster.Api;

/// <summary>One page of a list: the objects that could be read, the list's resourceVersion, and the token of the next page.</summary>
public sealed record ListPage<T>(IReadOnlyList<T> Items, string ResourceVersion, string? Continue)
    where T : class;
