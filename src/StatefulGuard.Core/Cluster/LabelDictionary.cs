using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace StatefulGuard.Core.Cluster;

/// <summary>
/// A read-only map of labels (or selector pairs) as the caches keep them: one array of pairs sorted by key, about 80
/// bytes for two pairs against some 220 for a <see cref="Dictionary{TKey, TValue}"/> with its buckets and entries.
/// Labels and selectors hold a handful of pairs, so a binary search over the array is as quick as hashing. It is an
/// <see cref="IDictionary{TKey, TValue}"/> so that it fits where the client's models hold labels (a
/// <c>V1LabelSelector</c>'s matchLabels) and what reads labels reads it unchanged; writing to it throws. Two are equal
/// when they hold the same pairs, so the records that keep them compare by value.
/// </summary>
public sealed class LabelDictionary : IDictionary<string, string>, IReadOnlyDictionary<string, string>, IEquatable<LabelDictionary>
{
    private readonly KeyValuePair<string, string>[] pairs;

    private LabelDictionary(KeyValuePair<string, string>[] pairs) => this.pairs = pairs;

    public static LabelDictionary Empty { get; } = new([]);

    /// <summary>A copy of <paramref name="labels"/>; null for null. Entries with a null key are dropped, a null value reads as "".</summary>
    [return: NotNullIfNotNull(nameof(labels))]
    public static LabelDictionary? From(IDictionary<string, string>? labels)
    {
        if (labels is null)
        {
            return null;
        }

        if (labels is LabelDictionary set)
        {
            return set;
        }

        if (labels.Count == 0)
        {
            return Empty;
        }

        var copy = new List<KeyValuePair<string, string>>(labels.Count);
        foreach (var (key, value) in labels)
        {
            if (key is not null)
            {
                copy.Add(KeyValuePair.Create(key, value ?? ""));
            }
        }

        copy.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        return new LabelDictionary([.. copy]);
    }

    public int Count => pairs.Length;

    public bool IsReadOnly => true;

    public string this[string key]
    {
        get => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"label {key} not present");
        set => throw ReadOnly();
    }

    public IEnumerable<string> Keys => pairs.Select(p => p.Key);

    public IEnumerable<string> Values => pairs.Select(p => p.Value);

    ICollection<string> IDictionary<string, string>.Keys => [.. Keys];

    ICollection<string> IDictionary<string, string>.Values => [.. Values];

    public bool ContainsKey(string key) => IndexOf(key) >= 0;

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out string value)
    {
        var index = IndexOf(key);
        if (index < 0)
        {
            value = null;
            return false;
        }

        value = pairs[index].Value;
        return true;
    }

    public bool Contains(KeyValuePair<string, string> item) =>
        TryGetValue(item.Key, out var value) && string.Equals(value, item.Value, StringComparison.Ordinal);

    public void CopyTo(KeyValuePair<string, string>[] array, int arrayIndex) => pairs.CopyTo(array, arrayIndex);

    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, string>>)pairs).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public void Add(string key, string value) => throw ReadOnly();

    public void Add(KeyValuePair<string, string> item) => throw ReadOnly();

    public bool Remove(string key) => throw ReadOnly();

    public bool Remove(KeyValuePair<string, string> item) => throw ReadOnly();

    public void Clear() => throw ReadOnly();

    public override string ToString() => Selectors.Format(pairs);

    public bool Equals(LabelDictionary? other) =>
        other is not null && (ReferenceEquals(this, other) || pairs.AsSpan().SequenceEqual(other.pairs));

    public override bool Equals(object? obj) => Equals(obj as LabelDictionary);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var (key, value) in pairs)
        {
            hash.Add(key, StringComparer.Ordinal);
            hash.Add(value, StringComparer.Ordinal);
        }

        return hash.ToHashCode();
    }

    private int IndexOf(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        int low = 0, high = pairs.Length - 1;
        while (low <= high)
        {
            var middle = (low + high) >>> 1;
            var order = string.CompareOrdinal(pairs[middle].Key, key);
            if (order == 0)
            {
                return middle;
            }

            if (order < 0)
            {
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }

        return -1;
    }

    private static NotSupportedException ReadOnly() => new("a cached object's labels are read-only");
}
