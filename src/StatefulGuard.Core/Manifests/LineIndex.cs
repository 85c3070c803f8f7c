using System.Globalization;

namespace StatefulGuard.Core.Manifests;

/// <summary>
/// The line of each field of a document, by field path (<c>spec.template.spec.containers[0].image</c>), kept as a 64-bit
/// hash of the path instead of the path itself: a 20,000-item <c>kind: List</c> has about a million fields, and their
/// path strings would cost more memory than the objects. The hash (FNV-1a over the path's characters) is built up while
/// reading, segment by segment, without making the path; a lookup hashes the path it is given.
/// </summary>
public sealed class LineIndex
{
    /// <summary>The hash of the empty path (the document itself).</summary>
    public const ulong Root = 14695981039346656037UL;

    private const ulong Prime = 1099511628211UL;

    private readonly Dictionary<ulong, int> lines = [];

    public static readonly LineIndex Empty = new();

    public int Count => lines.Count;

    public static ulong Extend(ulong hash, ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            hash = (hash ^ c) * Prime;
        }

        return hash;
    }

    /// <summary>The path of a mapping's entry: <c>key</c> at the top, <c>parent.key</c> below it.</summary>
    public static ulong Key(ulong parent, string key) => Extend(parent == Root ? parent : Extend(parent, "."), key);

    /// <summary>The path of a sequence's item: <c>parent[i]</c>.</summary>
    public static ulong Item(ulong parent, int index)
    {
        Span<char> digits = stackalloc char[12];
        index.TryFormat(digits, out var written, provider: CultureInfo.InvariantCulture);
        return Extend(Extend(Extend(parent, "["), digits[..written]), "]");
    }

    public static ulong Hash(string path) => Extend(Root, path);

    /// <summary>Records the line of a path (the first one recorded for it stays).</summary>
    public void Add(ulong path, int line) => lines.TryAdd(path, line);

    public bool TryGetValue(string path, out int line) => lines.TryGetValue(Hash(path), out line);
}
