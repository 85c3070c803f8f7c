using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using StatefulGuard.Configuration;

namespace StatefulGuard.Serve;

/// <summary>
/// Warm before ready: before <c>/readyz</c> reports ready, the real request path (body reading, parsing, every rule,
/// the patch, the response) runs over a built-in review — /validate and /mutate, CREATE and UPDATE — for
/// <c>StatefulGuard:WarmupMilliseconds</c>, so that the hot methods are compiled at their final tier before the
/// apiserver's first call instead of during it. The warm-up's reviews leave no decision log and no counters.
/// </summary>
internal sealed partial class AdmissionWarmup(AdmissionHandler handler, IOptions<StatefulGuardOptions> options, ILogger<AdmissionWarmup> logger,
    IHostApplicationLifetime lifetime, Microsoft.AspNetCore.Hosting.Server.IServer server, WarmupSignal signal, CertificateStore certificates)
    : BackgroundService
{
    private readonly TaskCompletionSource done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Present on the warm-up's own requests.</summary>
    internal sealed class Marker;

    public bool Done => done.Task.IsCompleted;

    /// <summary>Completes when the warm-up has run (or was skipped, or failed).</summary>
    public Task Finished => done.Task;

    /// <summary>How many reviews the warm-up ran.</summary>
    public int Reviews { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            var budget = TimeSpan.FromMilliseconds(options.Value.WarmupMilliseconds);
            if (budget > TimeSpan.Zero)
            {
                signal.Active = true;
                await RunAsync(budget / 2, stoppingToken);
                await OverTheWireAsync(budget / 2, stoppingToken);

                // The warm-up's garbage goes back to the system before ready, not at the first load's collections.
                GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            }
        }
        catch (Exception ex)
        {
            // A warm-up that fails costs speed, never availability.
            LogFailed(logger, ex);
        }
        finally
        {
            signal.Active = false;
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

    /// <summary>
    /// The same reviews through the server itself, once it listens: the connection, TLS, HTTP/1.1 and HTTP/2 parsing
    /// and routing a first caller would otherwise pay for (about 30 ms on the benchmark machine).
    /// </summary>
    private async Task OverTheWireAsync(TimeSpan budget, CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource();
        using var registration = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        if (await Task.WhenAny(started.Task, Task.Delay(TimeSpan.FromSeconds(10), stoppingToken)) != started.Task)
        {
            return;
        }

        var addresses = server.Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()?.Addresses ?? [];
        using var http = new HttpClient(new SocketsHttpHandler
        {
            // Talking to ourselves: the certificate presented must be the one this process serves.
            SslOptions =
            {
                RemoteCertificateValidationCallback = (_, presented, _, _) =>
                    presented is not null && certificates.Current is { } own && presented.GetCertHashString() == own.Thumbprint,
            },
        })
        {
            Timeout = TimeSpan.FromSeconds(5),
        };
        var bodies = SampleReviews();
        var clock = Stopwatch.StartNew();
        foreach (var address in addresses.Select(Loopback).OfType<Uri>())
        {
            foreach (var version in address.Scheme == Uri.UriSchemeHttps ? new[] { System.Net.HttpVersion.Version20, System.Net.HttpVersion.Version11 } : [System.Net.HttpVersion.Version11])
            {
                for (var round = 0; round < 10 && clock.Elapsed < budget; round++)
                {
                    foreach (var (body, endpoint) in bodies)
                    {
                        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(address, endpoint == AdmissionEndpoint.Validate ? "/validate" : "/mutate"))
                        {
                            Version = version,
                            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
                            Content = new ByteArrayContent(body) { Headers = { ContentType = new("application/json") } },
                        };
                        request.Headers.Add(WarmupSignal.Header, signal.Token);
                        try
                        {
                            using var response = await http.SendAsync(request, stoppingToken);
                        }
                        catch (HttpRequestException)
                        {
                            break; // not reachable this way (a client certificate required, say): the rest still warms
                        }

                        Reviews++;
                    }
                }
            }
        }

        LogOverTheWire(logger, addresses.Count, clock.Elapsed.TotalMilliseconds);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Warmed up through {Addresses} listening address(es) in {Milliseconds:0} ms")]
    private static partial void LogOverTheWire(ILogger logger, int addresses, double milliseconds);

    private static Uri? Loopback(string address)
    {
        var normalized = address.Replace("://+", "://127.0.0.1", StringComparison.Ordinal).Replace("://*", "://127.0.0.1", StringComparison.Ordinal)
            .Replace("://0.0.0.0", "://127.0.0.1", StringComparison.Ordinal).Replace("://[::]", "://127.0.0.1", StringComparison.Ordinal);
        return Uri.TryCreate(normalized, UriKind.Absolute, out var uri) ? uri : null;
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
