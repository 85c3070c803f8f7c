using System.Text.Json.Nodes;

namespace StatefulGuard.Core.Reports;

/// <summary>
/// Reads fields of JSON from the apiserver without trusting its shape: a field of another type than expected reads as
/// absent (a <c>JsonNode</c> cast or indexer would throw).
/// </summary>
public static class JsonFields
{
    public static JsonObject? Object(JsonNode? node, string name) => (node as JsonObject)?[name] as JsonObject;

    public static JsonArray? Array(JsonNode? node, string name) => (node as JsonObject)?[name] as JsonArray;

    public static string? Text(JsonNode? node, string name) =>
        (node as JsonObject)?[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    public static long? Number(JsonNode? node, string name) =>
        (node as JsonObject)?[name] is JsonValue value && value.TryGetValue<long>(out var number) ? number : null;

    /// <summary>A field as its JSON text (for fingerprints): whatever its type; null when absent.</summary>
    public static string? Raw(JsonNode? node, string name) => (node as JsonObject)?[name]?.ToJsonString();
}
