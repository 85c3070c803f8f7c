using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace StatefulGuard.Core.Engine;

/// <summary>One RFC 6902 operation.</summary>
public sealed record PatchOperation(string Op, string Path, JsonNode? Value)
{
    public const string Add = "add";
    public const string Remove = "remove";
    public const string Replace = "replace";

    public JsonNode? Value
    {
        get => field ?? (RawValue is null ? null : JsonNode.Parse(RawValue));
        init;
    } = Value;

    /// <summary>The value as UTF-8 JSON, when the operation was built from a parsed document.</summary>
    private byte[]? RawValue { get; init; }

    /// <summary>An operation whose value is kept as the JSON it was read as, turned into a node only if asked for.</summary>
    public static PatchOperation FromJson(string op, string path, byte[] json) => new(op, path, null) { RawValue = json };

    public void WriteValue(Utf8JsonWriter writer)
    {
        if (RawValue is not null)
        {
            writer.WriteRawValue(RawValue, skipInputValidation: true);
        }
        else if (Value is { } value)
        {
            value.WriteTo(writer);
        }
        else
        {
            writer.WriteNullValue();
        }
    }
}

/// <summary>
/// Computes a minimal RFC 6902 JSON Patch that turns one document into another: members that appear are
/// added (a whole new subtree in one <c>add</c>, so parents always come first), members that disappear are
/// removed, changed scalars are replaced, and objects and arrays are diffed member by member instead of
/// being replaced wholesale. Rules never write paths; they edit the object and this computes the patch.
/// </summary>
public static class JsonPatchBuilder
{
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? patchBuffer;

    [ThreadStatic]
    private static Utf8JsonWriter? patchWriter;

    public static IReadOnlyList<PatchOperation> Diff(JsonNode? before, JsonNode? after)
    {
        var operations = new List<PatchOperation>();
        using var beforeJson = JsonSerializer.SerializeToDocument(before);
        using var afterJson = JsonSerializer.SerializeToDocument(after);
        Diff(beforeJson.RootElement, afterJson.RootElement, "", operations);
        return operations;
    }

    /// <summary>
    /// The diff of a subtree whose place in the document is <paramref name="basePath"/> (an escaped JSON Pointer),
    /// over parsed documents: nothing is materialized except the values of the operations it emits (copied, so
    /// they outlive the documents), and paths are built only for those.
    /// </summary>
    public static void Diff(JsonElement before, JsonElement after, string basePath, List<PatchOperation> operations)
    {
        var path = new StringBuilder(basePath, 128);
        DiffInto(before, after, path, operations);
    }

