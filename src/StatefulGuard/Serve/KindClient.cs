using System.Runtime.CompilerServices;
using System.Text.Json;
using k8s;
using k8s.Models;
using StatefulGuard.Core.Cluster;
using StatefulGuard.Core.Engine;

namespace StatefulGuard.Serve;

/// <summary>
/// Lists and watches any declared <see cref="ClusterKind"/> by its group, version and plural (the client's generic
/// path, which serves the core group as <c>/api/v1</c>). Objects are read with StatefulGuard's own serializer
/// options (<see cref="KubeJson"/>), so the client's process-wide options are never changed.
/// </summary>
internal static class KindClient
{
    public const int PageSize = 500;

    /// <summary>One page of the kind, in every namespace (<paramref name="namespace"/> null) or in one.</summary>
    public static async Task<TList> ListPageAsync<T, TList, TCached>(IKubernetes client, ClusterKind<T, TList, TCached> kind, string? @namespace, string? continueToken,
        CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta>
        where TList : class, IKubernetesObject<V1ListMeta>, IItems<T>
        where TCached : class
    {
        var page = @namespace is null || !kind.Namespaced
            ? await client.CustomObjects.ListClusterCustomObjectAsync<JsonElement>(
                kind.Group, kind.Version, kind.Plural, continueParameter: continueToken, limit: PageSize, cancellationToken: cancellationToken)
            : await client.CustomObjects.ListNamespacedCustomObjectAsync<JsonElement>(
                kind.Group, kind.Version, @namespace, kind.Plural, continueParameter: continueToken, limit: PageSize, cancellationToken: cancellationToken);
        return page.Deserialize<TList>(KubeJson.SerializerOptions) ?? throw new JsonException($"{kind.Kind} list: null");
    }

    /// <summary>Every object of the kind, page by page.</summary>
    public static async Task<List<T>> ListAllAsync<T, TList, TCached>(IKubernetes client, ClusterKind<T, TList, TCached> kind, string? @namespace, CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta>
        where TList : class, IKubernetesObject<V1ListMeta>, IItems<T>
        where TCached : class
    {
        var all = new List<T>();
        string? continueToken = null;
        do
        {
            var page = await ListPageAsync(client, kind, @namespace, continueToken, cancellationToken);
            all.AddRange(page.Items);
            continueToken = page.Metadata?.ContinueProperty;
        }
        while (!string.IsNullOrEmpty(continueToken));

        return all;
    }

    /// <summary>A watch of the kind in every namespace from <paramref name="resourceVersion"/>, with bookmarks.</summary>
    public static async IAsyncEnumerable<(WatchEventType, T)> WatchAsync<T>(IKubernetes client, ClusterKind kind, string resourceVersion, int timeoutSeconds,
        Action<Exception> onError, [EnumeratorCancellation] CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var events = client.CustomObjects.WatchListClusterCustomObjectAsync(
            kind.Group, kind.Version, kind.Plural, allowWatchBookmarks: true, resourceVersion: resourceVersion, timeoutSeconds: timeoutSeconds,
            onError: onError, cancellationToken: cancellationToken);
        await foreach (var (type, item) in events)
        {
            var element = item is JsonElement json ? json : JsonSerializer.SerializeToElement(item, KubeJson.SerializerOptions);
            yield return (type, element.Deserialize<T>(KubeJson.SerializerOptions)!);
        }
    }

    /// <summary>The kind's list and watch calls for a <see cref="WatchCache{T, TList, TCached}"/>.</summary>
    public static WatchSource<T, TList, TCached> Source<T, TList, TCached>(IKubernetes client, ClusterKind<T, TList, TCached> kind)
        where T : class, IKubernetesObject<V1ObjectMeta>
        where TList : class, IKubernetesObject<V1ListMeta>, IItems<T>
        where TCached : class =>
        new(kind.Kind,
            (continueToken, ct) => ListPageAsync(client, kind, null, continueToken, ct),
            (rv, timeout, onError, ct) => WatchAsync<T>(client, kind, rv, timeout, onError, ct),
            kind.Project,
            kind.Optional);
}
