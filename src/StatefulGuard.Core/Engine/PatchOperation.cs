using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;

namespace StatefulGuard.Core.Engine;

/// <summary>One RFC 6902 operation.</summary>
public sealed record PatchOperation(string Op, string Path, JsonNode? Value)
{
    public const string Add = "add";
    public const string Remove = "remove";
    public const string Replace = "replace";

    public JsonNode? Value
    {
        get => field ?? (TypedValue is null ? null : JsonSerializer.SerializeToNode(TypedValue, TypedValueInfo!));
        init;
    } = Value;

    /// <summary>The value as an object of the model, serialized only when the patch is written.</summary>
    private object? TypedValue { get; init; }

    private JsonTypeInfo? TypedValueInfo { get; init; }

    /// <summary>An operation whose value is an object (written with <paramref name="typeInfo"/> when the patch is written).</summary>
    public static PatchOperation FromValue(string op, string path, object value, JsonTypeInfo typeInfo) =>
        new(op, path, null) { TypedValue = value, TypedValueInfo = typeInfo };

    public void WriteValue(Utf8JsonWriter writer)
    {
        if (TypedValue is not null)
        {
            JsonSerializer.Serialize(writer, TypedValue, TypedValueInfo!);
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
