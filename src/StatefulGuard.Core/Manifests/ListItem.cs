using System.Text.Json.Nodes;

namespace StatefulGuard.Core.Manifests;

/// <summary>One YAML document read as JSON: its root (null for an empty document), first line and field lines, or why it could not be read.</summary>
/// <param name="Lines">The line of every field and list item, by field path as findings name them (<c>spec.template.spec.containers[0].image</c>).</param>
/// <summary>One item of a <c>kind: List</c>, handed over as soon as it is read: its node, the lines of its fields (paths from the item), its line.</summary>
public sealed record ListItem(JsonNode? Node, LineIndex Lines, int Line);
