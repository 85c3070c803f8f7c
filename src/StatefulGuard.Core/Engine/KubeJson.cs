using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using k8s;

namespace StatefulGuard.Core.Engine;

/// <summary>
/// StatefulGuard's serializer options: a copy of KubernetesClient's (its converters for quantities, int-or-string
/// and times) with <see cref="KubeModelsContext"/> first among its resolvers and <see cref="SharedStrings"/> first among
/// its converters. The client's own options are never changed: what the
/// client deserializes by itself is the same whatever StatefulGuard did before.
/// </summary>
public static class KubeJson
{
    /// <summary>Short texts read so far, shared by the objects that hold them.</summary>
    public static SharedStrings Strings { get; } = new();

    private static readonly JsonSerializerOptions Options = Capture();

    /// <summary>Read-only: derive a copy to add converters.</summary>
    public static JsonSerializerOptions SerializerOptions => Options;

    /// <summary>The generated serialization of a model type (from <see cref="KubeModelsContext"/> or the client's context).</summary>
    public static JsonTypeInfo<T> TypeInfo<T>() => (JsonTypeInfo<T>)Options.GetTypeInfo(typeof(T));

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, TypeInfo<T>());

    public static JsonNode? ToNode<T>(T value) => JsonSerializer.SerializeToNode(value, TypeInfo<T>());

    /// <summary>The value as its runtime type serializes.</summary>
    public static JsonNode? ToNode(object value, Type type) => JsonSerializer.SerializeToNode(value, Options.GetTypeInfo(type));

    public static T FromNode<T>(JsonNode node) => node.Deserialize(TypeInfo<T>())!;

    public static T FromUtf8<T>(ReadOnlySpan<byte> json) => JsonSerializer.Deserialize(json, TypeInfo<T>())!;

    public static byte[] ToUtf8<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, TypeInfo<T>());

    public static T Clone<T>(T value)
        where T : class => JsonSerializer.SerializeToNode(value, TypeInfo<T>()) is { } node ? FromNode<T>(node) : value;

    private static JsonSerializerOptions Capture()
    {
        JsonSerializerOptions? client = null;
        KubernetesJson.AddJsonOptions(o => client = o);
        if (client is null)
        {
            throw new InvalidOperationException("KubernetesJson did not expose its serializer options");
        }

        var own = new JsonSerializerOptions(client);
        own.TypeInfoResolverChain.Insert(0, KubeModelsContext.Default);
        own.Converters.Insert(0, Strings);
        own.MakeReadOnly();
        return own;
    }
}
