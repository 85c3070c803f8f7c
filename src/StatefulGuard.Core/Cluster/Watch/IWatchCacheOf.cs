namespace StatefulGuard.Core.Cluster.Watch;

/// <summary>The lookups of a cache that keeps <typeparamref name="TCached"/> of each object.</summary>
public interface IWatchCache<TCached> : IWatchCache
    where TCached : class
{
    Lookup<TCached> Get(string @namespace, string name);

    Lookup<IReadOnlyList<TCached>> List(string @namespace);

    /// <summary>What is kept of every object in every namespace (a copy).</summary>
    IReadOnlyList<TCached> All();
}
