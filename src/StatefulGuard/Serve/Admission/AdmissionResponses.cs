using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using StatefulGuard.Core.Admission;

namespace StatefulGuard.Serve.Admission;

/// <summary>Writes answers: the AdmissionReview for the apiserver, or a JSON <c>{"error": …}</c> with its status.</summary>
internal static class AdmissionResponses
{
    /// <summary>A JSON <c>{"error": …}</c> answer with its status, as every refusal of an admission request is written.</summary>
    public static Task WriteErrorAsync(HttpContext http, int status, string message)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json";
        return WriteAsync(http, new ErrorBody { Error = message }, AdmissionJsonContext.Default.ErrorBody);
    }

    public static Task WriteReviewAsync(HttpContext http, AdmissionResponse response)
    {
        http.Response.StatusCode = StatusCodes.Status200OK;
        http.Response.ContentType = "application/json";
        var review = new AdmissionReview { ApiVersion = AdmissionReview.V1, Kind = AdmissionReview.ReviewKind, Response = response };
        return WriteAsync(http, review, AdmissionJsonContext.Default.AdmissionReview);
    }

    /// <summary>
    /// The answer is small and complete: serialized synchronously straight into the response pipe, then flushed
    /// once (no buffering stream and no asynchronous serializer state machine per request).
    /// </summary>
    private static async Task WriteAsync<T>(HttpContext http, T value, JsonTypeInfo<T> typeInfo)
    {
        Serialize(http.Response.BodyWriter, value, typeInfo);
        await http.Response.BodyWriter.FlushAsync(http.RequestAborted);
    }

    private static void Serialize<T>(System.IO.Pipelines.PipeWriter body, T value, JsonTypeInfo<T> typeInfo)
    {
        using var writer = new Utf8JsonWriter(body);
        JsonSerializer.Serialize(writer, value, typeInfo);
        writer.Flush();
    }
}
