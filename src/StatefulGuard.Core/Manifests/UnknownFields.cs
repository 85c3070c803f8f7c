using System.Text.Json.Nodes;

namespace StatefulGuard.Core.Manifests;

/// <summary>
/// Fields of a manifest that the Kubernetes API model does not have — a container-level <c>fsGroup</c>, a
/// misspelt <c>livenessprobe</c> — found by comparing the input with its round trip through the typed model.
/// The apiserver prunes such fields without a word, so they are worth saying out loud.
/// </summary>
public static class UnknownFields
{
    public static IReadOnlyList<string> Find(JsonNode? input, JsonNode? roundTrip)
    {
        var found = new List<string>();
        Walk(input, roundTrip, "", found);
        return found;
    }

    private static void Walk(JsonNode? input, JsonNode? known, string path, List<string> found)
    {
        switch (input, known)
        {
            case (JsonObject a, JsonObject b):
                foreach (var (key, value) in a)
                {
                    var child = path.Length == 0 ? key : $"{path}.{key}";
                    if (b.TryGetPropertyValue(key, out var other))
                    {
                        Walk(value, other, child, found);
                    }
                    else if (value is not null && !IsEmpty(value))
                    {
                        found.Add(child);
                    }
                }

                break;
            case (JsonArray a, JsonArray b):
                for (var i = 0; i < Math.Min(a.Count, b.Count); i++)
                {
                    Walk(a[i], b[i], $"{path}[{i}]", found);
                }

                break;
        }
    }

    // An empty object or list the model leaves out is not information lost.
    private static bool IsEmpty(JsonNode value) => value is JsonObject { Count: 0 } or JsonArray { Count: 0 };
}
