using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using StatefulGuard.Configuration;

namespace StatefulGuard.Serve;

/// <summary>
/// Warm before ready: before <c>/readyz</c> reports ready, the real request path (body reading, parsing, every rule,
/// the patch, the response) runs over a built-in review — /validate and /mutate, CREATE and UPDATE — for
/// <c>StatefulGuard:WarmupMilliseconds</c>, so that the hot methods are compiled at their final tier before the
/// apiserver's first call instead of during it. The warm-up's reviews leave no decision log and no counters.
/// </summary>
internal sealed partial class AdmissionWarmup(AdmissionHandler handler, IOptions<StatefulGuardOptions> options, ILogger<AdmissionWarmup> logger)
    : BackgroundService
{
    private readonly TaskCompletionSource done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Present on the warm-up's own requests.</summary>
    internal sealed class Marker;

    public bool Done => done.Task.IsCompleted;

    /// <summary>How many reviews the warm-up ran.</summary>
    public int Reviews { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            var budget = TimeSpan.FromMilliseconds(options.Value.WarmupMilliseconds);
            if (budget > TimeSpan.Zero)
            {
                await RunAsync(budget, stoppingToken);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A warm-up that fails costs speed, never availability.
            LogFailed(logger, ex);
        }
        finally
        {
            done.TrySetResult();
        }
    }

    private async Task RunAsync(TimeSpan budget, CancellationToken stoppingToken)
    {
        var bodies = SampleReviews();
        var clock = Stopwatch.StartNew();
        var marker = new Marker();
        while (clock.Elapsed < budget && !stoppingToken.IsCancellationRequested)
        {
            foreach (var (body, endpoint) in bodies)
            {
                var http = new DefaultHttpContext();
                http.Features.Set(marker);
                http.Request.Method = HttpMethods.Post;
                http.Request.ContentType = "application/json";
                http.Request.ContentLength = body.Length;
                http.Request.Body = new MemoryStream(body, writable: false);
                http.Response.Body = Stream.Null;
                await handler.HandleAsync(http, endpoint);
                Reviews++;
            }
        }

        LogWarm(logger, Reviews, clock.Elapsed.TotalMilliseconds);
    }

    /// <summary>The built-in review as CREATE and as an UPDATE of a scaled copy, for both endpoints.</summary>
    private static List<(byte[] Body, AdmissionEndpoint Endpoint)> SampleReviews()
    {
        using var stream = typeof(AdmissionWarmup).Assembly.GetManifestResourceStream("StatefulGuard.Serve.Warmup.statefulset-review.json")
                           ?? throw new InvalidOperationException("the warm-up review is not embedded");
        var create = JsonNode.Parse(stream)!.AsObject();
        var update = create.DeepClone().AsObject();
        var request = update["request"]!.AsObject();
        request["operation"] = "UPDATE";
        request["oldObject"] = request["object"]!.DeepClone();
        request["object"]!["spec"]!["replicas"] = 5;
        var bodies = new List<(byte[], AdmissionEndpoint)>();
        foreach (var review in new[] { create, update })
        {
            var body = System.Text.Encoding.UTF8.GetBytes(review.ToJsonString());
            bodies.Add((body, AdmissionEndpoint.Validate));
            bodies.Add((body, AdmissionEndpoint.Mutate));
        }

        return bodies;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Warmed up with {Reviews} reviews in {Milliseconds:0} ms")]
    private static partial void LogWarm(ILogger logger, int reviews, double milliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Warm-up failed; serving without it")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}

/// <summary>Not ready until the warm-up has run.</summary>
internal sealed class WarmupHealthCheck(AdmissionWarmup warmup) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(warmup.Done
            ? HealthCheckResult.Healthy($"warmed up ({warmup.Reviews} reviews)")
            : HealthCheckResult.Unhealthy("warming up"));
}
