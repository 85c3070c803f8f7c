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
internal sealed partial class YamlToJson
{
    public const int MaxDepth = 128;
    public const int MaxNodes = 2_000_000;

    private int nodes;

    public JsonNode? Convert(YamlNode node) => Convert(node, 0);

    private JsonNode? Convert(YamlNode node, int depth)
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

                    obj[key] = Convert(valueNode, depth + 1);
                }

                return obj;

            case YamlSequenceNode sequence:
                var array = new JsonArray();
                foreach (var item in sequence.Children)
                {
                    array.Add(Convert(item, depth + 1));
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

    [GeneratedRegex("^[-+]?(0|[1-9][0-9_]*)$")]
    private static partial Regex IntPattern();

    [GeneratedRegex("^[-+]?0x[0-9a-fA-F_]+$")]
    private static partial Regex HexPattern();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex FloatPattern();
}
