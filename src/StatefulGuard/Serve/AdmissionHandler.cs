using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Text.Json;
using System.Threading.RateLimiting;
using k8s.Models;
using Microsoft.AspNetCore.Http.Features;
using StatefulGuard.Core.Admission;
using StatefulGuard.Core.Cluster;
using StatefulGuard.Core.Engine;
using StatefulGuard.Core.Rules;

namespace StatefulGuard.Serve;

public enum AdmissionEndpoint
{
    Validate,
    Mutate,
}

/// <summary>
/// The HTTP adapter over <see cref="RuleEngine"/>: reads an AdmissionReview once, asks the engine, answers
/// as the apiserver expects. Input that is not a readable AdmissionReview gets a 4xx with a message.
/// </summary>
internal sealed partial class AdmissionHandler
{
    /// <summary>Where an idle response writer points; nothing is ever written to it.</summary>
    private static readonly ArrayBufferWriter<byte> Detached = new(1);

    [ThreadStatic]
    private static Utf8JsonWriter? responseWriter;

    private readonly RuleEngine engine;
    private readonly IClusterView cluster;
    private readonly ConcurrencyLimiter limit;
    private readonly ILogger<AdmissionHandler> logger;
    private readonly DecisionLog decisions;
    private readonly long maxBodyBytes;
    private readonly Core.Exceptions.ExceptionValidator exceptionValidator;
    private readonly WarmupSignal warmup;

    public AdmissionHandler(RuleEngine engine, IClusterView cluster, Microsoft.Extensions.Options.IOptions<Configuration.StatefulGuardOptions> options, ILogger<AdmissionHandler> logger,
        Serilog.ILogger serilog, ConcurrencyLimiter limit, Core.Exceptions.ExceptionValidator exceptionValidator, WarmupSignal warmup)
    {
        this.warmup = warmup;
        this.exceptionValidator = exceptionValidator;
        this.limit = limit;
        decisions = new DecisionLog(serilog);
        this.engine = engine;
        this.cluster = cluster;
        this.logger = logger;
        maxBodyBytes = options.Value.MaxRequestBodyBytes;
    }

    /// <summary>Answers one admission once the concurrency limit lets it in (queued in arrival order), or 503 when the queue is full.</summary>
    public async Task HandleAsync(HttpContext http, AdmissionEndpoint endpoint)
    {
        // Completes at once, without allocating a wait, while a permit is free.
        using var lease = await limit.AcquireAsync(1, http.RequestAborted);
        if (lease.IsAcquired)
        {
            await AnswerAsync(http, endpoint);
        }
        else
        {
            await WriteErrorAsync(http, StatusCodes.Status503ServiceUnavailable, "overloaded: too many admissions in progress");
        }
    }

