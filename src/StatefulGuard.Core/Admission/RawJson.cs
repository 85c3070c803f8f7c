using System.Text.Json;
using System.Text.Json.Serialization;

namespace StatefulGuard.Core.Admission;

/// <summary>
/// A JSON value inside a request body, kept as its UTF-8 bytes (a slice of the body, valid while the body is):
/// the request's object is deserialized once, from these bytes, by whoever needs it.
/// </summary>
[JsonConverter(typeof(RawJsonConverter))]
public readonly record struct RawJson(ReadOnlyMemory<byte> Utf8, JsonValueKind ValueKind)
{
    /// <summary>
    /// The value already read as a StatefulSet, with its pod template's JSON, when the envelope's reader met it as
    /// one (<see cref="AdmissionObjects"/> then returns it instead of reading the bytes again).
    /// </summary>
    internal (k8s.Models.V1StatefulSet Object, ReadOnlyMemory<byte> Template)? StatefulSet { get; init; }

    /// <summary>A parsed copy, for code that wants to look around in the value (tests, diagnostics).</summary>
    public JsonDocument Parse() => JsonDocument.Parse(Utf8);
}
