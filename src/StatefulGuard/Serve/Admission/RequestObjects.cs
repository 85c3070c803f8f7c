using System.Text.Json;
using StatefulGuard.Core.Admission;

namespace StatefulGuard.Serve.Admission;

/// <summary>A request's <c>object</c> and <c>oldObject</c> read as one kind: absent ones stay null, an unreadable one is a 400.</summary>
internal static class RequestObjects
{
    /// <param name="kind">The kind as the 400 names it, e.g. "v1 Service".</param>
    /// <returns>Null when both could be read; else the failure to answer with.</returns>
    public static AdmissionOutcome? Read<T>(AdmissionRequest request, string kind, out T? current, out T? old)
        where T : class
    {
        current = null;
        old = null;
        try
        {
            if (request.Object is { ValueKind: JsonValueKind.Object } objectJson)
            {
                current = AdmissionObjects.Deserialize<T>(objectJson);
            }

            if (request.OldObject is { ValueKind: JsonValueKind.Object } oldJson)
            {
                old = AdmissionObjects.Deserialize<T>(oldJson);
            }

            return null;
        }
        catch (Exception ex) when (AdmissionObjects.IsBadObject(ex))
        {
            return AdmissionOutcome.Fail(StatusCodes.Status400BadRequest, $"request.object is not a valid {kind}: {ex.Message}");
        }
    }
}
