using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace StatefulGuard.Core.Manifests;

/// <summary>
/// Writes JSON objects as multi-document YAML that reads back to exactly the same JSON (kubectl's YAML 1.1
/// reading included): strings that would read as numbers, booleans or null are quoted.
/// </summary>
public static class YamlWriter
{
    public static string Write(IEnumerable<JsonNode> documents)
    {
        var stream = new YamlStream(documents.Select(d => new YamlDocument(ToYaml(d))));
        using var writer = new StringWriter();
        stream.Save(writer, assignAnchors: false);
        return Normalise(writer.ToString());
    }

    public static string Write(JsonNode document) => Write([document]);

    private static YamlNode ToYaml(JsonNode? node) => node switch
    {
        JsonObject obj => new YamlMappingNode(obj.Select(p => new KeyValuePair<YamlNode, YamlNode>(Scalar(p.Key), ToYaml(p.Value)))),
        JsonArray array => new YamlSequenceNode(array.Select(ToYaml)),
        JsonValue value => value.GetValueKind() switch
        {
            JsonValueKind.String => Scalar(value.GetValue<string>()),
            JsonValueKind.True => new YamlScalarNode("true") { Style = ScalarStyle.Plain },
            JsonValueKind.False => new YamlScalarNode("false") { Style = ScalarStyle.Plain },
            _ => new YamlScalarNode(value.ToJsonString()) { Style = ScalarStyle.Plain },
        },
        _ => new YamlScalarNode("null") { Style = ScalarStyle.Plain },
    };

    private static YamlScalarNode Scalar(string text) => new(text)
    {
        Style = text.Contains('\n', StringComparison.Ordinal) ? ScalarStyle.Literal
            : YamlToJson.NeedsQuotes(text) ? ScalarStyle.DoubleQuoted
            : ScalarStyle.Any,
    };

    // YamlStream ends each document with "..." and starts the first with nothing; kubectl prefers plain "---" separators.
    private static string Normalise(string yaml)
    {
        var lines = yaml.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n').ToList();
        var output = new List<string>();
        foreach (var line in lines)
        {
            var separator = line is "..." or "---";
            if (separator && (output.Count == 0 || output[^1] == "---"))
            {
                continue;
            }

            output.Add(separator ? "---" : line);
        }

        while (output.Count > 0 && (output[^1] == "---" || output[^1].Length == 0))
        {
            output.RemoveAt(output.Count - 1);
        }

        return string.Join('\n', output) + "\n";
    }
}
