using System.Text.Json.Serialization;

namespace StatefulGuard.Core.Admission;

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
