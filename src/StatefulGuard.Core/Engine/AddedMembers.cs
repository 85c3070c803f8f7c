using System.Collections;
using System.Collections.Concurrent;
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
/// Nothing is serialized but the added values, when the patch is written, and the JSON is only looked up by name, so
/// members the model does not know (a newer API's fields) and formatting are never touched. The object is walked
/// through the serializer's own metadata for its types: the JSON names are the ones the values are written under.
/// </remarks>
public static class AddedMembers
{
    /// <summary>Maps with more keys than this have the JSON's keys looked up through a dictionary, never by scanning.</summary>
    private const int LinearLookupLimit = 16;

    private static readonly ConcurrentDictionary<Type, Shape> Shapes = new();

    /// <summary>Appends to <paramref name="operations"/> what <paramref name="after"/> adds to <paramref name="before"/>.</summary>
    /// <param name="basePath">Where <paramref name="before"/> is in the patched document, as an escaped JSON Pointer.</param>
    public static void Collect(object after, JsonElement before, string basePath, List<PatchOperation> operations)
    {
        var path = new StringBuilder(basePath, 128);
        Walk(after, ShapeOf(after.GetType()), before, path, operations);
    }

    private static void Walk(object after, Shape shape, JsonElement before, StringBuilder path, List<PatchOperation> operations)
    {
        switch (shape.Kind)
        {
            case JsonTypeInfoKind.Object when before.ValueKind == JsonValueKind.Object:
                foreach (var member in shape.Members)
                {
                    WalkMember(after, member, before, path, operations);
                }

                break;

            case JsonTypeInfoKind.Enumerable when before.ValueKind == JsonValueKind.Array && after is IList list:
                if (list.Count != before.GetArrayLength())
                {
                    operations.Add(PatchOperation.FromValue(PatchOperation.Add, path.ToString(), after, shape.TypeInfo));
                    break;
                }

                if (shape.Element is not { IsScalar: false } element)
                {
                    break;
                }

                var index = 0;
                foreach (var item in before.EnumerateArray())
                {
                    if (list[index] is { } value)
                    {
                        var length = path.Length;
                        path.Append('/').Append(index);
                        Walk(value, element, item, path, operations);
                        path.Length = length;
                    }

                    index++;
                }

                break;

            case JsonTypeInfoKind.Dictionary when before.ValueKind == JsonValueKind.Object && after is IDictionary dictionary:
                // A map can be as large as the request allows (labels by the thousand): past a few keys, the JSON's
                // are looked up in a dictionary instead of scanned for each key.
                var keys = dictionary.Count > LinearLookupLimit ? Keys(before) : null;
                foreach (DictionaryEntry entry in dictionary)
                {
                    if (entry.Value is not { } value || entry.Key is not string key)
                    {
                        continue;
                    }

                    var length = path.Length;
                    path.Append('/').Append(JsonPatchBuilder.Escape(key));
                    var found = keys is null ? before.TryGetProperty(key, out var old) : keys.TryGetValue(key, out old);
                    if (!found || old.ValueKind == JsonValueKind.Null)
                    {
                        operations.Add(PatchOperation.FromValue(PatchOperation.Add, path.ToString(), value, shape.Element!.TypeInfo));
                    }
                    else if (!shape.Element!.IsScalar)
                    {
                        Walk(value, shape.Element, old, path, operations);
                    }

                    path.Length = length;
                }

                break;

            case JsonTypeInfoKind.None:
                break;

            default:
                // The JSON has another shape than the model reads (it could not have been read from it): the value
                // replaces it whole.
                operations.Add(PatchOperation.FromValue(PatchOperation.Add, path.ToString(), after, shape.TypeInfo));
                break;
        }
    }

    private static void WalkMember(object owner, Member member, JsonElement before, StringBuilder path, List<PatchOperation> operations)
    {
        var present = before.TryGetProperty(member.Utf8Name, out var old) && old.ValueKind != JsonValueKind.Null;
        if (present && member.Shape.IsScalar)
        {
            // Present on both sides and never changed by a rule: the value is not even read (no boxing of numbers).
            return;
        }

        if (member.Get(owner) is not { } value)
        {
            return;
        }

        var length = path.Length;
        path.Append('/').Append(member.Segment);
        if (present)
        {
            Walk(value, member.Shape, old, path, operations);
        }
        else
        {
            operations.Add(PatchOperation.FromValue(PatchOperation.Add, path.ToString(), value, member.Shape.TypeInfo));
        }

        path.Length = length;
    }

    private static Dictionary<string, JsonElement> Keys(JsonElement json)
    {
        var keys = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var member in json.EnumerateObject())
        {
            keys[member.Name] = member.Value;
        }

        return keys;
    }

    private static Shape ShapeOf(Type type) => Shapes.GetOrAdd(type, static t => new Shape(KubeJson.SerializerOptions.GetTypeInfo(t)));

    /// <summary>What the walk needs of a type, worked out once from its serialization metadata.</summary>
    private sealed class Shape(JsonTypeInfo typeInfo)
    {
        private Member[]? members;
        private Shape? element;

        public JsonTypeInfo TypeInfo { get; } = typeInfo;

        public JsonTypeInfoKind Kind => TypeInfo.Kind;

        /// <summary>Written by a converter (a string, a number, a quantity, a time): never descended into.</summary>
        public bool IsScalar => TypeInfo.Kind == JsonTypeInfoKind.None;

        /// <summary>A list's item or a dictionary's value.</summary>
        public Shape? Element => element ??= TypeInfo.ElementType is { } type ? ShapeOf(type) : null;

        /// <summary>The members the model reads and writes, made on first use (types refer to each other).</summary>
        public Member[] Members => members ??= [.. TypeInfo.Properties
            .Where(p => p.Get is not null)
            .Select(p => new Member(p.Get!, Encoding.UTF8.GetBytes(p.Name), JsonPatchBuilder.Escape(p.Name), ShapeOf(p.PropertyType)))];
    }

    private sealed record Member(Func<object, object?> Get, byte[] Utf8Name, string Segment, Shape Shape);
}
