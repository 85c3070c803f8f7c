using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
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
    private static readonly JsonSerializerOptions Options = CreateOptions(mutationOnly: false);

    /// <summary>As <see cref="Options"/>, for <see cref="ObjectParts.Mutation"/>.</summary>
    private static readonly JsonSerializerOptions MutationOptions = CreateOptions(mutationOnly: true);

    /// <exception cref="JsonException">Not JSON for <typeparamref name="T"/>, or a key given twice in an object.</exception>
    public static T Deserialize<T>(RawJson json) =>
        json.StatefulSet is var (statefulSet, _) && statefulSet is T read ? read : JsonSerializer.Deserialize(json.Utf8.Span, (JsonTypeInfo<T>)Options.GetTypeInfo(typeof(T)))!;

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

        var statefulSet = JsonSerializer.Deserialize(json.Utf8.Span, (JsonTypeInfo<V1StatefulSet>)Options.GetTypeInfo(typeof(V1StatefulSet)))!;
        template = TemplateOf(statefulSet, json.Utf8);
        return statefulSet;
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
        var start = (int)reader.TokenStartIndex;
        var statefulSet = InPlace<V1StatefulSet>(ref reader, parts == ObjectParts.Mutation ? MutationOptions : Options)
                          ?? throw new JsonException("the object is null");
        template = TemplateOf(statefulSet, input[start..(int)reader.BytesConsumed]);
        return statefulSet;
    }

    /// <summary>The slice of the object's JSON that holds <c>spec.template</c>; empty when the object has none.</summary>
    private static ReadOnlyMemory<byte> TemplateOf(V1StatefulSet statefulSet, ReadOnlyMemory<byte> objectJson) =>
        statefulSet.Spec?.Template is not null && FindTemplate(objectJson.Span) is var (start, end) ? objectJson[start..end] : default;

    /// <summary>Where <c>spec.template</c>'s value lies in a StatefulSet's JSON, found by a reader that skips everything else.</summary>
    private static (int Start, int End)? FindTemplate(ReadOnlySpan<byte> objectJson)
    {
        var reader = new Utf8JsonReader(objectJson, new JsonReaderOptions { MaxDepth = AdmissionJsonContext.MaxDepth });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return null;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var spec = reader.ValueTextEquals("spec"u8);
            reader.Read();
            if (!spec || reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                continue;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var template = reader.ValueTextEquals("template"u8);
                reader.Read();
                if (template)
                {
                    var start = (int)reader.TokenStartIndex;
                    reader.Skip();
                    return (start, (int)reader.BytesConsumed);
                }

                reader.Skip();
            }

            return null;
        }

        return null;
    }

    /// <summary>Reads a <typeparamref name="T"/> with the converter <paramref name="options"/> have for it, straight from this reader.</summary>
    private static T? InPlace<T>(ref Utf8JsonReader reader, JsonSerializerOptions options) =>
        ((JsonConverter<T>)options.GetTypeInfo(typeof(T)).Converter).Read(ref reader, typeof(T), options);

    private static JsonSerializerOptions CreateOptions(bool mutationOnly)
    {
        // The body's nesting limit, whether an object is read in the envelope's pass or from its own bytes.
        var options = new JsonSerializerOptions(KubeJson.SerializerOptions) { AllowDuplicateProperties = false, MaxDepth = AdmissionJsonContext.MaxDepth };
        if (mutationOnly)
        {
            options.TypeInfoResolver = options.TypeInfoResolver!.WithAddedModifier(OnlyWhatMutationReads);
        }

        options.Converters.Add(new SkipManagedFields());

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
            JsonSerializer.Serialize(writer, value, KubeJson.TypeInfo<IList<V1ManagedFieldsEntry>>());
    }
}
