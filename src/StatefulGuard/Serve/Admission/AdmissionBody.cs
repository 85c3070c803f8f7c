using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;

namespace StatefulGuard.Serve.Admission;

/// <summary>
/// The request body, copied out of Kestrel's buffers as it arrives (each read consumed at once, as a stream copy
/// does), bounded by <c>StatefulGuard:MaxRequestBodyBytes</c> before it is read whole. Dispose it to return its buffer.
/// </summary>
internal readonly struct AdmissionBody : IDisposable
{
    private readonly byte[]? buffer;
    private readonly bool pooled;

    private AdmissionBody(byte[]? buffer, int length, bool pooled, AdmissionFailure? error)
    {
        this.buffer = buffer;
        Length = length;
        this.pooled = pooled;
        Error = error;
    }

    public int Length { get; }

    /// <summary>Why the body was refused (415, 413, or what Kestrel refused); null when it was read.</summary>
    public AdmissionFailure? Error { get; }

    /// <summary>The body; the review's raw values (object, oldObject, options) are slices of it, valid until disposed.</summary>
    public ReadOnlyMemory<byte> Memory => buffer.AsMemory(0, Length);

    /// <param name="deadline">Cancelled when the body must have arrived: the read stops and the body is refused with 408.</param>
    public static async ValueTask<AdmissionBody> ReadAsync(HttpContext http, long maxBodyBytes, CancellationToken deadline)
    {
        if (http.Request.ContentType is { } contentType && !IsJson(contentType))
        {
            return Refused(StatusCodes.Status415UnsupportedMediaType, $"Content-Type must be application/json, got '{contentType}'");
        }

        if (http.Request.ContentLength > maxBodyBytes)
        {
            return TooLarge(maxBodyBytes);
        }

        var sizeFeature = http.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (sizeFeature is { IsReadOnly: false })
        {
            sizeFeature.MaxRequestBodySize = maxBodyBytes;
        }

        // Holding HTTP/2 request data unconsumed until the decision was made (to parse it in place) cost far more than
        // the copy: every read then contended for the stream's pipe lock with the connection's writer.
        var reader = http.Request.BodyReader;
        // The pending read ends as cancelled (not with an exception, which would leave Kestrel's reader busy).
        using var stop = deadline.Register(static r => ((System.IO.Pipelines.PipeReader)r!).CancelPendingRead(), reader);
        var buffer = ArrayPool<byte>.Shared.Rent(InitialBuffer(http.Request.ContentLength, maxBodyBytes));
        var pooled = true;
        var length = 0;
        try
        {
            while (true)
            {
                var read = await reader.ReadAsync(http.RequestAborted);
                var data = read.Buffer;
                if (read.IsCanceled || deadline.IsCancellationRequested)
                {
                    reader.AdvanceTo(data.Start, data.End);
                    Return(buffer, pooled);
                    return Refused(StatusCodes.Status408RequestTimeout, DeadlineMessage);
                }

                if (length + data.Length > maxBodyBytes)
                {
                    reader.AdvanceTo(data.End);
                    Return(buffer, pooled);
                    return TooLarge(maxBodyBytes);
                }

                if (length + data.Length > buffer.Length)
                {
                    // Growing past the first buffer (a review over 64 KB, which few are): a buffer of its own, never pooled.
                    var larger = GC.AllocateUninitializedArray<byte>((int)Math.Min(maxBodyBytes, Math.Max(2L * buffer.Length, length + data.Length)));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    Return(buffer, pooled);
                    pooled = false;
                    buffer = larger;
                }

                data.CopyTo(buffer.AsSpan(length));
                length += (int)data.Length;
                reader.AdvanceTo(data.End);
                if (read.IsCompleted)
                {
                    return new AdmissionBody(buffer, length, pooled, null);
                }
            }
        }
        catch (BadHttpRequestException ex)
        {
            Return(buffer, pooled);
            return Refused(ex.StatusCode, ex.Message);
        }
        catch
        {
            Return(buffer, pooled);
            throw;
        }
    }

    public void Dispose()
    {
        if (buffer is not null)
        {
            Return(buffer, pooled);
        }
    }

    /// <summary>
    /// The first buffer (at most 64 KB, nearly every real review fits) comes from the shared pool; a body that outgrows
    /// it moves into buffers of its own. The pool keeps what it is given: a burst of concurrent multi-megabyte bodies
    /// (a flood of the largest objects, or a hostile client) would otherwise stay resident as pooled buffers.
    /// </summary>
    private static void Return(byte[] buffer, bool pooled)
    {
        if (pooled)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// The declared length, but at most 64 KB to begin with: a client declaring the limit and sending slowly must not
    /// get a buffer of the limit before its data arrives. Larger bodies (rare) grow the buffer as they come in.
    /// </summary>
    private static int InitialBuffer(long? contentLength, long maxBodyBytes) =>
        (int)Math.Min(Math.Min(maxBodyBytes, 64 * 1024), contentLength is { } declared and > 0 ? declared : 16 * 1024);

    /// <summary>What a body that did not arrive in time is told (with the deadline's key, filled in by the handler).</summary>
    public const string DeadlineMessage = "the AdmissionReview was not received within the admission deadline (StatefulGuard:AdmissionDeadlineSeconds)";

    public bool TimedOut => Error is { Status: StatusCodes.Status408RequestTimeout };

    private static AdmissionBody Refused(int status, string message) => new(null, 0, false, new AdmissionFailure(status, message));

    private static AdmissionBody TooLarge(long maxBodyBytes) =>
        Refused(StatusCodes.Status413PayloadTooLarge, $"AdmissionReview larger than {maxBodyBytes} bytes (StatefulGuard:MaxRequestBodyBytes)");

    private static bool IsJson(string contentType)
    {
        var mediaType = contentType.Split(';', 2)[0].Trim();
        return mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
               || mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Where the body first stops being valid UTF-8, as a JSON path and byte offset; null when it is valid.</summary>
    /// <remarks>Everywhere in the body, also in what the readers skip; vectorized, ~1 µs for a typical review.</remarks>
    public static string? InvalidUtf8(ReadOnlySpan<byte> body)
    {
        if (System.Text.Unicode.Utf8.IsValid(body))
        {
            return null;
        }

        System.Text.Unicode.Utf8.ToUtf16(body, new char[body.Length], out var at, out _, replaceInvalidSequences: false);
        return $"{JsonPathAt(body, at)} is not valid UTF-8 (byte {at})";
    }

    /// <summary>The JSON path of the value or name that holds <paramref name="offset"/> (error path only).</summary>
    private static string JsonPathAt(ReadOnlySpan<byte> body, int offset)
    {
        var path = new List<string>();
        var indexes = new List<int>();
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 256 });
        string? name = null;
        try
        {
            while (reader.Read() && reader.TokenStartIndex <= offset)
            {
                var inArray = indexes.Count > 0 && indexes[^1] >= 0;
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        name = System.Text.Encoding.UTF8.GetString(reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan);
                        if (reader.TokenStartIndex + reader.ValueSpan.Length + 2 > offset)
                        {
                            return "$" + string.Concat(path) + "." + name;
                        }

                        continue;
                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        path.Add(inArray ? $"[{indexes[^1]++}]" : name is null ? "" : "." + name);
                        indexes.Add(reader.TokenType == JsonTokenType.StartArray ? 0 : -1);
                        break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        path.RemoveAt(path.Count - 1);
                        indexes.RemoveAt(indexes.Count - 1);
                        break;
                    default:
                        var here = inArray ? $"[{indexes[^1]++}]" : name is null ? "" : "." + name;
                        if (reader.TokenStartIndex + reader.ValueSpan.Length + 2 > offset)
                        {
                            return "$" + string.Concat(path) + here;
                        }

                        break;
                }

                name = null;
            }
        }
        catch (JsonException)
        {
        }

        return "$" + string.Concat(path);
    }
}
