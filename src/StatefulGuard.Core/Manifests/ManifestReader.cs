using System.Text.Json.Nodes;

namespace StatefulGuard.Core.Manifests;

/// <summary>
/// Reads manifests as Helm and Kustomize print them: multi-document YAML (comments, <c>---</c>, empty
/// documents), JSON, and <c>kind: List</c>. Every object keeps its file and line; a broken document is an
/// error for that document only.
/// </summary>
public static partial class ManifestReader
{
    public const string StdinName = "-";

    private static readonly string[] Extensions = [".yaml", ".yml", ".json"];

    /// <summary>Reads files, directories (recursively, *.yaml|*.yml|*.json) and <c>-</c> for <paramref name="stdin"/>.</summary>
    public static ManifestSet ReadPaths(IEnumerable<string> paths, TextReader? stdin = null)
    {
        var documents = new List<ManifestDocument>();
        var errors = new List<ManifestError>();
        Stream(paths, stdin, documents.Add, errors.Add);
        return new ManifestSet(documents, errors);
    }

    /// <summary>
    /// Reads as <see cref="ReadPaths"/> does, handing each object over as soon as it is read (a List's items one by
    /// one): a caller that is done with each object before the next never holds the whole input.
    /// </summary>
    public static void Stream(IEnumerable<string> paths, TextReader? stdin, Action<ManifestDocument> document, Action<ManifestError> error)
    {
        foreach (var path in paths)
        {
            if (path == StdinName)
            {
                Read(StdinName, (stdin ?? Console.In).ReadToEnd(), document, error);
            }
            else if (Directory.Exists(path))
            {
                var files = Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories)
                    .Where(f => Extensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
                    .OrderBy(f => f, StringComparer.Ordinal);
                foreach (var file in files)
                {
                    ReadFile(file, document, error);
                }
            }
            else if (File.Exists(path))
            {
                ReadFile(path, document, error);
            }
            else
            {
                error(new ManifestError(path, 0, "no such file or directory"));
            }
        }
    }

    public static ManifestSet ReadText(string source, string text)
    {
        var documents = new List<ManifestDocument>();
        var errors = new List<ManifestError>();
        Read(source, text, documents.Add, errors.Add);
        return new ManifestSet(documents, errors);
    }

    private static void ReadFile(string file, Action<ManifestDocument> document, Action<ManifestError> error)
    {
        string text;
        try
        {
            text = File.ReadAllText(file);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            error(new ManifestError(file, 0, ex.Message));
            return;
        }

        Read(file, text, document, error);
    }

    private static void Read(string source, string text, Action<ManifestDocument> document, Action<ManifestError> error)
    {
        // A byte order mark is allowed at the start of a stream and of any document; only there is it dropped.
        text = ByteOrderMarkAtLineStart().Replace(text, "");
        var item = 0;
        void Item(ListItem read)
        {
            if (read.Node is JsonObject obj)
            {
                Add(new ManifestDocument(source, read.Line, obj, read.Lines), document, error);
            }
            else
            {
                error(new ManifestError(source, read.Line, $"List item {item} is not an object"));
            }

            item++;
        }

        foreach (var read in YamlToJson.ReadDocuments(text, Item))
        {
            item = 0;
            if (read.Error is not null)
            {
                error(new ManifestError(source, read.ErrorLine, read.Error));
                continue;
            }

            AddDocument(source, read, document, error);
        }
    }

    private static void AddDocument(string source, YamlDocumentRead read, Action<ManifestDocument> documents, Action<ManifestError> errors)
    {
        switch (read.Root)
        {
            case null:
                return; // an empty document, as `---` separators leave behind
            case JsonObject obj when IsList(obj):
                var items = obj["items"]!.AsArray();
                for (var i = 0; i < items.Count; i++)
                {
                    // Each item's lines are the List's, looked up under its prefix: no copy per item.
                    var prefix = $"items[{i}]";
                    var itemLine = read.Lines.TryGetValue(prefix, out var l) ? l : read.Line;
                    if (items[i] is JsonObject item)
                    {
                        items[i] = null; // detach so the object can live on its own
                        Add(new ManifestDocument(source, itemLine, item, read.Lines) { LinePrefix = prefix + "." }, documents, errors);
                    }
                    else
                    {
                        errors(new ManifestError(source, itemLine, $"List item {i} is not an object"));
                    }
                }

                return;
            case JsonObject obj:
                Add(new ManifestDocument(source, read.Line, obj, read.Lines) { End = read.End }, documents, errors);
                return;
            default:
                errors(new ManifestError(source, read.Line, "a manifest document must be an object with apiVersion and kind"));
                return;
        }
    }

    private static void Add(ManifestDocument doc, Action<ManifestDocument> documents, Action<ManifestError> errors)
    {
        if (string.IsNullOrEmpty(doc.Kind) || string.IsNullOrEmpty(doc.ApiVersion))
        {
            errors(new ManifestError(doc.Source, doc.Line, "object has no apiVersion or kind (both must be strings)"));
            return;
        }

        documents(doc);
    }

    private static bool IsList(JsonObject obj) =>
        obj["kind"] is JsonValue kind && kind.TryGetValue<string>(out var k) && k.EndsWith("List", StringComparison.Ordinal)
        && obj["items"] is JsonArray;

    [System.Text.RegularExpressions.GeneratedRegex("(?<=^|\n)\uFEFF")]
    private static partial System.Text.RegularExpressions.Regex ByteOrderMarkAtLineStart();
}
