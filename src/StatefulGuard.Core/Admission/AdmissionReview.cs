using System.Text.Json;
using System.Text.Json.Serialization;

namespace StatefulGuard.Core.Admission;

/// <summary>
/// The <c>admission.k8s.io/v1</c> AdmissionReview envelope. KubernetesClient ships no model for it,
/// and owning the records lets the hot path use source-generated serialization.
/// </summary>
public sealed record AdmissionReview
{
    public const string V1 = "admission.k8s.io/v1";
    public const string ReviewKind = "AdmissionReview";

    [JsonPropertyName("apiVersion")]
    public string? ApiVersion { get; init; }

    [JsonPropertyName("kind")]
    public string? Kind { get; init; }

    [JsonPropertyName("request")]
    public AdmissionRequest? Request { get; init; }

    [JsonPropertyName("response")]
    public AdmissionResponse? Response { get; init; }
}

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

public sealed record GroupVersionKind
{
    [JsonPropertyName("group")]
    public string? Group { get; init; }

    [JsonPropertyName("version")]
    public string? Version { get; init; }

    [JsonPropertyName("kind")]
    public string? Kind { get; init; }
}

public sealed record GroupVersionResource
{
    [JsonPropertyName("group")]
    public string? Group { get; init; }

    [JsonPropertyName("version")]
    public string? Version { get; init; }

    [JsonPropertyName("resource")]
    public string? Resource { get; init; }
}

public sealed record UserInfo
{
    [JsonPropertyName("username")]
    public string? Username { get; init; }

    [JsonPropertyName("uid")]
    public string? Uid { get; init; }

    [JsonPropertyName("groups")]
    public IReadOnlyList<string>? Groups { get; init; }

    [JsonPropertyName("extra")]
    public IReadOnlyDictionary<string, IReadOnlyList<string>>? Extra { get; init; }
}

public sealed record AdmissionResponse
{
    [JsonPropertyName("uid")]
    public required string Uid { get; init; }

    [JsonPropertyName("allowed")]
    public required bool Allowed { get; init; }

    [JsonPropertyName("status")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public AdmissionStatus? Status { get; init; }

    /// <summary>
    /// The RFC 6902 patch as UTF-8 JSON (base64 on the wire, as the apiserver expects). Memory rather than an array:
    /// the webhook writes it from a pooled buffer.
    /// </summary>
    [JsonPropertyName("patch")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ReadOnlyMemory<byte>? Patch { get; init; }

    [JsonPropertyName("patchType")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? PatchType { get; init; }

    [JsonPropertyName("warnings")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? Warnings { get; init; }

    [JsonPropertyName("auditAnnotations")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, string>? AuditAnnotations { get; init; }
}

/// <summary>The subset of <c>meta/v1 Status</c> the apiserver reads from a webhook's denial.</summary>
public sealed record AdmissionStatus
{
    [JsonPropertyName("code")]
    public int Code { get; init; }

    [JsonPropertyName("message")]
    public string? Message { get; init; }

    [JsonPropertyName("reason")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Reason { get; init; }
}

/// <summary>Plain error body for requests that are not a readable AdmissionReview.</summary>
public sealed record ErrorBody
{
    [JsonPropertyName("error")]
    public required string Error { get; init; }
}

[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    MaxDepth = AdmissionJsonContext.MaxDepth,
    AllowDuplicateProperties = false,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(AdmissionReview))]
[JsonSerializable(typeof(ErrorBody))]
public sealed partial class AdmissionJsonContext : JsonSerializerContext
{
    /// <summary>
    /// Deep enough for any real object (managedFields nest as deep as the object's own paths),
    /// shallow enough that a nesting bomb fails fast without recursion trouble.
    /// </summary>
    public const int MaxDepth = 128;
}
