using System.Net;
using System.Text;
using System.Threading.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.AspNetCore.Builder;
using StatefulGuard.Serve;
using StatefulGuard.Tests.Support;

namespace StatefulGuard.Tests.Serve;

/// <summary>
/// Slow clients cost memory, not admission permits: a permit is taken only once the whole body is in, and every
/// admission has a deadline (here on a fake clock): a body not complete by then gets 408, a request still queued
/// then is dropped.
/// </summary>
public sealed class AdmissionDeadlineTests
{
    private static readonly byte[] Review = Encoding.UTF8.GetBytes(AdmissionReviews.Create(Fixtures.StatefulSet("slow")).ToJsonString());

    /// <summary>A body whose first half is sent at once and the rest when <paramref name="resume"/> completes.</summary>
    private sealed class HalfThenWait(byte[] body, Task resume) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.WriteAsync(body.AsMemory(0, body.Length / 2));
            await stream.FlushAsync();
            await resume;
            await stream.WriteAsync(body.AsMemory(body.Length / 2));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = body.Length;
            return true;
        }
    }

    /// <summary>The webhook on Kestrel (plain HTTP on loopback), with its deadlines on a fake clock.</summary>
    private static async Task<(WebApplication Webhook, HttpClient Client, FakeTimeProvider Clock)> StartAsync(int permits = 2, int queue = 16)
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var app = ServeCommand.Build([
            "--urls", "http://127.0.0.1:0", "--StatefulGuard:Cluster:Source=None", "--StatefulGuard:WarmupMilliseconds=0",
            $"--StatefulGuard:MaxConcurrentAdmissions={permits}", $"--StatefulGuard:AdmissionQueueLength={queue}",
            "--StatefulGuard:AdmissionDeadlineSeconds=10",
            // Tens of connections opened at once by one test client: not a flood to throttle here.
            "--StatefulGuard:MaxNewConnectionsPerSecond=0",
        ], services => services.AddSingleton<TimeProvider>(clock));
        await app.StartAsync();
        var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 })
        {
            BaseAddress = new Uri(app.Urls.Single()),
            Timeout = TimeSpan.FromSeconds(30),
        };
        return (app, client, clock);
    }

    private static Task<HttpResponseMessage> Post(HttpClient client, HttpContent content)
    {
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        return client.PostAsync(new Uri("/validate", UriKind.Relative), content);
    }

    [Fact]
    public async Task Bodies_still_arriving_hold_no_permit_and_real_reviews_are_answered_meanwhile()
    {
        var (webhook, client, _) = await StartAsync(permits: 2, queue: 64);
        await using var _ = webhook;
        using var __ = client;
        var handler = webhook.Services.GetRequiredService<AdmissionHandler>();
        var progress = new Changes();
        handler.Progress += progress.Pulse;

        // Twenty trickling clients, ten times the permits.
        var resume = new TaskCompletionSource();
        var slow = Enumerable.Range(0, 20).Select(_ => Post(client, new HalfThenWait(Review, resume.Task))).ToArray();
        await progress.UntilAsync(() => handler.Reading == 20, TimeSpan.FromSeconds(10));

        var limit = webhook.Services.GetRequiredService<ConcurrencyLimiter>();
        Assert.Equal(2, limit.GetStatistics()!.CurrentAvailablePermits);
        var real = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => Post(client, new ByteArrayContent(Review))));
        Assert.All(real, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(20, handler.Reading);

        resume.SetResult();
        Assert.All(await Task.WhenAll(slow), r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
    }

    [Fact]
    public async Task A_body_not_complete_by_the_deadline_gets_408_and_its_connection_is_closed()
    {
        var (webhook, client, clock) = await StartAsync();
        await using var _ = webhook;
        using var __ = client;
        var handler = webhook.Services.GetRequiredService<AdmissionHandler>();
        var progress = new Changes();
        handler.Progress += progress.Pulse;

        var uri = new Uri(webhook.Urls.Single());
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(uri.Host, uri.Port);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"POST /validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {Review.Length}\r\n\r\n"));
        await stream.WriteAsync(Review.AsMemory(0, Review.Length / 2));
        await progress.UntilAsync(() => handler.Reading == 1, TimeSpan.FromSeconds(10));
        clock.Advance(TimeSpan.FromSeconds(10));

        // The answer, then the end of the connection (after the server's lingering close, which discards what still arrives).
        var (text, closed) = await RawHttp.ReadUntilClosedAsync(stream, TimeSpan.FromSeconds(20));
        Assert.True(closed, "the connection was kept open");
        Assert.StartsWith("HTTP/1.1 408", text, StringComparison.Ordinal);
        Assert.Contains("Connection: close", text, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("StatefulGuard:AdmissionDeadlineSeconds", text, StringComparison.Ordinal);
        Assert.Equal(0, handler.Reading);

        // The server goes on answering others.
        using var next = await Post(client, new ByteArrayContent(Review));
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
    }

    [Fact]
    public async Task A_request_still_queued_at_its_deadline_is_dropped_unevaluated()
    {
        var (webhook, client, clock) = await StartAsync(permits: 1);
        await using var _ = webhook;
        using var __ = client;
        var handler = webhook.Services.GetRequiredService<AdmissionHandler>();
        var progress = new Changes();
        handler.Progress += progress.Pulse;
        var limit = webhook.Services.GetRequiredService<ConcurrencyLimiter>();
        using var held = await limit.AcquireAsync();

        var queued = Post(client, new ByteArrayContent(Review));
        await progress.UntilAsync(() => limit.GetStatistics()!.CurrentQueuedCount == 1, TimeSpan.FromSeconds(10));
        clock.Advance(TimeSpan.FromSeconds(10));

        using var response = await queued;
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("not evaluated", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0, limit.GetStatistics()!.CurrentQueuedCount);
    }
}
