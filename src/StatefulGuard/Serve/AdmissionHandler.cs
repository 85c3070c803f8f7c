using System.Diagnostics;
using System.Threading.RateLimiting;
using StatefulGuard.Core.Cluster;
using StatefulGuard.Core.Engine;
using StatefulGuard.Serve.Admission;

namespace StatefulGuard.Serve;

/// <summary>
/// The HTTP adapter over <see cref="RuleEngine"/>, in its parts: the body (<see cref="AdmissionBody"/>), read first and
/// within the admission's deadline; the concurrency limit, taken only once the whole body has arrived, so a slow or
/// hostile client costs memory but never a permit; the decision (<see cref="AdmissionRouter"/> and a processor per kind);
/// what is recorded of it (<see cref="AdmissionRecorder"/>: decision log, counters, latency) and the answer
/// (<see cref="AdmissionResponses"/>).
/// </summary>
/// <remarks>
/// Every admission has a deadline from the moment its request is read (<c>StatefulGuard:AdmissionDeadlineSeconds</c>,
/// the webhooks' <c>timeoutSeconds</c>): a body not complete by then gets 408 and its connection is closed; a request
/// still waiting for a permit then is dropped with 503 (the apiserver has given up on it and answered by its failure
/// policy).
/// </remarks>
internal sealed class AdmissionHandler
{
    private readonly ConcurrencyLimiter limit;
    private readonly long maxBodyBytes;
    private readonly TimeSpan deadline;
    private readonly TimeProvider clock;
    private readonly WarmupSignal warmup;
    private readonly AdmissionRouter router;
    private readonly AdmissionRecorder recorder;
    private int reading;

    public AdmissionHandler(RuleEngine engine, IClusterView cluster, Microsoft.Extensions.Options.IOptions<Configuration.StatefulGuardOptions> options, ILogger<AdmissionHandler> logger,
        ConcurrencyLimiter limit, Core.Exceptions.ExceptionValidator exceptionValidator, WarmupSignal warmup, TimeProvider clock)
    {
        this.warmup = warmup;
        this.limit = limit;
        this.clock = clock;
        maxBodyBytes = options.Value.MaxRequestBodyBytes;
        deadline = TimeSpan.FromSeconds(options.Value.AdmissionDeadlineSeconds);
        router = new AdmissionRouter(
            [new ServiceProcessor(engine, cluster), new NamespaceProcessor(engine), new ExceptionProcessor(exceptionValidator), new StatefulSetProcessor(engine, cluster)],
            engine.Settings, logger);
        recorder = new AdmissionRecorder(engine, logger);
    }

    /// <summary>Raised when a request starts or stops reading its body, and when it asks for a permit (diagnostics and tests).</summary>
    public event Action? Progress;

    /// <summary>Requests whose body is being read (they hold no permit).</summary>
    public int Reading => Volatile.Read(ref reading);

    /// <summary>Reads the body, then answers once the concurrency limit lets it in (queued in arrival order), or 503 when the queue is full.</summary>
    public async Task HandleAsync(HttpContext http, AdmissionEndpoint endpoint)
    {
        var started = Stopwatch.GetTimestamp();
        using var due = new CancellationTokenSource(deadline, clock);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, due.Token);
        AdmissionBody body;
        Interlocked.Increment(ref reading);
        Progress?.Invoke();
        try
        {
            body = await AdmissionBody.ReadAsync(http, maxBodyBytes, due.Token);
        }
        finally
        {
            Interlocked.Decrement(ref reading);
            Progress?.Invoke();
        }

        if (body.TimedOut)
        {
            AdmissionMetrics.Dropped.WithLabels("body-deadline").Inc();
            // The client is too slow to be the apiserver, or the apiserver gave up: the connection is not worth keeping.
            http.Response.Headers.Connection = "close";
            await AdmissionResponses.WriteErrorAsync(http, StatusCodes.Status408RequestTimeout,
                $"the AdmissionReview was not received within {deadline.TotalSeconds:0} s (StatefulGuard:AdmissionDeadlineSeconds)");
            return;
        }

        using (body)
        {
            // Completes at once, without allocating a wait, while a permit is free; queues the request otherwise.
            var acquiring = limit.AcquireAsync(1, cancel.Token);
            Progress?.Invoke();
            RateLimitLease lease;
            try
            {
                lease = await acquiring;
            }
            catch (OperationCanceledException) when (due.IsCancellationRequested && !http.RequestAborted.IsCancellationRequested)
            {
                AdmissionMetrics.Dropped.WithLabels("queue-deadline").Inc();
                await AdmissionResponses.WriteErrorAsync(http, StatusCodes.Status503ServiceUnavailable,
                    $"overloaded: no admission slot within the {deadline.TotalSeconds:0} s deadline (StatefulGuard:AdmissionDeadlineSeconds); not evaluated");
                return;
            }

            using (lease)
            {
                if (lease.IsAcquired)
                {
                    await AnswerAsync(http, endpoint, body, started);
                }
                else
                {
                    AdmissionMetrics.Dropped.WithLabels("queue-full").Inc();
                    await AdmissionResponses.WriteErrorAsync(http, StatusCodes.Status503ServiceUnavailable, "overloaded: too many admissions in progress");
                }
            }
        }
    }

    private async Task AnswerAsync(HttpContext http, AdmissionEndpoint endpoint, AdmissionBody body, long started)
    {
        var endpointLabel = endpoint == AdmissionEndpoint.Validate ? "validate" : "mutate";
        // The review's raw values are slices of the body: they are read inside Decide only; after it the answer uses
        // nothing but strings copied out of the envelope.
        var outcome = body.Error is { } refused ? new AdmissionOutcome(null, refused) : router.Decide(body.Memory, endpoint);

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

        await AdmissionResponses.WriteReviewAsync(http, outcome.Response!);

        AdmissionRecorder.Answered(endpointLabel, outcome, Stopwatch.GetElapsedTime(started), rehearsal);
    }
}
