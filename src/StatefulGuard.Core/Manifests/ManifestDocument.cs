using System.Text.Json.Nodes;

namespace StatefulGuard.Core.Manifests;

/// <summary>One Kubernetes object read from a manifest, with where it came from.</summary>
public sealed record ManifestDocument(string Source, int Line, JsonObject Object)
{
    public string? ApiVersion => (Object["apiVersion"] as JsonValue)?.TryGetValue<string>(out var v) == true ? v : null;

    public string? Kind => (Object["kind"] as JsonValue)?.TryGetValue<string>(out var v) == true ? v : null;

    public string? Name => Metadata("name");

    public string? Namespace => Metadata("namespace");

    public string Location => $"{Source}:{Line}";

    private string? Metadata(string key) =>
        (Object["metadata"] as JsonObject)?[key] is JsonValue value && value.TryGetValue<string>(out var s) ? s : null;
}

/// <summary>A document or file that could not be read.</summary>
public sealed record ManifestError(string Source, int Line, string Message)
{
    public override string ToString() => Line > 0 ? $"{Source}:{Line}: {Message}" : $"{Source}: {Message}";
}

public sealed record ManifestSet(IReadOnlyList<ManifestDocument> Documents, IReadOnlyList<ManifestError> Errors);
