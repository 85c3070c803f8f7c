using System.Text.Json;
using System.Text.Json.Serialization;
using k8s;
using k8s.Models;
using StatefulGuard.Core.Engine;

namespace StatefulGuard.Core.Admission;

/// <summary>
/// Reads the objects inside an AdmissionReview into KubernetesClient's models, skipping
/// <c>metadata.managedFields</c>: no rule reads it, patches never touch it, and in real requests it is often
/// half the object.
/// </summary>
public static class AdmissionObjects
{
    private static readonly JsonSerializerOptions Options = CreateOptions();

    /// <exception cref="JsonException">Not JSON for <typeparamref name="T"/>, or a key given twice in an object.</exception>
    public static T Deserialize<T>(RawJson json) => JsonSerializer.Deserialize<T>(json.Utf8.Span, Options)!;

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(KubeJson.SerializerOptions) { AllowDuplicateProperties = false };
        options.Converters.Add(new SkipManagedFields());
        return options;
    }

    private sealed class SkipManagedFields : JsonConverter<IList<V1ManagedFieldsEntry>>
    {
        public override IList<V1ManagedFieldsEntry>? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            reader.Skip();
            return null;
        }

        public override void Write(Utf8JsonWriter writer, IList<V1ManagedFieldsEntry> value, JsonSerializerOptions options) =>
            JsonSerializer.Serialize(writer, value, KubeJson.SerializerOptions);
    }
}
