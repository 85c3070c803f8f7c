using System.Collections;
using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace StatefulGuard.Core.Engine;

/// <summary>
/// The patch that turns the JSON an object was read from into the object as the mutating rules left it, for edits that
/// only add: every member the typed object now has and the JSON lacks (or holds as null) is added whole; objects on
/// both sides are descended into, and lists item by item while they keep their length (a list that changed length is
/// added whole, which replaces it). Values present on both sides are never compared: rules fill what is absent and
/// never change or remove what the user wrote (the defaults' safety rule), so they cannot differ.
/// </summary>
/// <remarks>
/// One forward pass of a reader over the JSON, beside the object walked through the serializer's own metadata for its
/// types (so the JSON names are the ones the values are written under); nothing is built from the JSON, and nothing
/// is serialized but the added values, when the patch is written. Members the model does not know (a newer API's
/// fields) are skipped, so they are never touched.
/// </remarks>
public static class AddedMembers
{
    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 1024 };

    private static readonly ConcurrentDictionary<Type, Shape> Shapes = new();

    /// <summary>Appends to <paramref name="operations"/> what <paramref name="after"/> adds to <paramref name="before"/>.</summary>
    /// <param name="before">The JSON <paramref name="after"/> was read from.</param>
    /// <param name="basePath">Where that JSON is in the patched document, as an escaped JSON Pointer.</param>
    /// <exception cref="JsonException"><paramref name="before"/> is not JSON.</exception>
    public static void Collect(object after, ReadOnlySpan<byte> before, string basePath, List<PatchOperation> operations)
    {
        var reader = new Utf8JsonReader(before, ReaderOptions);
        reader.Read();
        var path = new StringBuilder(128).Append(basePath);
        Walk(ref reader, after, ShapeOf(after.GetType()), path, operations);
    }

    /// <summary>Walks the value the reader is on (its first token) beside <paramref name="after"/>, and leaves the reader on its last token.</summary>
    private static void Walk(ref Utf8JsonReader reader, object after, Shape shape, StringBuilder path, List<PatchOperation> operations)
    {
        switch (shape.Kind)
        {
            case JsonTypeInfoKind.Object when reader.TokenType == JsonTokenType.StartObject:
                WalkObject(ref reader, after, shape, path, operations);
                break;
            case JsonTypeInfoKind.Enumerable when reader.TokenType == JsonTokenType.StartArray && after is IList list:
                WalkList(ref reader, list, shape, path, operations);
                break;
            case JsonTypeInfoKind.Dictionary when reader.TokenType == JsonTokenType.StartObject && after is IDictionary dictionary:
                WalkDictionary(ref reader, dictionary, shape, path, operations);
                break;
            case JsonTypeInfoKind.None:
                reader.Skip();
                break;
            default:
                // The JSON has another shape than the model reads (it could not have been read from it): the value
                // replaces it whole.
                reader.Skip();
                operations.Add(PatchOperation.FromValue(PatchOperation.Add, path.ToString(), after, shape.TypeInfo));
                break;
        }
    }

    private static void WalkObject(ref Utf8JsonReader reader, object after, Shape shape, StringBuilder path, List<PatchOperation> operations)
    {
        var members = shape.Members;
        Span<bool> present = members.Length <= 256 ? stackalloc bool[members.Length] : new bool[members.Length];
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var index = shape.IndexOf(ref reader);
            reader.Read();
            if (index < 0 || reader.TokenType == JsonTokenType.Null || present[index])
            {
                reader.Skip();
                continue;
            }

            present[index] = true;
            var member = members[index];
            if (member.Shape.IsScalar || member.Get(after) is not { } value)
            {
                // Present on both sides and never changed by a rule: a scalar is not even read (no boxing of numbers).
                reader.Skip();
                continue;
            }

            var length = path.Length;
            path.Append('/').Append(member.Segment);
            Walk(ref reader, value, member.Shape, path, operations);
            path.Length = length;
        }

        for (var i = 0; i < members.Length; i++)
        {
            if (!present[i] && members[i].Get(after) is { } added)
            {
                Add(path, members[i].Segment, added, members[i].Shape.TypeInfo, operations);
            }
        }
    }

    private static void WalkList(ref Utf8JsonReader reader, IList list, Shape shape, StringBuilder path, List<PatchOperation> operations)
    {
        var element = shape.Element!;
        var first = operations.Count;
        var index = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (index >= list.Count || element.IsScalar || list[index] is not { } item)
            {
                reader.Skip();
            }
            else
            {
                var length = path.Length;
                path.Append('/').Append(index);
                Walk(ref reader, item, element, path, operations);
                path.Length = length;
            }

            index++;
        }

        if (index != list.Count)
        {
            // A rule put in a list of another length (one the user sent empty): it replaces the list whole.
            operations.RemoveRange(first, operations.Count - first);
            operations.Add(PatchOperation.FromValue(PatchOperation.Add, path.ToString(), list, shape.TypeInfo));
        }
    }

    private static void WalkDictionary(ref Utf8JsonReader reader, IDictionary dictionary, Shape shape, StringBuilder path, List<PatchOperation> operations)
    {
        var element = shape.Element!;
        var start = reader;
        // Keys are only needed to descend into values that are objects; for a map of strings or quantities (labels,
        // annotations, resources) they are only read again below when a key was added.
        HashSet<string>? keys = element.IsScalar ? null : new HashSet<string>(StringComparer.Ordinal);
        var count = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var key = keys is null ? null : reader.GetString()!;
            reader.Read();
            if (reader.TokenType == JsonTokenType.Null)
            {
                continue;
            }

            count++;
            if (key is null || !keys!.Add(key) || dictionary[key] is not { } value)
            {
                reader.Skip();
                continue;
            }

            var length = path.Length;
            path.Append('/').Append(JsonPatchBuilder.Escape(key));
            Walk(ref reader, value, element, path, operations);
            path.Length = length;
        }

        // The map was read from this JSON, so it holds every key the JSON has: no more entries than that means
        // nothing was added (the usual case).
        if (dictionary.Count <= count)
        {
            return;
        }

        keys ??= KeysOf(start);
        foreach (DictionaryEntry entry in dictionary)
        {
            if (entry.Value is { } value && entry.Key is string key && !keys.Contains(key))
            {
                Add(path, JsonPatchBuilder.Escape(key), value, element.TypeInfo, operations);
            }
        }
    }

    /// <summary>An <c>add</c> of <paramref name="value"/> as the member <paramref name="segment"/> of <paramref name="path"/> (which is left as it was).</summary>
    private static void Add(StringBuilder path, string segment, object value, JsonTypeInfo typeInfo, List<PatchOperation> operations)
    {
        var length = path.Length;
        operations.Add(PatchOperation.FromValue(PatchOperation.Add, path.Append('/').Append(segment).ToString(), value, typeInfo));
        path.Length = length;
    }

    /// <summary>The keys of the object a copy of the reader is on, whose values are not null.</summary>
    private static HashSet<string> KeysOf(Utf8JsonReader reader)
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var key = reader.GetString()!;
            reader.Read();
            if (reader.TokenType != JsonTokenType.Null)
            {
                keys.Add(key);
            }

            reader.Skip();
        }

        return keys;
    }

    private static Shape ShapeOf(Type type) => Shapes.GetOrAdd(type, static t => new Shape(KubeJson.SerializerOptions.GetTypeInfo(t)));

    /// <summary>What the walk needs of a type, worked out once from its serialization metadata.</summary>
    private sealed class Shape(JsonTypeInfo typeInfo)
    {
        private Layout? layout;
        private Shape? element;

        public JsonTypeInfo TypeInfo { get; } = typeInfo;

        public JsonTypeInfoKind Kind => TypeInfo.Kind;

        /// <summary>Written by a converter (a string, a number, a quantity, a time): never descended into.</summary>
        public bool IsScalar => TypeInfo.Kind == JsonTypeInfoKind.None;

        /// <summary>A list's item or a dictionary's value.</summary>
        public Shape? Element => element ??= TypeInfo.ElementType is { } type ? ShapeOf(type) : null;

        /// <summary>The members the model reads and writes.</summary>
        public Member[] Members => Layout.Members;

        /// <summary>The number of the member whose name the reader is on, or -1 for a name the model does not know.</summary>
        public int IndexOf(ref Utf8JsonReader reader)
        {
            var length = reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length;
            if (length > 64)
            {
                return -1;
            }

            Span<char> name = stackalloc char[64];
            var written = reader.CopyString(name);
            return Layout.Names.TryGetValue(name[..written], out var index) ? index : -1;
        }

        /// <summary>Made on first use (types refer to each other).</summary>
        private Layout Layout => layout ??= new Layout(TypeInfo);
    }

    private sealed class Layout
    {
        public Layout(JsonTypeInfo typeInfo)
        {
            var properties = typeInfo.Properties.Where(p => p.Get is not null).ToArray();
            Members = [.. properties.Select(p => new Member(p.Get!, JsonPatchBuilder.Escape(p.Name), p.PropertyType))];
            Names = properties.Select((p, i) => KeyValuePair.Create(p.Name, i)).ToFrozenDictionary(StringComparer.Ordinal)
                .GetAlternateLookup<ReadOnlySpan<char>>();
        }

        public Member[] Members { get; }

        public FrozenDictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> Names { get; }
    }

    /// <summary>A member; its type's shape is only looked up when the walk meets a value there (most members are absent).</summary>
    private sealed class Member(Func<object, object?> get, string segment, Type type)
    {
        private Shape? shape;

        public Func<object, object?> Get { get; } = get;

        public string Segment { get; } = segment;

        public Shape Shape => shape ??= ShapeOf(type);
    }
}
