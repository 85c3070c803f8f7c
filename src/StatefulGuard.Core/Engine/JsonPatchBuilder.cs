using System.Buffers;
using System.Text;
using System.Text.Json.Nodes;

namespace StatefulGuard.Core.Engine;

/// <summary>
/// RFC 6902 JSON Patch documents: writes them (the webhook's answer) and applies them (offline <c>mutate</c>, which
/// patches the manifest as written so that fields the API model does not know survive). The operations themselves
/// come from <see cref="AddedMembers"/> and the annotation bookkeeping: rules never write paths.
/// </summary>
public static class JsonPatchBuilder
{
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
        PooledJson.Write(default, operations, static (writer, operations) =>
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
    /// Applies a patch to a document in place (used to write mutated manifests without losing fields the API model
    /// does not know).
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
}