    /// <summary>JSON Pointer escaping (RFC 6901): <c>~</c> becomes <c>~0</c>, <c>/</c> becomes <c>~1</c>.</summary>
    public static string Escape(string key) =>
        key.Contains('~', StringComparison.Ordinal) || key.Contains('/', StringComparison.Ordinal)
            ? key.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal)
            : key;

    public static byte[] ToJson(IReadOnlyList<PatchOperation> operations)
    {
        using var json = ToPooledJson(operations);
        return json.Span.ToArray();
    }

    /// <summary>The patch's JSON in an array from the shared pool (a patch is written on every mutating admission).</summary>
    public static PooledJson ToPooledJson(IReadOnlyList<PatchOperation> operations) =>
        PooledJson.Write(ref patchBuffer, ref patchWriter, default, operations, static (writer, operations) =>
        {
            writer.WriteStartArray();
            foreach (var operation in operations)
            {
                writer.WriteStartObject();
                writer.WriteString("op", operation.Op);
                writer.WriteString("path", operation.Path);
                if (operation.Op != PatchOperation.Remove)
                {
                    writer.WritePropertyName("value");
                    operation.WriteValue(writer);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        });

    public static string ToJsonString(IReadOnlyList<PatchOperation> operations) => Encoding.UTF8.GetString(ToJson(operations));

    /// <summary>
    /// Applies operations produced by <see cref="Diff"/> to a document in place (used to write mutated
    /// manifests without losing fields the API model does not know).
    /// </summary>
    public static void Apply(JsonNode document, IEnumerable<PatchOperation> operations)
    {
        foreach (var operation in operations)
        {
            var segments = operation.Path.Split('/').Skip(1)
                .Select(s => s.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)).ToArray();
            var parent = document;
            foreach (var segment in segments[..^1])
            {
                parent = parent switch
                {
                    JsonObject obj => obj[segment] ?? throw new InvalidOperationException($"no member {segment} on the way to {operation.Path}"),
                    JsonArray array => array[int.Parse(segment, System.Globalization.CultureInfo.InvariantCulture)] ?? throw new InvalidOperationException($"null at {segment}"),
                    _ => throw new InvalidOperationException($"cannot descend into {operation.Path}"),
                };
            }

            var last = segments[^1];
            switch (parent, operation.Op)
            {
                case (JsonObject obj, PatchOperation.Remove):
                    obj.Remove(last);
                    break;
                case (JsonObject obj, _):
                    obj[last] = operation.Value?.DeepClone();
                    break;
                case (JsonArray array, PatchOperation.Remove):
                    array.RemoveAt(int.Parse(last, System.Globalization.CultureInfo.InvariantCulture));
                    break;
                case (JsonArray array, PatchOperation.Add):
                    var index = last == "-" ? array.Count : int.Parse(last, System.Globalization.CultureInfo.InvariantCulture);
                    array.Insert(index, operation.Value?.DeepClone());
                    break;
                case (JsonArray array, _):
                    array[int.Parse(last, System.Globalization.CultureInfo.InvariantCulture)] = operation.Value?.DeepClone();
                    break;
            }
        }
    }

    /// <summary>Objects with more members than this are looked up through a dictionary, never by scanning.</summary>
    private const int LinearLookupLimit = 16;

    private static void DiffInto(JsonElement before, JsonElement after, StringBuilder path, List<PatchOperation> operations)
    {
        // Both sides come from the same serializer: identical bytes are the common case, and end the walk there.
        if (JsonMarshal.GetRawUtf8Value(before).SequenceEqual(JsonMarshal.GetRawUtf8Value(after)))
        {
            return;
        }

        var kind = before.ValueKind;
        if (kind == JsonValueKind.Object && after.ValueKind == JsonValueKind.Object)
        {
            // Names are compared as the UTF-8 the serializer wrote (no string per member); a name escaped
            // differently on the two sides would only turn a descent into a remove and an add, still correct.
            var beforeMembers = Members(before);
            var afterMembers = Members(after);
            foreach (var member in before.EnumerateObject())
            {
                if (!afterMembers.TryFind(member, out _))
                {
                    operations.Add(new PatchOperation(PatchOperation.Remove, Child(path, member.Name), null));
                }
            }

            foreach (var member in after.EnumerateObject())
            {
                if (beforeMembers.TryFind(member, out var old))
                {
                    var length = path.Length;
                    AppendSegment(path, member);
                    DiffInto(old, member.Value, path, operations);
                    path.Length = length;
                }
                else
                {
                    operations.Add(PatchOperation.FromJson(PatchOperation.Add, Child(path, member.Name), Copy(member.Value)));
                }
            }

            return;
        }

        if (kind == JsonValueKind.Array && after.ValueKind == JsonValueKind.Array)
        {
            var a = before.GetArrayLength();
            var b = after.GetArrayLength();
            var common = Math.Min(a, b);
            for (var i = 0; i < common; i++)
            {
                var length = path.Length;
                path.Append('/').Append(i);
                DiffInto(before[i], after[i], path, operations);
                path.Length = length;
            }

            // Remove from the end so every index is still valid when its operation applies.
            for (var i = a - 1; i >= common; i--)
            {
                operations.Add(new PatchOperation(PatchOperation.Remove, Child(path, i), null));
            }

            for (var i = common; i < b; i++)
            {
                operations.Add(PatchOperation.FromJson(PatchOperation.Add, Child(path, i), Copy(after[i])));
            }

            return;
        }

        if (!JsonElement.DeepEquals(before, after))
        {
            operations.Add(PatchOperation.FromJson(PatchOperation.Replace, path.ToString(), Copy(after)));
        }
    }

    /// <summary>The path of a member, as one string (the builder is left as it was).</summary>
    private static string Child(StringBuilder path, string name)
    {
        var length = path.Length;
        var child = path.Append('/').Append(Escape(name)).ToString();
        path.Length = length;
        return child;
    }

    /// <summary>The path of an array item, as one string (the builder is left as it was).</summary>
    private static string Child(StringBuilder path, int index)
    {
        var length = path.Length;
        var child = path.Append('/').Append(index).ToString();
        path.Length = length;
        return child;
    }

    /// <summary>The element's JSON, copied out of a document that is about to be disposed.</summary>
    private static byte[] Copy(JsonElement element) => JsonMarshal.GetRawUtf8Value(element).ToArray();

    /// <summary>Appends "/name", escaped, straight from the member's UTF-8 when it needs no unescaping.</summary>
    private static void AppendSegment(StringBuilder path, JsonProperty member)
    {
        var raw = JsonMarshal.GetRawUtf8PropertyName(member);
        if (raw.Length > 256 || raw.IndexOfAny((byte)'\\', (byte)'~', (byte)'/') >= 0)
        {
            path.Append('/').Append(Escape(member.Name));
            return;
        }

        Span<char> chars = stackalloc char[raw.Length];
        path.Append('/').Append(chars[..Encoding.UTF8.GetChars(raw, chars)]);
    }

    private static MemberLookup Members(JsonElement element)
    {
        var count = 0;
        foreach (var _ in element.EnumerateObject())
        {
            if (++count > LinearLookupLimit)
            {
                var members = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
                foreach (var member in element.EnumerateObject())
                {
                    members[member.Name] = member.Value;
                }

                return new MemberLookup(element, members);
            }
        }

        return new MemberLookup(element, null);
    }

    private readonly struct MemberLookup(JsonElement element, Dictionary<string, JsonElement>? members)
    {
        public bool TryFind(JsonProperty name, out JsonElement value)
        {
            if (members is not null)
            {
                return members.TryGetValue(name.Name, out value);
            }

            var raw = JsonMarshal.GetRawUtf8PropertyName(name);
            foreach (var member in element.EnumerateObject())
            {
                if (JsonMarshal.GetRawUtf8PropertyName(member).SequenceEqual(raw))
                {
                    value = member.Value;
                    return true;
                }
            }

            value = default;
            return false;
        }
    }
}
