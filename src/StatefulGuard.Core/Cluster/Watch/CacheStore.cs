using System.Collections.Concurrent;

namespace StatefulGuard.Core.Cluster.Watch;

/// <summary>
/// What a watch cache holds, by namespace, so a namespace's objects are listed without scanning the cluster. One writer
/// (the cache's loop) and many readers (every admission): a namespace's bucket is never changed once published but
/// replaced, so readers take no lock and a list is the bucket's own array, not a copy per lookup. A change costs a
/// copy of its own namespace's bucket (namespaces hold tens to hundreds of objects of a kind).
/// </summary>
public sealed class CacheStore<TCached>
    where TCached : class
{
    private volatile ConcurrentDictionary<string, Bucket> buckets = new(StringComparer.Ordinal);

    // Enumerating a ConcurrentDictionary takes no lock (its Values property takes them all).
    public int Count => buckets.Sum(entry => entry.Value.Items.Length);

    public TCached? Get(string @namespace, string name) => buckets.GetValueOrDefault(@namespace)?.ByName.GetValueOrDefault(name);

    /// <summary>Every object in the namespace ("" for cluster-scoped kinds).</summary>
    public IReadOnlyList<TCached> List(string @namespace) => buckets.GetValueOrDefault(@namespace)?.Items ?? [];

    public IReadOnlyList<TCached> All() => [.. buckets.Values.SelectMany(b => b.Items)];

    /// <summary>Every key held.</summary>
    public IReadOnlyList<ObjectKey> Keys() => [.. buckets.SelectMany(entry => entry.Value.ByName.Keys.Select(name => new ObjectKey(entry.Key, name)))];

    /// <summary>Adds or replaces one object: its namespace's bucket is copied with the change and swapped in.</summary>
    public void Put(ObjectKey key, TCached value)
    {
        var byName = buckets.TryGetValue(key.Namespace, out var bucket)
            ? new Dictionary<string, TCached>(bucket.ByName, StringComparer.Ordinal)
            : new Dictionary<string, TCached>(StringComparer.Ordinal);
        byName[key.Name] = value;
        buckets[key.Namespace] = new Bucket(byName);
    }

    public void Remove(ObjectKey key)
    {
        if (buckets.TryGetValue(key.Namespace, out var bucket) && bucket.ByName.ContainsKey(key.Name))
        {
            var byName = new Dictionary<string, TCached>(bucket.ByName, StringComparer.Ordinal);
            byName.Remove(key.Name);
            buckets[key.Namespace] = new Bucket(byName);
        }
    }

    /// <summary>Swaps in a whole new content at once, so a lookup never sees a half-built list.</summary>
    public void Replace(Dictionary<string, Dictionary<string, TCached>> namespaces) =>
        buckets = new ConcurrentDictionary<string, Bucket>(
            namespaces.Select(entry => KeyValuePair.Create(entry.Key, new Bucket(entry.Value))), StringComparer.Ordinal);

    /// <summary>One namespace's objects as published to readers: by name, and as a list.</summary>
    private sealed class Bucket
    {
        public Bucket(Dictionary<string, TCached> byName)
        {
            ByName = byName;
            Items = [.. byName.Values];
        }

        public Dictionary<string, TCached> ByName { get; }

        public TCached[] Items { get; }
    }
}
