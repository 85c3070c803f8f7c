using k8s;
using k8s.Models;
using StatefulGuard.Core.Cluster.Api;

namespace StatefulGuard.Core.Cluster.Watch;

/// <summary>How a <see cref="WatchCache{T, TCached}"/> reaches the apiserver for one kind, and what it keeps of each object.</summary>
/// <param name="ListPage">One page of every object of the kind (continue token in; malformed objects reported).</param>
/// <param name="Watch">The kind's events from a resourceVersion, for at most the given seconds.</param>
/// <param name="Project">What the cache keeps of each object (<see cref="ClusterKind{T, TList, TCached}.Project"/>).</param>
/// <param name="Optional">
/// A kind the cluster may not serve (a custom resource whose CRD is not installed): a 404 on the list leaves the cache
/// synced and empty, says so once, and the list is tried again every <see cref="WatchCache{T, TCached}.OptionalRetry"/>.
/// </param>
public sealed record WatchSource<T, TCached>(
    string Kind,
    Func<string?, Action<MalformedObject>, CancellationToken, Task<ListPage<T>>> ListPage,
    Func<string, int, Action<MalformedObject>, CancellationToken, IAsyncEnumerable<WatchEvent<T>>> Watch,
    Func<T, TCached> Project,
    bool Optional = false)
    where T : class, IKubernetesObject<V1ObjectMeta>
    where TCached : class
{
    /// <summary>A declared kind's list and watch through the API.</summary>
    public static WatchSource<T, TCached> For<TList>(KubeApi api, ClusterKind<T, TList, TCached> kind)
        where TList : class, IKubernetesObject<V1ListMeta>, IItems<T> =>
        new(kind.Kind,
            (continueToken, malformed, ct) => KindClient.ListPageAsync<T>(api, kind, null, continueToken, malformed, ct),
            (version, timeout, malformed, ct) => KindClient.WatchAsync<T>(api, kind, version, timeout, malformed, ct),
            kind.Project,
            kind.Optional);
}