    /// <summary>A JSON <c>{"error": …}</c> answer with its status, as every refusal of an admission request is written.</summary>
    internal static Task WriteErrorAsync(HttpContext http, int status, string message)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json";
        return WriteAsync(http, new ErrorBody { Error = message }, AdmissionJsonContext.Default.ErrorBody);
    }

    private async Task AnswerAsync(HttpContext http, AdmissionEndpoint endpoint)
    {
        var started = Stopwatch.GetTimestamp();
        var endpointLabel = endpoint == AdmissionEndpoint.Validate ? "validate" : "mutate";
        var outcome = await DecideAsync(http, endpoint);
        var elapsed = Stopwatch.GetElapsedTime(started);
        // The warm-up's own reviews run the whole path but leave no trace: no decision log, no counters.
        var recorded = !warmup.Marks(http);

        if (outcome.Error is { } error)
        {
            if (recorded)
            {
                AdmissionMetrics.Latency(endpointLabel, "", "error").Observe(elapsed.TotalSeconds);
                LogRejected(logger, endpointLabel, error.Status, error.Message);
            }

            await WriteErrorAsync(http, error.Status, error.Message);
            return;
        }

        var response = outcome.Response!;
        var decision = !response.Allowed ? "deny" : response.Warnings is { Count: > 0 } ? "warn" : "allow";
        var operation = outcome.Request?.Operation ?? "";
        if (recorded)
        {
            Count(outcome);
            decisions.Write(endpointLabel, response.Uid, operation, outcome.Kind ?? "", outcome.Request?.Namespace ?? "",
                outcome.ObjectName ?? outcome.Request?.Name ?? "", response.Allowed, outcome.RuleIds ?? "", outcome.Mode ?? "",
                outcome.Request?.DryRun == true, elapsed.TotalMilliseconds);
        }

        var review = new AdmissionReview { ApiVersion = AdmissionReview.V1, Kind = AdmissionReview.ReviewKind, Response = response };
        http.Response.StatusCode = StatusCodes.Status200OK;
        http.Response.ContentType = "application/json";
        try
        {
            await WriteAsync(http, review, AdmissionJsonContext.Default.AdmissionReview);
        }
        finally
        {
            outcome.Patch?.Dispose();
        }

        if (recorded)
        {
            AdmissionMetrics.Latency(endpointLabel, operation, decision).Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
    }

    /// <summary>
    /// The answer is small and complete: serialized synchronously straight into the response pipe, then flushed
    /// once (no buffering stream and no asynchronous serializer state machine per request).
    /// </summary>
    private static async Task WriteAsync<T>(HttpContext http, T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo)
    {
        Serialize(http.Response.BodyWriter, value, typeInfo);
        await http.Response.BodyWriter.FlushAsync(http.RequestAborted);
    }

    /// <summary>With this thread's writer (serializing is synchronous: nothing awaits while it holds the response).</summary>
    private static void Serialize<T>(System.IO.Pipelines.PipeWriter body, T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo)
    {
        var writer = responseWriter ??= new Utf8JsonWriter(body);
        writer.Reset(body);
        try
        {
            JsonSerializer.Serialize(writer, value, typeInfo);
            writer.Flush();
        }
        finally
        {
            // Points it away from the response, so that an idle thread does not keep the last response's pipe.
            writer.Reset(Detached);
        }
    }

    private async ValueTask<Outcome> DecideAsync(HttpContext http, AdmissionEndpoint endpoint)
    {
        if (http.Request.ContentType is { } contentType && !IsJson(contentType))
        {
            return Outcome.Fail(StatusCodes.Status415UnsupportedMediaType, $"Content-Type must be application/json, got '{contentType}'");
        }

        if (http.Request.ContentLength > maxBodyBytes)
        {
            return TooLarge();
        }

        var sizeFeature = http.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (sizeFeature is { IsReadOnly: false })
        {
            sizeFeature.MaxRequestBodySize = maxBodyBytes;
        }

        // The body is copied out of Kestrel's buffers as it arrives and each read is consumed at once, as a stream
        // copy does. Holding HTTP/2 request data unconsumed until the decision was made (to parse it in place) cost
        // far more than the copy: every read then contended for the stream's pipe lock with the connection's writer.
        var reader = http.Request.BodyReader;
        var buffer = ArrayPool<byte>.Shared.Rent(InitialBodyBuffer(http.Request.ContentLength));
        var pooled = true;
        var length = 0;
        try
        {
            while (true)
            {
                var read = await reader.ReadAsync(http.RequestAborted);
                var data = read.Buffer;
                if (length + data.Length > maxBodyBytes)
                {
                    reader.AdvanceTo(data.End);
                    return TooLarge();
                }

                if (length + data.Length > buffer.Length)
                {
                    // Growing past the first buffer (a review over 64 KB, which few are): a buffer of its own, never pooled.
                    var larger = GC.AllocateUninitializedArray<byte>((int)Math.Min(maxBodyBytes, Math.Max(2L * buffer.Length, length + data.Length)));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ReturnBody(buffer, pooled);
                    pooled = false;
                    buffer = larger;
                }

                data.CopyTo(buffer.AsSpan(length));
                length += (int)data.Length;
                reader.AdvanceTo(data.End);
                if (read.IsCompleted)
                {
                    break;
                }
            }

            // The review's raw values (object, oldObject, options) are slices of this buffer: they are read inside
            // Decide only; after it the answer uses nothing but strings copied out of the envelope.
            return Decide(buffer.AsMemory(0, length), endpoint);
        }
        catch (BadHttpRequestException ex)
        {
            return Outcome.Fail(ex.StatusCode, ex.Message);
        }
        finally
        {
            ReturnBody(buffer, pooled);
        }
    }

    /// <summary>
    /// The first buffer (at most 64 KB, nearly every real review fits) comes from the shared pool; a body that outgrows
    /// it moves into buffers of its own. The pool keeps what it is given: a burst of concurrent multi-megabyte bodies
    /// (a flood of the largest objects, or a hostile client) would otherwise stay resident as pooled buffers.
    /// </summary>
    private static void ReturnBody(byte[] buffer, bool pooled)
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
    private int InitialBodyBuffer(long? contentLength) =>
        (int)Math.Min(Math.Min(maxBodyBytes, 64 * 1024), contentLength is { } declared and > 0 ? declared : 16 * 1024);

    private Outcome Decide(ReadOnlyMemory<byte> body, AdmissionEndpoint endpoint)
    {
        AdmissionReview review;
        try
        {
            // The mutating rules read only the metadata, the selector and the pod template: the rest is not built for them.
            review = AdmissionReviewReader.Parse(body, endpoint == AdmissionEndpoint.Mutate ? ObjectParts.Mutation : ObjectParts.Whole);
        }
        catch (Exception ex) when (AdmissionObjects.IsBadObject(ex))
        {
            return Outcome.Fail(StatusCodes.Status400BadRequest, $"body is not a valid AdmissionReview: {ex.Message}");
        }

        // Everywhere in the body, also in what the readers skip (the readers name the field where they meet it);
        // vectorized, ~1 µs for a typical review.
        if (!System.Text.Unicode.Utf8.IsValid(body.Span))
        {
            var at = FirstInvalidByte(body.Span);
            return Outcome.Fail(StatusCodes.Status400BadRequest, $"body is not a valid AdmissionReview: {JsonPathAt(body.Span, at)} is not valid UTF-8 (byte {at})");
        }

        try
        {
            return Decide(review, endpoint);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException && review.Request?.Uid is { Length: > 0 } uid)
        {
            // A fault of ours, never an empty 500: the answer follows the failure policy of a rule that cannot evaluate.
            LogUnexpected(logger, ex, endpoint == AdmissionEndpoint.Validate ? "validate" : "mutate", uid);
            var deny = endpoint == AdmissionEndpoint.Validate && engine.Settings.RuleErrors == RuleErrorPolicy.Deny
                       && review.Request.Operation is "CREATE" or "UPDATE";
            var response = new AdmissionResponse
            {
                Uid = uid,
                Allowed = !deny,
                Status = deny
                    ? new AdmissionStatus { Code = StatusCodes.Status500InternalServerError, Reason = "InternalError",
                        Message = $"StatefulGuard could not evaluate the object ({ex.GetType().Name}); see the webhook's log. To let such objects through, set StatefulGuard:RuleErrors to Allow." }
                    : null,
                Warnings = [Messages.Fit($"StatefulGuard could not evaluate the object ({ex.GetType().Name}); nothing was checked or injected")],
            };
            return new Outcome(response, null, review.Request, review.Request.Kind?.Kind, review.Request.Name, "", "");
        }
    }

    private Outcome Decide(AdmissionReview review, AdmissionEndpoint endpoint)
    {
        if (review.ApiVersion != AdmissionReview.V1 || review.Kind != AdmissionReview.ReviewKind)
        {
            return Outcome.Fail(StatusCodes.Status400BadRequest,
                $"expected apiVersion {AdmissionReview.V1} and kind {AdmissionReview.ReviewKind}, got '{review.ApiVersion}' '{review.Kind}' (set admissionReviewVersions: [v1])");
        }

        if (review.Request is not { } request)
        {
            return Outcome.Fail(StatusCodes.Status400BadRequest, "AdmissionReview has no request");
        }

        if (string.IsNullOrEmpty(request.Uid))
        {
            return Outcome.Fail(StatusCodes.Status400BadRequest, "request.uid is missing");
        }

        if (!OperationNames.TryParse(request.Operation, out var operation))
        {
            return Outcome.Fail(StatusCodes.Status400BadRequest, $"request.operation '{request.Operation}' is not CREATE, UPDATE, DELETE or CONNECT");
        }

        return Decide(endpoint, request, operation);
    }

    private Outcome Decide(AdmissionEndpoint endpoint, AdmissionRequest request, Operation operation)
    {
        var uid = request.Uid!;
        if (endpoint == AdmissionEndpoint.Validate && IsService(request) && operation is Operation.Update or Operation.Delete)
        {
            return ValidateService(request, uid, operation);
        }

        if (endpoint == AdmissionEndpoint.Validate && IsException(request) && operation is Operation.Create or Operation.Update)
        {
            return ValidateException(request, uid);
        }

        if (!IsStatefulSet(request) || operation is not (Operation.Create or Operation.Update))
        {
            // Scale subresources, deletes and kinds a misconfigured webhook sends: not ours to judge.
            return Outcome.Allow(request, uid, request.Kind?.Kind);
        }

        if (request.Object is not { ValueKind: JsonValueKind.Object } objectJson)
        {
            return Outcome.Fail(StatusCodes.Status400BadRequest, $"request.object must be a StatefulSet object for {request.Operation}");
        }

        V1StatefulSet statefulSet;
        V1StatefulSet? old = null;
        ReadOnlyMemory<byte> template;
        try
        {
            statefulSet = AdmissionObjects.ReadStatefulSet(objectJson, out template);
            if (operation == Operation.Update && request.OldObject is { ValueKind: JsonValueKind.Object } oldJson)
            {
                old = AdmissionObjects.Deserialize<V1StatefulSet>(oldJson);
            }
        }
        catch (Exception ex) when (AdmissionObjects.IsBadObject(ex))
        {
            return Outcome.Fail(StatusCodes.Status400BadRequest, $"request.object is not a valid apps/v1 StatefulSet: {ex.Message}");
        }

        var ns = !string.IsNullOrEmpty(request.Namespace) ? request.Namespace : statefulSet.Metadata?.NamespaceProperty ?? "default";
        var name = statefulSet.Metadata?.Name ?? request.Name ?? "";

        if (endpoint == AdmissionEndpoint.Mutate)
        {
            return Mutate(request, uid, new RuleInput(operation, ns, statefulSet, old) { TemplateJson = template }, name);
        }

        var evaluation = engine.Validate(new RuleInput(operation, ns, statefulSet, old), cluster);
        return Answer(request, uid, "StatefulSet", ns, name, evaluation, engine.Rules.Validating);
    }

    private Outcome ValidateService(AdmissionRequest request, string uid, Operation operation)
    {
        V1Service? service = null, old = null;
        try
        {
            if (request.Object is { ValueKind: JsonValueKind.Object } objectJson)
            {
                service = AdmissionObjects.Deserialize<V1Service>(objectJson);
            }

            if (request.OldObject is { ValueKind: JsonValueKind.Object } oldJson)
            {
                old = AdmissionObjects.Deserialize<V1Service>(oldJson);
            }
        }
        catch (Exception ex) when (AdmissionObjects.IsBadObject(ex))
        {
            return Outcome.Fail(StatusCodes.Status400BadRequest, $"request.object is not a valid v1 Service: {ex.Message}");
        }

        var ns = !string.IsNullOrEmpty(request.Namespace) ? request.Namespace : (service ?? old)?.Metadata?.NamespaceProperty ?? "default";
        var name = request.Name ?? (service ?? old)?.Metadata?.Name ?? "";
        var evaluation = engine.ValidateService(new ServiceRuleContext(operation, ns, name, service, old, request.UserInfo?.Username, cluster));
        return Answer(request, uid, "Service", ns, name, evaluation, engine.Rules.ServiceRules);
    }

    /// <summary>A StatefulGuardException is admitted only when it is well formed: every problem named with its field.</summary>
    private Outcome ValidateException(AdmissionRequest request, string uid)
    {
        if (request.Object is not { ValueKind: JsonValueKind.Object } objectJson)
        {
            return Outcome.Fail(StatusCodes.Status400BadRequest, $"request.object must be a StatefulGuardException object for {request.Operation}");
        }

        Core.Exceptions.StatefulGuardException exception;
        try
        {
            exception = AdmissionObjects.Deserialize<Core.Exceptions.StatefulGuardException>(objectJson);
        }
        catch (Exception ex) when (AdmissionObjects.IsBadObject(ex))
        {
            return Outcome.Fail(StatusCodes.Status400BadRequest, $"request.object is not a valid {Core.Exceptions.StatefulGuardException.GroupVersion} StatefulGuardException: {ex.Message}");
        }

        var name = exception.Metadata?.Name ?? request.Name ?? "";
        var ns = !string.IsNullOrEmpty(request.Namespace) ? request.Namespace : exception.Metadata?.NamespaceProperty ?? "";
        var problems = exceptionValidator.Validate(exception).Errors.Select(e => e.ErrorMessage).Distinct().ToList();
        var response = new AdmissionResponse
        {
            Uid = uid,
            Allowed = problems.Count == 0,
            Status = problems.Count == 0 ? null : new AdmissionStatus
            {
                Code = StatusCodes.Status422UnprocessableEntity,
                Reason = "Invalid",
                Message = $"StatefulGuard denied StatefulGuardException {ns}/{name}: " + string.Join("; ", problems),
            },
        };
        return new Outcome(response, null, request, "StatefulGuardException", name, problems.Count == 0 ? "" : "exception-validation:deny", "");
    }

    private static Outcome Answer(AdmissionRequest request, string uid, string kind, string ns, string name, Evaluation evaluation, IReadOnlyList<ConfiguredRule> evaluated)
    {
        var warnings = Messages.Warnings(evaluation);
        var response = new AdmissionResponse
        {
            Uid = uid,
            Allowed = evaluation.Allowed,
            Status = evaluation.Allowed ? null : new AdmissionStatus
            {
                Code = StatusCodes.Status403Forbidden,
                Reason = "Forbidden",
                Message = Messages.DenialMessage(kind, ns, name, evaluation),
            },
            Warnings = warnings.Count > 0 ? warnings : null,
        };
        // A waived finding is logged as waived, with the exception that waived it.
        var ruleIds = string.Join(",", evaluation.Verdicts.Select(v => v.Waiver is { } w
            ? $"{v.RuleId}:waived({w.Exception})"
            : $"{v.RuleId}:{v.Action.ToString().ToLowerInvariant()}").Distinct());
        return new Outcome(response, null, request, kind, name, ruleIds, evaluation.Mode.ToString()) { Evaluation = evaluation, Evaluated = evaluated };
    }

    private Outcome Mutate(AdmissionRequest request, string uid, RuleInput input, string name)
    {
        // The typed object was read for this request alone: the rules may edit its template directly.
        var mutation = engine.Mutate(input, cluster, editInPlace: true);
        var warnings = Messages.Limit(mutation.Warnings);
        var patched = mutation.Patch.Count > 0;
        PooledJson? patch = patched ? JsonPatchBuilder.ToPooledJson(mutation.Patch) : null;
        var response = new AdmissionResponse
        {
            Uid = uid,
            Allowed = true,
            Patch = patch?.Memory,
            PatchType = patched ? "JSONPatch" : null,
            Warnings = warnings.Count > 0 ? warnings : null,
        };

        return new Outcome(response, null, request, "StatefulSet", name, InjectionAnnotations.Summary(mutation.Injected), mutation.Mode.ToString())
        {
            Patch = patch,
            Mutation = mutation,
        };
    }

    /// <summary>The rule counters for an answer (not for the warm-up's).</summary>
    private void Count(Outcome outcome)
    {
        if (outcome.Evaluation is { } evaluation)
        {
            CountRuleResults(evaluation, outcome.Evaluated!);
        }

        if (outcome.Mutation is { Mode: not GuardMode.Off } mutation)
        {
            var patched = mutation.Patch.Count > 0;
            var rules = engine.Rules.Mutating;
            var entries = mutation.Injected;
            for (var r = 0; r < rules.Count; r++)
            {
                var id = rules[r].Id;
                var injected = false;
                for (var e = 0; e < entries.Count && !injected; e++)
                {
                    injected = InjectionAnnotations.RuleOf(entries[e]).SequenceEqual(id);
                }

                AdmissionMetrics.Rule(id, !injected ? "pass" : patched ? "inject" : "warn").Inc();
            }
        }
    }

    private static void CountRuleResults(Evaluation evaluation, IReadOnlyList<ConfiguredRule> evaluated)
    {
        if (evaluation.Mode == GuardMode.Off)
        {
            return;
        }

        foreach (var rule in evaluated)
        {
            var worst = RuleAction.Off;
            foreach (var verdict in evaluation.Verdicts)
            {
                if (verdict.RuleId == rule.Id && verdict.Action < worst)
                {
                    worst = verdict.Action;
                }
            }

            AdmissionMetrics.Rule(rule.Id, worst switch
            {
                RuleAction.Deny => "deny",
                RuleAction.Warn => "warn",
                _ => "pass",
            }).Inc();
        }
    }

    private static bool IsService(AdmissionRequest request) =>
        request.Resource is { Group: "" or null, Resource: "services" }
        && string.IsNullOrEmpty(request.SubResource)
        && request.Kind is { Group: "" or null, Kind: "Service" };

    private static bool IsException(AdmissionRequest request) =>
        request.Resource is { Group: Core.Exceptions.StatefulGuardException.Group, Resource: Core.Exceptions.StatefulGuardException.Plural }
        && string.IsNullOrEmpty(request.SubResource);

    private static bool IsStatefulSet(AdmissionRequest request) =>
        request.Resource is { Group: "apps", Resource: "statefulsets" }
        && string.IsNullOrEmpty(request.SubResource)
        && request.Kind is { Group: "apps", Kind: "StatefulSet" };

    private static bool IsJson(string contentType)
    {
        var mediaType = contentType.Split(';', 2)[0].Trim();
        return mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
               || mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The offset of the first invalid UTF-8 sequence (only on the error path: it decodes the body).</summary>
    private static int FirstInvalidByte(ReadOnlySpan<byte> body)
    {
        System.Text.Unicode.Utf8.ToUtf16(body, new char[body.Length], out var read, out _, replaceInvalidSequences: false);
        return read;
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
                            return Format(path, name);
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

        static string Format(List<string> path, string name) => "$" + string.Concat(path) + "." + name;
    }

    private Outcome TooLarge() =>
        Outcome.Fail(StatusCodes.Status413PayloadTooLarge, $"AdmissionReview larger than {maxBodyBytes} bytes (StatefulGuard:MaxRequestBodyBytes)");

    private sealed record Failure(int Status, string Message);

    private sealed record Outcome(
        AdmissionResponse? Response, Failure? Error, AdmissionRequest? Request = null, string? Kind = null,
        string? ObjectName = null, string? RuleIds = null, string? Mode = null)
    {
        /// <summary>The pooled buffer behind <c>Response.Patch</c>, returned once the response is written.</summary>
        public PooledJson? Patch { get; init; }

        /// <summary>What the rule counters are taken from once the answer is written.</summary>
        public Evaluation? Evaluation { get; init; }

        public IReadOnlyList<ConfiguredRule>? Evaluated { get; init; }

        public MutationResult? Mutation { get; init; }

        public static Outcome Fail(int status, string message) => new(null, new Failure(status, message));

        public static Outcome Allow(AdmissionRequest request, string uid, string? kind, string? name = null) =>
            new(new AdmissionResponse { Uid = uid, Allowed = true }, null, request, kind, name);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Unexpected failure answering {Endpoint} request {Uid}")]
    private static partial void LogUnexpected(ILogger logger, Exception ex, string endpoint, string uid);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rejected {Endpoint} request with {Status}: {Error}")]
    private static partial void LogRejected(ILogger logger, string endpoint, int status, string error);
}
