using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace StatefulGuard.Core.Manifests;

/// <summary>
/// Reads manifests as Helm and Kustomize print them: multi-document YAML (comments, <c>---</c>, empty
/// documents), JSON, and <c>kind: List</c>. Every object keeps its file and line; a broken document is an
/// error for that document only.
/// </summary>
public static class ManifestReader
{
    public const string StdinName = "-";

    private static readonly string[] Extensions = [".yaml", ".yml", ".json"];

    /// <summary>Reads files, directories (recursively, *.yaml|*.yml|*.json) and <c>-</c> for <paramref name="stdin"/>.</summary>
    public static ManifestSet ReadPaths(IEnumerable<string> paths, TextReader? stdin = null)
    {
        var documents = new List<ManifestDocument>();
        var errors = new List<ManifestError>();
        foreach (var path in paths)
        {
            if (path == StdinName)
            {
                Read(StdinName, (stdin ?? Console.In).ReadToEnd(), documents, errors);
            }
            else if (Directory.Exists(path))
            {
                var files = Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories)
                    .Where(f => Extensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
                    .OrderBy(f => f, StringComparer.Ordinal);
                foreach (var file in files)
                {
                    ReadFile(file, documents, errors);
                }
            }
            else if (File.Exists(path))
            {
                ReadFile(path, documents, errors);
            }
            else
            {
                errors.Add(new ManifestError(path, 0, "no such file or directory"));
            }
        }

        return new ManifestSet(documents, errors);
    }

    public static ManifestSet ReadText(string source, string text)
    {
        var documents = new List<ManifestDocument>();
        var errors = new List<ManifestError>();
        Read(source, text, documents, errors);
        return new ManifestSet(documents, errors);
    }

    private static void ReadFile(string file, List<ManifestDocument> documents, List<ManifestError> errors)
    {
        string text;
        try
        {
            text = File.ReadAllText(file);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            errors.Add(new ManifestError(file, 0, ex.Message));
            return;
        }

        Read(file, text, documents, errors);
    }

    private static void Read(string source, string text, List<ManifestDocument> documents, List<ManifestError> errors)
    {
        var stream = new YamlStream();
        ManifestError? failure = null;
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException ex)
        {
            // The parser cannot resynchronise after a syntax error: the documents before it are kept,
            // the rest of this file is lost, other files are not.
            failure = new ManifestError(source, (int)ex.Start.Line, $"invalid YAML: {Clean(ex.InnerException?.Message ?? ex.Message)}");
        }

        foreach (var document in stream.Documents)
        {
            AddDocument(source, document.RootNode, documents, errors);
        }

        if (failure is not null)
        {
            errors.Add(failure);
        }
    }

    private static void AddDocument(string source, YamlNode root, List<ManifestDocument> documents, List<ManifestError> errors)
    {
        var line = (int)root.Start.Line;
        var converter = new YamlToJson();
        JsonNode? json;
        try
        {
            json = converter.Convert(root);
        }
        catch (YamlException ex)
        {
            errors.Add(new ManifestError(source, (int)ex.Start.Line, Clean(ex.Message)));
            return;
        }

        switch (json)
        {
            case null:
                return; // an empty document, as `---` separators leave behind
            case JsonObject obj when IsList(obj):
                var items = obj["items"] as JsonArray ?? [];
                var itemNodes = (root as YamlMappingNode)?.Children
                    .FirstOrDefault(c => c.Key is YamlScalarNode { Value: "items" }).Value as YamlSequenceNode;
                for (var i = 0; i < items.Count; i++)
                {
                    var itemLine = itemNodes is not null && i < itemNodes.Children.Count ? (int)itemNodes.Children[i].Start.Line : line;
                    if (items[i] is JsonObject item)
                    {
                        items[i] = null; // detach so the object can live on its own
                        Add(source, itemLine, item, Rebase(converter.Lines, $"items[{i}]"), documents, errors);
                    }
                    else
                    {
                        errors.Add(new ManifestError(source, itemLine, $"List item {i} is not an object"));
                    }
                }

                return;
            case JsonObject obj:
                Add(source, line, obj, converter.Lines, documents, errors);
                return;
            default:
                errors.Add(new ManifestError(source, line, "a manifest document must be an object with apiVersion and kind"));
                return;
        }
    }

    private static void Add(string source, int line, JsonObject obj, IReadOnlyDictionary<string, int> lines, List<ManifestDocument> documents, List<ManifestError> errors)
    {
        var doc = new ManifestDocument(source, line, obj, lines);
        if (string.IsNullOrEmpty(doc.Kind) || string.IsNullOrEmpty(doc.ApiVersion))
        {
            errors.Add(new ManifestError(source, line, "object has no apiVersion or kind"));
            return;
        }

        documents.Add(doc);
    }

    /// <summary>The lines under <paramref name="prefix"/>, with the prefix taken off (a List item's own paths).</summary>
    private static Dictionary<string, int> Rebase(IReadOnlyDictionary<string, int> lines, string prefix) =>
        lines.Where(l => l.Key.StartsWith(prefix + ".", StringComparison.Ordinal))
            .ToDictionary(l => l.Key[(prefix.Length + 1)..], l => l.Value, StringComparer.Ordinal);

    private static bool IsList(JsonObject obj) =>
        obj["kind"] is JsonValue kind && kind.TryGetValue<string>(out var k) && k.EndsWith("List", StringComparison.Ordinal)
        && obj["items"] is JsonArray;

    private static string Clean(string message) => message.Replace("\r", " ", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
}
