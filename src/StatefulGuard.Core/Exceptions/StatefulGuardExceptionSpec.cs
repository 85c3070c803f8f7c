using System.Text.Json.Serialization;

namespace StatefulGuard.Core.Exceptions;

public sealed class StatefulGuardExceptionSpec
{
    /// <summary>Rule ids waived (validating and mutating); <c>*</c> is not allowed: name what you waive.</summary>
    [JsonPropertyName("rules")]
    public IList<string>? Rules { get; set; }

    /// <summary>Names or globs (<c>*</c>, <c>?</c>) of StatefulSets in the exception's namespace.</summary>
    [JsonPropertyName("statefulSets")]
    public IList<string>? StatefulSets { get; set; }

    /// <summary>Names or globs of Services in the exception's namespace (for service-protection).</summary>
    [JsonPropertyName("services")]
    public IList<string>? Services { get; set; }

    [JsonPropertyName("reason")]
    public string? Reason { get; set; }

    /// <summary>A reference such as an issue key or URL.</summary>
    [JsonPropertyName("ticket")]
    public string? Ticket { get; set; }

    /// <summary>RFC 3339; required unless <c>StatefulGuard:Exceptions:RequireExpiry</c> is false.</summary>
    [JsonPropertyName("expires")]
    public DateTimeOffset? Expires { get; set; }
}
