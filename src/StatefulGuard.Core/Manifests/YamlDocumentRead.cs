using System.Text.Json.Nodes;

namespace StatefulGuard.Core.Manifests;

public sealed record YamlDocumentRead(JsonNode? Root, int Line, LineIndex Lines, int ErrorLine = 0, string? Error = null)
{
    /// <summary>Where the document ends (1-based line and column): where what follows it (the next <c>---</c>, or the end) starts.</summary>
    public (int Line, int Column) End { get; init; }
}
