using System.Globalization;
using System.Text.Json.Nodes;
using StatefulGuard.Core.Engine;

namespace StatefulGuard.Commands;

/// <summary>
/// Applies the engine's patch to a manifest as it was written (a JSON tree of the YAML), so that fields the API model
/// does not know survive <c>mutate</c>: RFC 6902 <c>add</c>, <c>replace</c> and <c>remove</c>, the operations the engine
/// writes.
/// </summary>
/// <remarks>
/// Microsoft.AspNetCore.JsonPatch.SystemTextJson applies patches by reflection over the target (generic adapters made
/// at run time), which the native build cannot compile (16 trim and AOT warnings); the tests check the webhook's and
/// this applier's results against that library.
/// </remarks>
internal static class ManifestPatch
{
    /// <exception cref="InvalidOperationException">An operation does not apply to the document (its path is not there).</exception>
    public static void Apply(JsonNode document, IReadOnlyList<PatchOperation> operations)
    {
        foreach (var operation in operations)
        {
            var segments = operation.Path.Split('/');
            if (segments.Length < 2 || segments[0].Length != 0)
            {
                throw new InvalidOperationException($"the patch does not apply at {operation.Path}: not a JSON Pointer to a member");
            }

            var parent = document;
            for (var i = 1; i < segments.Length - 1; i++)
            {
                parent = Child(parent, Unescape(segments[i]))
                         ?? throw new InvalidOperationException($"the patch does not apply at {operation.Path}: nothing at {string.Join('/', segments[..(i + 1)])}");
            }

            Apply(parent, Unescape(segments[^1]), operation);
        }
    }

    private static void Apply(JsonNode parent, string last, PatchOperation operation)
    {
        switch (parent, operation.Op)
        {
            case (JsonObject obj, PatchOperation.Add):
                obj[last] = operation.Value?.DeepClone();
                break;
            case (JsonObject obj, PatchOperation.Replace) when obj.ContainsKey(last):
                obj[last] = operation.Value?.DeepClone();
                break;
            case (JsonObject obj, PatchOperation.Remove) when obj.Remove(last):
                break;
            case (JsonArray array, PatchOperation.Add) when last == "-" || Index(last, array.Count + 1) is not null:
                array.Insert(last == "-" ? array.Count : Index(last, array.Count + 1)!.Value, operation.Value?.DeepClone());
                break;
            case (JsonArray array, PatchOperation.Replace) when Index(last, array.Count) is { } index:
                array[index] = operation.Value?.DeepClone();
                break;
            case (JsonArray array, PatchOperation.Remove) when Index(last, array.Count) is { } index:
                array.RemoveAt(index);
                break;
            default:
                throw new InvalidOperationException($"the patch does not apply at {operation.Path}: cannot {operation.Op} there");
        }
    }

    private static JsonNode? Child(JsonNode parent, string segment) => parent switch
    {
        JsonObject obj => obj[segment],
        JsonArray array when Index(segment, array.Count) is { } index => array[index],
        _ => null,
    };

    /// <summary>An array index below <paramref name="count"/>, written as RFC 6901 allows (no sign, no leading zero).</summary>
    private static int? Index(string segment, int count) =>
        segment.Length > 0 && (segment == "0" || segment[0] != '0') && segment.All(char.IsAsciiDigit)
        && int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < count
            ? index
            : null;

    private static string Unescape(string segment) =>
        segment.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
}
