using System.Text.Json.Serialization;

namespace StatefulGuard.Core.Admission;

/// <summary>Plain error body for requests that are not a readable AdmissionReview.</summary>
public sealed record ErrorBody
{
    [JsonPropertyName("error")]
    public required string Error { get; init; }
}
