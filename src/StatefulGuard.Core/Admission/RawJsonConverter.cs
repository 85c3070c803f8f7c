using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace StatefulGuard.Core.Admission;

/// <summary>Writes the bytes as they are; reads a value into a copy of its bytes.</summary>
public sealed class RawJsonConverter : JsonConverter<RawJson>
{
    public override RawJson Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        var root = document.RootElement;
        return new RawJson(JsonMarshal.GetRawUtf8Value(root).ToArray(), root.ValueKind);
    }

    public override void Write(Utf8JsonWriter writer, RawJson value, JsonSerializerOptions options) =>
        writer.WriteRawValue(value.Utf8.Span, skipInputValidation: true);
}
