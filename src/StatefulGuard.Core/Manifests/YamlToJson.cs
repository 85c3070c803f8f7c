using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace StatefulGuard.Core.Manifests;

/// <summary>
/// Converts a YAML node to JSON the way kubectl does (YAML 1.1 scalars, as sigs.k8s.io/yaml resolves them),
/// with bounds on depth and size so that alias bombs and nesting bombs fail with an error.
/// </summary>
public sealed partial class YamlToJson
{
    public const int MaxDepth = 128;
    public const int MaxNodes = 2_000_000;

    private readonly Dictionary<string, int> lines = new(StringComparer.Ordinal);
    private int nodes;

    /// <summary>
    /// The line of every field and list item converted so far, by field path as findings name them
    /// (<c>spec.template.spec.containers[0].image</c>).
    /// </summary>
    public IReadOnlyDictionary<string, int> Lines => lines;

    public JsonNode? Convert(YamlNode node) => Convert(node, 0, "");

    private JsonNode? Convert(YamlNode node, int depth, string path)
    {
        if (depth > MaxDepth)
        {
            throw new YamlException(node.Start, node.End, $"nesting deeper than {MaxDepth} levels");
        }

        if (++nodes > MaxNodes)
        {
            throw new YamlException(node.Start, node.End, $"document expands to more than {MaxNodes} nodes (alias bomb?)");
        }

        switch (node)
        {
            case YamlMappingNode mapping:
                var obj = new JsonObject();
                foreach (var (keyNode, valueNode) in mapping.Children)
                {
                    if (keyNode is not YamlScalarNode { Value: { } key })
                    {
                        throw new YamlException(keyNode.Start, keyNode.End, "mapping keys must be plain strings");
                    }

                    if (key == "<<")
                    {
                        throw new YamlException(keyNode.Start, keyNode.End, "YAML merge keys (<<) are not supported by the Kubernetes API");
                    }

                    if (obj.ContainsKey(key))
                    {
                        throw new YamlException(keyNode.Start, keyNode.End, $"duplicate key \"{key}\"");
                    }

                    var child = path.Length == 0 ? key : $"{path}.{key}";
                    lines.TryAdd(child, (int)keyNode.Start.Line);
                    obj[key] = Convert(valueNode, depth + 1, child);
                }

                return obj;

            case YamlSequenceNode sequence:
                var array = new JsonArray();
                for (var i = 0; i < sequence.Children.Count; i++)
                {
                    var child = $"{path}[{i}]";
                    lines.TryAdd(child, (int)sequence.Children[i].Start.Line);
                    array.Add(Convert(sequence.Children[i], depth + 1, child));
                }

                return array;

            case YamlScalarNode scalar:
                return Scalar(scalar);

            default:
                throw new YamlException(node.Start, node.End, $"unsupported YAML node {node.NodeType}");
        }
    }

    private static JsonValue? Scalar(YamlScalarNode scalar)
    {
        var value = scalar.Value ?? "";
        var tag = scalar.Tag.IsEmpty ? null : scalar.Tag.Value;
        if (tag is "tag:yaml.org,2002:str" || scalar.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted
            or ScalarStyle.Literal or ScalarStyle.Folded)
        {
            return JsonValue.Create(value);
        }

        switch (value)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return null;
            case "true" or "True" or "TRUE" or "yes" or "Yes" or "YES" or "on" or "On" or "ON" or "y" or "Y":
                return JsonValue.Create(true);
            case "false" or "False" or "FALSE" or "no" or "No" or "NO" or "off" or "Off" or "OFF" or "n" or "N":
                return JsonValue.Create(false);
        }

        if (OctalPattern().IsMatch(value))
        {
            // YAML 1.1, as kubectl reads it: a leading zero means octal (0755 is 493).
            var negative = value.StartsWith('-');
            var octal = System.Convert.ToInt64(value.TrimStart('-', '+').Replace("_", "", StringComparison.Ordinal), 8);
            return JsonValue.Create(negative ? -octal : octal);
        }

        if (IntPattern().IsMatch(value))
        {
            var digits = value.Replace("_", "", StringComparison.Ordinal);
            if (long.TryParse(digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
            {
                return JsonValue.Create(l);
            }
        }
        else if (HexPattern().IsMatch(value))
        {
            var negative = value.StartsWith('-');
            var hex = value.TrimStart('-', '+')[2..].Replace("_", "", StringComparison.Ordinal);
            if (long.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var h))
            {
                return JsonValue.Create(negative ? -h : h);
            }
        }
        else if (FloatPattern().IsMatch(value)
                 && double.TryParse(value.Replace("_", "", StringComparison.Ordinal), NumberStyles.Float, CultureInfo.InvariantCulture, out var d)
                 && double.IsFinite(d))
        {
            return JsonValue.Create(d);
        }

        return JsonValue.Create(value);
    }

    /// <summary>Whether a string would be read back as something else when written as a plain YAML scalar.</summary>
    public static bool NeedsQuotes(string value) =>
        Scalar(new YamlScalarNode(value) { Style = ScalarStyle.Plain }) is not { } read
        || read.GetValueKind() != System.Text.Json.JsonValueKind.String;

    [GeneratedRegex("^[-+]?0[0-7_]+$")]
    private static partial Regex OctalPattern();

    [GeneratedRegex("^[-+]?(0|[1-9][0-9_]*)$")]
    private static partial Regex IntPattern();

    [GeneratedRegex("^[-+]?0x[0-9a-fA-F_]+$")]
    private static partial Regex HexPattern();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex FloatPattern();
}
