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
    private static readonly JsonSerializerOptions Options = CreateOptions(captureTemplate: false);

    private static readonly JsonSerializerOptions TemplateCapturingOptions = CreateOptions(captureTemplate: true);

    /// <summary>Where the last pod template read on this thread lies in the JSON being read (start and end offsets).</summary>
    [ThreadStatic]
    private static (int Start, int End)? templateRange;

    /// <exception cref="JsonException">Not JSON for <typeparamref name="T"/>, or a key given twice in an object.</exception>
    public static T Deserialize<T>(RawJson json) => JsonSerializer.Deserialize<T>(json.Utf8.Span, Options)!;

    /// <summary>
    /// A StatefulSet, and the part of <paramref name="json"/> its pod template was read from (empty when it has none),
    /// which a mutation's patch is worked out against.
    /// </summary>
    /// <exception cref="JsonException">Not JSON for a StatefulSet, or a key given twice in an object.</exception>
    public static V1StatefulSet ReadStatefulSet(RawJson json, out ReadOnlyMemory<byte> template)
    {
        templateRange = null;
        var statefulSet = JsonSerializer.Deserialize<V1StatefulSet>(json.Utf8.Span, TemplateCapturingOptions)!;
        template = templateRange is var (start, end) && statefulSet.Spec?.Template is not null ? json.Utf8[start..end] : default;
        templateRange = null;
        return statefulSet;
    }

    private static JsonSerializerOptions CreateOptions(bool captureTemplate)
    {
        var options = new JsonSerializerOptions(KubeJson.SerializerOptions) { AllowDuplicateProperties = false };
        options.Converters.Add(new SkipManagedFields());
        if (captureTemplate)
        {
            options.Converters.Add(new CaptureTemplate());
        }

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

    /// <summary>Reads a pod template as the other options do, noting where in the input it was.</summary>
    private sealed class CaptureTemplate : JsonConverter<V1PodTemplateSpec>
    {
        public override V1PodTemplateSpec? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var start = (int)reader.TokenStartIndex;
            var template = JsonSerializer.Deserialize<V1PodTemplateSpec>(ref reader, Options);
            templateRange = (start, (int)reader.BytesConsumed);
            return template;
        }

        public override void Write(Utf8JsonWriter writer, V1PodTemplateSpec value, JsonSerializerOptions options) =>
            JsonSerializer.Serialize(writer, value, KubeJson.SerializerOptions);
    }
}
