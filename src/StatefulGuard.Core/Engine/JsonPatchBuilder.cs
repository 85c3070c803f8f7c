using System.Buffers;
using System.Text;
using System.Text.Json;

namespace StatefulGuard.Core.Engine;

/// <summary>
/// RFC 6902 JSON Patch documents as the webhook answers with them (offline <c>mutate</c> applies the same operations to
/// the manifest as written, with Microsoft.AspNetCore.JsonPatch.SystemTextJson). The operations themselves
/// come from <see cref="AddedMembers"/> and the annotation bookkeeping: rules never write paths.
/// </summary>
public static class JsonPatchBuilder
{
    /// <summary>JSON Pointer escaping (RFC 6901): <c>~</c> becomes <c>~0</c>, <c>/</c> becomes <c>~1</c>.</summary>
    public static string Escape(string key) =>
        key.Contains('~', StringComparison.Ordinal) || key.Contains('/', StringComparison.Ordinal)
            ? key.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal)
            : key;

    public static byte[] ToJson(IReadOnlyList<PatchOperation> operations) => ToUtf8(operations).ToArray();

    /// <summary>The patch's JSON (RFC 6902), as the webhook's answer carries it.</summary>
    public static ReadOnlyMemory<byte> ToUtf8(IReadOnlyList<PatchOperation> operations)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer))
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
        }

        return buffer.WrittenMemory;
    }

    public static string ToJsonString(IReadOnlyList<PatchOperation> operations) => Encoding.UTF8.GetString(ToUtf8(operations).Span);
}
