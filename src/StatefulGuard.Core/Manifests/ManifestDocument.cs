using System.Text.Json.Nodes;

namespace StatefulGuard.Core.Manifests;

/// <summary>One Kubernetes object read from a manifest, with where it came from.</summary>
/// <param name="Source">The file, or "-" for stdin.</param>
/// <param name="Line">The line the object starts on.</param>
/// <param name="Object">The object as JSON.</param>
/// <param name="Lines">The line of each field, by field path (<c>spec.template.spec.containers[0].image</c>).</param>
public sealed record ManifestDocument(string Source, int Line, JsonObject Object, LineIndex? Lines = null)
{
    /// <summary>
    /// Where the document ends in its file (1-based line and column: where what follows it starts), for a fix that
    /// inserts an object after it; (0, 0) for a List's item, which cannot be followed by a document of its own.
    /// </summary>
    public (int Line, int Column) End { get; init; }

    /// <summary>Where this object's paths sit in <see cref="Lines"/>: <c>items[3].</c> for a List's item, which shares the List's lines.</summary>
    public string LinePrefix { get; init; } = "";

    /// <summary>
    /// The line of a field path, or of its nearest ancestor that has one (a finding may name a field the
    /// manifest leaves out, such as a missing <c>resources.requests</c>).
    /// </summary>
    public int LineOf(string? path)
    {
        if (Lines is null || string.IsNullOrEmpty(path))
        {
            return Line;
        }

        for (var p = path; p.Length > 0; p = Parent(p))
        {
            if (Lines.TryGetValue(LinePrefix.Length == 0 ? p : LinePrefix + p, out var line))
            {
                return line;
            }
        }

        return Line;
    }

    private static string Parent(string path)
    {
        var cut = Math.Max(path.LastIndexOf('.'), path.LastIndexOf('['));
        return cut <= 0 ? "" : path[..cut];
    }

    public string? ApiVersion => (Object["apiVersion"] as JsonValue)?.TryGetValue<string>(out var v) == true ? v : null;

    public string? Kind => (Object["kind"] as JsonValue)?.TryGetValue<string>(out var v) == true ? v : null;

    public string? Name => Metadata("name");

    public string? Namespace => Metadata("namespace");

    public string Location => $"{Source}:{Line}";

    private string? Metadata(string key) =>
        (Object["metadata"] as JsonObject)?[key] is JsonValue value && value.TryGetValue<string>(out var s) ? s : null;
}
