using System.Buffers;
using System.IO.Pipelines;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace StatefulGuard.Core.Cluster.Api;

/// <summary>
/// The apiserver's REST API as StatefulGuard uses it: JSON in and out over the client's authenticated
/// <see cref="HttpClient"/>, every request bounded by <see cref="RequestTimeout"/> (a watch until its headers arrive),
/// every failure one of three exceptions: <see cref="ApiException"/> (an error status, with the Status object's reason and
/// any Retry-After), <see cref="MalformedResponseException"/> (a success whose body is not JSON), or a transport error
/// (<see cref="HttpRequestException"/>, <see cref="IOException"/>, <see cref="TimeoutException"/>).
/// </summary>
public sealed class KubeApi : IDisposable
{
    /// <summary>The longest watch event line read; an object is at most a few megabytes (etcd's request limit).</summary>
    public const int MaxEventBytes = 16 * 1024 * 1024;

    private static readonly MediaTypeWithQualityHeaderValue Json = new("application/json");

    private readonly HttpClient http;
    private readonly Func<HttpRequestMessage, CancellationToken, Task>? authorize;
    private readonly IDisposable? owner;

    /// <param name="authorize">Adds credentials to each request (a bearer token read afresh, say); null when the handler does.</param>
    /// <param name="owner">Disposed with this API (the client that owns <paramref name="http"/>).</param>
    public KubeApi(HttpClient http, Uri baseUri, TimeSpan requestTimeout, Func<HttpRequestMessage, CancellationToken, Task>? authorize = null, IDisposable? owner = null)
    {
        this.http = http;
        this.authorize = authorize;
        this.owner = owner;
        BaseUri = baseUri.AbsoluteUri.EndsWith('/') ? baseUri : new Uri(baseUri.AbsoluteUri + "/");
        RequestTimeout = requestTimeout;
    }

    public Uri BaseUri { get; }

    /// <summary>How long a request may take, from sending it to its whole answer (for a watch: to its headers).</summary>
    public TimeSpan RequestTimeout { get; }

    public Task<JsonDocument> GetAsync(string path, CancellationToken cancellationToken) => SendAsync(HttpMethod.Get, path, null, cancellationToken);

    /// <summary>Sends one request and reads its whole answer as JSON.</summary>
    public async Task<JsonDocument> SendAsync(HttpMethod method, string path, JsonNode? body, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(RequestTimeout);
        try
        {
            using var request = await RequestAsync(method, path, body, timeout.Token);
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            if (!response.IsSuccessStatusCode)
            {
                throw await ErrorAsync(response, timeout.Token);
            }

            await using var stream = await response.Content.ReadAsStreamAsync(timeout.Token);
            try
            {
                return await JsonDocument.ParseAsync(stream, default, timeout.Token);
            }
            catch (JsonException ex)
            {
                throw new MalformedResponseException($"{method} {path}: the answer is not JSON ({ex.Message})", ex);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"{method} {path}: no whole answer within {RequestTimeout.TotalSeconds:0.#} s");
        }
    }

    /// <summary>
    /// A watch: one JSON document per event line, as the apiserver streams them, until the server ends the stream. A
    /// line that is not JSON is yielded as null (the caller counts it and goes on); a stream that ends in the middle of
    /// a line throws <see cref="IOException"/>, as a connection cut mid-event does.
    /// </summary>
    public async IAsyncEnumerable<JsonDocument?> WatchAsync(string path, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var response = await OpenStreamAsync(path, cancellationToken);
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024));
        try
        {
            while (true)
            {
                var read = await reader.ReadAsync(cancellationToken);
                var buffer = read.Buffer;
                while (buffer.PositionOf((byte)'\n') is { } end)
                {
                    var line = buffer.Slice(0, end);
                    buffer = buffer.Slice(buffer.GetPosition(1, end));
                    if (!IsBlank(line))
                    {
                        yield return ParseLine(line);
                    }
                }

                if (read.IsCompleted)
                {
                    if (!IsBlank(buffer))
                    {
                        // A last event without its newline is whole only if it parses; a cut connection leaves half of one.
                        if (ParseLine(buffer) is not { } last)
                        {
                            throw new IOException($"GET {path}: the watch stream ended in the middle of an event");
                        }

                        yield return last;
                    }

                    yield break;
                }

                if (buffer.Length > MaxEventBytes)
                {
                    throw new IOException($"GET {path}: a watch event longer than {MaxEventBytes} bytes");
                }

                reader.AdvanceTo(buffer.Start, buffer.End);
            }
        }
        finally
        {
            await reader.CompleteAsync();
        }
    }

    private async Task<HttpResponseMessage> OpenStreamAsync(string path, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(RequestTimeout);
        try
        {
            using var request = await RequestAsync(HttpMethod.Get, path, null, timeout.Token);
            var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            if (!response.IsSuccessStatusCode)
            {
                using (response)
                {
                    throw await ErrorAsync(response, timeout.Token);
                }
            }

            return response;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"GET {path}: no answer within {RequestTimeout.TotalSeconds:0.#} s");
        }
    }

    private async Task<HttpRequestMessage> RequestAsync(HttpMethod method, string path, JsonNode? body, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(method, new Uri(BaseUri, path.TrimStart('/')));
        request.Headers.Accept.Add(Json);
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }

        if (authorize is not null)
        {
            await authorize(request, cancellationToken);
        }

        return request;
    }

    private static JsonDocument? ParseLine(ReadOnlySequence<byte> line)
    {
        try
        {
            return JsonDocument.Parse(line);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static bool IsBlank(ReadOnlySequence<byte> bytes)
    {
        foreach (var segment in bytes)
        {
            foreach (var b in segment.Span)
            {
                if (b is not ((byte)' ' or (byte)'\r' or (byte)'\t' or (byte)'\n'))
                {
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>The error an answer carries: its Status object's reason and message where it sent one, else its text.</summary>
    private static async Task<ApiException> ErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var code = (int)response.StatusCode;
        string text;
        try
        {
            text = await response.Content.ReadAsStringAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            text = "";
        }

        string? reason = null;
        var message = text.Length > 300 ? text[..300] : text;
        try
        {
            if (JsonNode.Parse(text) is JsonObject status)
            {
                reason = status["reason"] is JsonValue r && r.TryGetValue<string>(out var rs) ? rs : null;
                message = status["message"] is JsonValue m && m.TryGetValue<string>(out var ms) ? ms : message;
            }
        }
        catch (JsonException)
        {
        }

        if (message.Length == 0)
        {
            message = response.ReasonPhrase ?? "";
        }

        var retry = response.Headers.RetryAfter is { } after
            ? after.Delta ?? (after.Date is { } date ? date - DateTimeOffset.UtcNow : null)
            : null;
        return new ApiException(code, reason, message, retry is { Ticks: > 0 } positive ? positive : null);
    }

    public void Dispose() => owner?.Dispose();
}
