using System.Text.Json.Serialization;

namespace StatefulGuard.Core.Admission;

public sealed record AdmissionRequest
{
    [JsonPropertyName("uid")]
    public string? Uid { get; init; }

    [JsonPropertyName("kind")]
    public GroupVersionKind? Kind { get; init; }

    [JsonPropertyName("resource")]
    public GroupVersionResource? Resource { get; init; }

    [JsonPropertyName("subResource")]
    public string? SubResource { get; init; }

    [JsonPropertyName("requestKind")]
    public GroupVersionKind? RequestKind { get; init; }

    [JsonPropertyName("requestResource")]
    public GroupVersionResource? RequestResource { get; init; }

    [JsonPropertyName("requestSubResource")]
    public string? RequestSubResource { get; init; }

    [JsonPropertyName("name")]
    public string? Name { get; init; }

    [JsonPropertyName("namespace")]
    public string? Namespace { get; init; }

    [JsonPropertyName("operation")]
    public string? Operation { get; init; }

    [JsonPropertyName("userInfo")]
    public UserInfo? UserInfo { get; init; }

    [JsonPropertyName("object")]
    public RawJson? Object { get; init; }

    [JsonPropertyName("oldObject")]
    public RawJson? OldObject { get; init; }

    [JsonPropertyName("dryRun")]
    public bool? DryRun { get; init; }

    [JsonPropertyName("options")]
    public RawJson? Options { get; init; }
}
