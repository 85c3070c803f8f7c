using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;

namespace StatefulGuard.Core.Engine;

/// <summary>
/// KubernetesClient's own serializer settings (its converters for quantities, int-or-string and times),
/// used directly to move between typed objects and JSON nodes without a round trip through strings.
/// </summary>
public static class KubeJson
{
    private static readonly JsonSerializerOptions Options = Capture();

    /// <summary>The client's options themselves (read-only use: derive a copy to add converters).</summary>
    public static JsonSerializerOptions SerializerOptions => Options;

    public static JsonNode? ToNode<T>(T value) => JsonSerializer.SerializeToNode(value, Options);

    public static T FromNode<T>(JsonNode node) => node.Deserialize<T>(Options)!;

    public static byte[] ToUtf8<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, Options);

    public static T FromUtf8<T>(ReadOnlySpan<byte> json) => JsonSerializer.Deserialize<T>(json, Options)!;

    public static T Clone<T>(T value)
        where T : class => JsonSerializer.SerializeToNode(value, Options) is { } node ? FromNode<T>(node) : value;

    private static JsonSerializerOptions Capture()
    {
        JsonSerializerOptions? options = null;
        KubernetesJson.AddJsonOptions(o => options = o);
        return options ?? throw new InvalidOperationException("KubernetesJson did not expose its serializer options");
    }
}
