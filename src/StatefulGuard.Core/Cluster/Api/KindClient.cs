using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using k8s;
using k8s.Models;
using StatefulGuard.Core.Engine;

namespace StatefulGuard.Core.Cluster.Api;

/// <summary>
/// Lists and watches any declared <see cref="ClusterKind"/> through <see cref="KubeApi"/>. Each object is read on its
/// own: one the apiserver sent malformed (not an object, a field of the wrong type, no name) is skipped and reported to
/// the caller's <c>malformed</c> callback, and the rest of the list or stream is kept.
/// </summary>
public static class KindClient
{
    public const int PageSize = 500;

    /// <summary>One page of the kind, in every namespace (<paramref name="namespace"/> null) or in one.</summary>
    public static async Task<ListPage<T>> ListPageAsync<T>(KubeApi api, ClusterKind kind, string? @namespace, string? continueToken,
        Action<MalformedObject>? malformed, CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var path = ApiPaths.WithQuery(ApiPaths.Collection(kind, @namespace),
            ("limit", PageSize.ToString(CultureInfo.InvariantCulture)), ("continue", continueToken));
        using var document = await api.GetAsync(path, cancellationToken);
        return ReadPage<T>(document.RootElement, kind.Kind, malformed);
    }

    /// <summary>Every object of the kind, page by page.</summary>
    public static async Task<List<T>> ListAllAsync<T>(KubeApi api, ClusterKind kind, string? @namespace, Action<MalformedObject>? malformed,
        CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var all = new List<T>();
        string? continueToken = null;
        do
        {
            var page = await ListPageAsync<T>(api, kind, @namespace, continueToken, malformed, cancellationToken);
            all.AddRange(page.Items);
            continueToken = page.Continue;
        }
        while (!string.IsNullOrEmpty(continueToken));

        return all;
    }

    /// <summary>A watch of the kind in every namespace from <paramref name="resourceVersion"/>, with bookmarks.</summary>
    /// <exception cref="ApiException">The stream's ERROR event (410 Gone when the version is too old).</exception>
    public static async IAsyncEnumerable<WatchEvent<T>> WatchAsync<T>(KubeApi api, ClusterKind kind, string resourceVersion, int timeoutSeconds,
        Action<MalformedObject>? malformed, [EnumeratorCancellation] CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var path = ApiPaths.WithQuery(ApiPaths.Collection(kind, null), ("watch", "true"), ("allowWatchBookmarks", "true"),
            ("resourceVersion", resourceVersion), ("timeoutSeconds", timeoutSeconds.ToString(CultureInfo.InvariantCulture)));
        await foreach (var line in api.WatchAsync(path, cancellationToken))
        {
            using (line)
            {
                if (line is null)
                {
                    malformed?.Invoke(new MalformedObject(kind.Kind, "watch", "", "an event that is not JSON"));
                    continue;
                }

                if (ReadEvent<T>(line.RootElement, kind.Kind, malformed) is { } next)
                {
                    yield return next;
                }
            }
        }
    }

    /// <summary>A list page: its readable items, resourceVersion and continue token.</summary>
    /// <exception cref="MalformedResponseException">Not a list at all (no object, items not an array, no resourceVersion).</exception>
    public static ListPage<T> ReadPage<T>(JsonElement list, string kind, Action<MalformedObject>? malformed)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        if (list.ValueKind != JsonValueKind.Object)
        {
            throw new MalformedResponseException($"the {kind} list is a JSON {list.ValueKind}, not an object");
        }

        var items = new List<T>();
        if (list.TryGetProperty("items", out var array) && array.ValueKind != JsonValueKind.Null)
        {
            if (array.ValueKind != JsonValueKind.Array)
            {
                throw new MalformedResponseException($"the {kind} list's items are a JSON {array.ValueKind}, not an array");
            }

            foreach (var item in array.EnumerateArray())
            {
                if (TryRead<T>(item, kind, "list", malformed) is { } read)
                {
                    items.Add(read);
                }
            }
        }

        var metadata = list.TryGetProperty("metadata", out var m) && m.ValueKind == JsonValueKind.Object ? m : default;
        var version = String(metadata, "resourceVersion")
                      ?? throw new MalformedResponseException($"the {kind} list has no metadata.resourceVersion");
        return new ListPage<T>(items, version, String(metadata, "continue"));
    }

    /// <summary>One event of a watch stream; null for a line that is no event (counted as malformed).</summary>
    /// <exception cref="ApiException">An ERROR event: its Status.</exception>
    public static WatchEvent<T>? ReadEvent<T>(JsonElement line, string kind, Action<MalformedObject>? malformed)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var type = line.ValueKind == JsonValueKind.Object ? String(line, "type") : null;
        var obj = line.ValueKind == JsonValueKind.Object && line.TryGetProperty("object", out var o) ? o : default;
        switch (type)
        {
            case "ERROR":
                throw new ApiException(
                    obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty("code", out var code) && code.TryGetInt32(out var c) ? c : 500,
                    String(obj, "reason"), String(obj, "message") ?? "the watch stream reported an error");
            case "BOOKMARK":
                return new WatchEvent<T>(WatchEventType.Bookmark, null, ResourceVersionOf(obj));
            case "ADDED" or "MODIFIED" or "DELETED":
                var eventType = type switch { "ADDED" => WatchEventType.Added, "MODIFIED" => WatchEventType.Modified, _ => WatchEventType.Deleted };
                // An object that cannot be read is skipped, but the stream has moved past it: its version still counts.
                return TryRead<T>(obj, kind, "watch", malformed) is { } read
                    ? new WatchEvent<T>(eventType, read, read.Metadata?.ResourceVersion)
                    : new WatchEvent<T>(WatchEventType.Bookmark, null, ResourceVersionOf(obj));
            default:
                malformed?.Invoke(new MalformedObject(kind, "watch", "", type is null ? "an event without a type" : $"an event of unknown type \"{type}\""));
                return null;
        }
    }

    /// <summary>One object as the kind's model; null (and reported) when it cannot be read or has no name.</summary>
    public static T? TryRead<T>(JsonElement element, string kind, string source, Action<MalformedObject>? malformed)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var where = NameOf(element);
        if (element.ValueKind != JsonValueKind.Object)
        {
            malformed?.Invoke(new MalformedObject(kind, source, where, $"a JSON {element.ValueKind}, not an object"));
            return null;
        }

        try
        {
            var read = element.Deserialize(KubeJson.TypeInfo<T>());
            if (read?.Metadata?.Name is { Length: > 0 })
            {
                return read;
            }

            malformed?.Invoke(new MalformedObject(kind, source, where, "no metadata.name"));
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException or OverflowException or NotSupportedException or ArgumentException)
        {
            malformed?.Invoke(new MalformedObject(kind, source, where, ex.Message));
        }

        return null;
    }

    /// <summary>"namespace/name" as far as it can be read; "" when it cannot.</summary>
    public static string NameOf(JsonElement element)
    {
        var metadata = element.ValueKind == JsonValueKind.Object && element.TryGetProperty("metadata", out var m) && m.ValueKind == JsonValueKind.Object ? m : default;
        var name = String(metadata, "name");
        var ns = String(metadata, "namespace");
        return name is null ? "" : ns is null ? name : ns + "/" + name;
    }

    private static string? ResourceVersionOf(JsonElement obj) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty("metadata", out var m) ? String(m, "resourceVersion") : null;

    private static string? String(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
