using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
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

    /// <summary>As <see cref="TemplateCapturingOptions"/>, for <see cref="ObjectParts.Mutation"/>.</summary>
    private static readonly JsonSerializerOptions MutationOptions = CreateOptions(captureTemplate: true, mutationOnly: true);

    /// <summary>Where the last pod template read on this thread lies in the JSON being read (start and end offsets).</summary>
    [ThreadStatic]
    private static (int Start, int End)? templateRange;

    /// <exception cref="JsonException">Not JSON for <typeparamref name="T"/>, or a key given twice in an object.</exception>
    public static T Deserialize<T>(RawJson json) =>
        json.StatefulSet is var (statefulSet, _) && statefulSet is T read ? read : JsonSerializer.Deserialize<T>(json.Utf8.Span, Options)!;

    /// <summary>What the models' converters throw on a wrongly typed value: a JSON error, a bad quantity or time, or (from their int-or-string converter) NotSupportedException.</summary>
    public static bool IsBadObject(Exception ex) =>
        ex is JsonException or FormatException or NotSupportedException or InvalidOperationException or OverflowException or ArgumentException;

    /// <summary>
    /// A StatefulSet, and the part of <paramref name="json"/> its pod template was read from (empty when it has none),
    /// which a mutation's patch is worked out against.
    /// </summary>
    /// <exception cref="JsonException">Not JSON for a StatefulSet, or a key given twice in an object.</exception>
    public static V1StatefulSet ReadStatefulSet(RawJson json, out ReadOnlyMemory<byte> template)
    {
        if (json.StatefulSet is var (read, readTemplate))
        {
            template = readTemplate;
            return read;
        }

        templateRange = null;
        try
        {
            var statefulSet = JsonSerializer.Deserialize<V1StatefulSet>(json.Utf8.Span, TemplateCapturingOptions)!;
            template = TemplateOf(statefulSet, json.Utf8);
            return statefulSet;
        }
        catch (Exception ex) when (IsBadObject(ex))
        {
            // Reported as the serializer reports it when it reads the whole object itself: with the full path to the
            // bad value, which the template's own reader cannot give.
            _ = JsonSerializer.Deserialize<V1StatefulSet>(json.Utf8.Span, Options);
            throw;
        }
        finally
        {
            templateRange = null;
        }
    }

    /// <summary>
    /// Reads the StatefulSet the reader is on (its first token), a reader over all of <paramref name="input"/>, whose
    /// slice the template's JSON is, and leaves the reader on its last token.
    /// </summary>
    /// <remarks>
    /// Through the model's converter itself, on this reader: <c>JsonSerializer.Deserialize(ref reader)</c> would first
    /// scan to the end of the value to give the converter a reader of its own, reading every byte twice. Its errors
    /// carry no path: on one, read the value's bytes with <see cref="ReadStatefulSet(RawJson, out ReadOnlyMemory{byte})"/>.
    /// </remarks>
    internal static V1StatefulSet ReadStatefulSet(ref Utf8JsonReader reader, ReadOnlyMemory<byte> input, ObjectParts parts, out ReadOnlyMemory<byte> template)
    {
        templateRange = null;
        try
        {
            var options = parts == ObjectParts.Mutation ? MutationOptions : TemplateCapturingOptions;
            var statefulSet = InPlace<V1StatefulSet>(ref reader, options)
                              ?? throw new JsonException("the object is null");
            template = TemplateOf(statefulSet, input);
            return statefulSet;
        }
        finally
        {
            templateRange = null;
        }
    }

    private static ReadOnlyMemory<byte> TemplateOf(V1StatefulSet statefulSet, ReadOnlyMemory<byte> input) =>
        templateRange is var (start, end) && statefulSet.Spec?.Template is not null ? input[start..end] : default;

    /// <summary>Reads a <typeparamref name="T"/> with the converter <paramref name="options"/> have for it, straight from this reader.</summary>
    private static T? InPlace<T>(ref Utf8JsonReader reader, JsonSerializerOptions options) =>
        ((JsonConverter<T>)options.GetTypeInfo(typeof(T)).Converter).Read(ref reader, typeof(T), options);

    private static JsonSerializerOptions CreateOptions(bool captureTemplate, bool mutationOnly = false)
    {
        // The body's nesting limit, whether an object is read in the envelope's pass or from its own bytes.
        var options = new JsonSerializerOptions(KubeJson.SerializerOptions) { AllowDuplicateProperties = false, MaxDepth = AdmissionJsonContext.MaxDepth };
        if (mutationOnly)
        {
            options.TypeInfoResolver = options.TypeInfoResolver!.WithAddedModifier(OnlyWhatMutationReads);
        }

        options.Converters.Add(new SkipManagedFields());
        if (captureTemplate)
        {
            options.Converters.Add(new CaptureTemplate());
        }

        // Locked now: a converter called directly (InPlace) only finds metadata in options that are in use.
        options.MakeReadOnly();
        return options;
    }

    /// <summary>The members of a StatefulSet's spec that some mutating rule declares it reads (<see cref="Rules.RuleDescriptor.SpecFields"/>).</summary>
    public static IReadOnlyList<string> MutationSpecFields { get; } = RuleCatalog.Default.Rules
        .Where(r => r is Rules.IMutatingRule)
        .SelectMany(r => r.Descriptor.SpecFields ?? throw new InvalidOperationException($"mutating rule {r.Descriptor.Id} does not declare the spec fields it reads"))
        .Distinct(StringComparer.Ordinal)
        .Order(StringComparer.Ordinal)
        .ToArray();

    private static readonly string[] StatefulSetMembers = ["apiVersion", "kind", "metadata", "spec"];

    /// <summary>A StatefulSet's members other than those the mutating rules read become unknown to the reader, which skips them.</summary>
    private static void OnlyWhatMutationReads(JsonTypeInfo typeInfo)
    {
        IReadOnlyList<string>? keep = typeInfo.Type == typeof(V1StatefulSet) ? StatefulSetMembers
            : typeInfo.Type == typeof(V1StatefulSetSpec) ? MutationSpecFields
            : null;
        if (keep is null)
        {
            return;
        }

        for (var i = typeInfo.Properties.Count - 1; i >= 0; i--)
        {
            if (!keep.Contains(typeInfo.Properties[i].Name))
            {
                typeInfo.Properties.RemoveAt(i);
            }
        }
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
            var template = InPlace<V1PodTemplateSpec>(ref reader, Options);
            templateRange = (start, (int)reader.BytesConsumed);
            return template;
        }

        public override void Write(Utf8JsonWriter writer, V1PodTemplateSpec value, JsonSerializerOptions options) =>
            JsonSerializer.Serialize(writer, value, KubeJson.SerializerOptions);
    }
}
