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
