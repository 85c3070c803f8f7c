using System.Diagnostics;
using System.Threading.RateLimiting;
using StatefulGuard.Core.Cluster;
using StatefulGuard.Core.Engine;
using StatefulGuard.Serve.Admission;

namespace StatefulGuard.Serve;

public enum AdmissionEndpoint
{
    Validate,
    Mutate,
}

/// <summary>
/// The HTTP adapter over <see cref="RuleEngine"/>, in its parts: the concurrency limit, the body
/// (<see cref="AdmissionBody"/>), the decision (<see cref="AdmissionRouter"/> and a processor per kind), what is
/// recorded of it (<see cref="AdmissionRecorder"/>: decision log, counters, latency) and the answer
/// (<see cref="AdmissionResponses"/>).
/// </summary>
internal sealed class AdmissionHandler
{
    private readonly ConcurrencyLimiter limit;
    private readonly long maxBodyBytes;
    private readonly WarmupSignal warmup;
    private readonly AdmissionRouter router;
    private readonly AdmissionRecorder recorder;

    public AdmissionHandler(RuleEngine engine, IClusterView cluster, Microsoft.Extensions.Options.IOptions<Configuration.StatefulGuardOptions> options, ILogger<AdmissionHandler> logger,
        ConcurrencyLimiter limit, Core.Exceptions.ExceptionValidator exceptionValidator, WarmupSignal warmup)
    {
        this.warmup = warmup;
        this.limit = limit;
        maxBodyBytes = options.Value.MaxRequestBodyBytes;
        router = new AdmissionRouter(
            [new ServiceProcessor(engine, cluster), new ExceptionProcessor(exceptionValidator), new StatefulSetProcessor(engine, cluster)],
            engine.Settings, logger);
        recorder = new AdmissionRecorder(engine, logger);
    }

    /// <summary>Raised once a request holds a permit of the concurrency limit or waits in its queue (diagnostics and tests).</summary>
    public event Action? LeaseRequested;

    /// <summary>Answers one admission once the concurrency limit lets it in (queued in arrival order), or 503 when the queue is full.</summary>
    public async Task HandleAsync(HttpContext http, AdmissionEndpoint endpoint)
    {
        // Completes at once, without allocating a wait, while a permit is free; queues the request otherwise.
        var acquiring = limit.AcquireAsync(1, http.RequestAborted);
        LeaseRequested?.Invoke();
        using var lease = await acquiring;
        if (lease.IsAcquired)
        {
            await AnswerAsync(http, endpoint);
        }
        else
        {
            await AdmissionResponses.WriteErrorAsync(http, StatusCodes.Status503ServiceUnavailable, "overloaded: too many admissions in progress");
        }
    }

    private async Task AnswerAsync(HttpContext http, AdmissionEndpoint endpoint)
    {
        var started = Stopwatch.GetTimestamp();
        var endpointLabel = endpoint == AdmissionEndpoint.Validate ? "validate" : "mutate";
        AdmissionOutcome outcome;
        using (var body = await AdmissionBody.ReadAsync(http, maxBodyBytes))
        {
            // The review's raw values are slices of the body: they are read inside Decide only; after it the answer
            // uses nothing but strings copied out of the envelope.
            outcome = body.Error is { } refused ? new AdmissionOutcome(null, refused) : router.Decide(body.Memory, endpoint);
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        // The warm-up's own reviews run the whole path, recording too, but leave no trace: their counters go to the
        // rehearsal meters and they write no decision log.
        var rehearsal = warmup.Marks(http);
        if (outcome.Error is { } error)
        {
            recorder.Refused(endpointLabel, error, elapsed, rehearsal);
            await AdmissionResponses.WriteErrorAsync(http, error.Status, error.Message);
            return;
        }

        recorder.Decided(endpointLabel, outcome, elapsed, rehearsal);

        try
        {
            await AdmissionResponses.WriteReviewAsync(http, outcome.Response!);
        }
        finally
        {
            outcome.Patch?.Dispose();
        }

        AdmissionRecorder.Answered(endpointLabel, outcome, Stopwatch.GetElapsedTime(started), rehearsal);
    }
}
