using System.Text.Json;
using System.Text.Json.Serialization;

namespace StatefulGuard.Core.Admission;

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
