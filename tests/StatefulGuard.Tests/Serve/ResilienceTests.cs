using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using StatefulGuard.Serve;
using StatefulGuard.Tests.Support;

namespace StatefulGuard.Tests.Serve;

/// <summary>Shutdown under load, certificate rotation under load, slow clients and client-certificate authentication.</summary>
public sealed class ResilienceTests : IDisposable
{
    private readonly TestCertificates certs = new();

    public void Dispose() => certs.Dispose();

    private static readonly byte[] Review = Encoding.UTF8.GetBytes(AdmissionReviews.Create(Fixtures.StatefulSet("drain")).ToJsonString());

    /// <summary>A body sent in two halves with a pause between them: a request that is in flight for a while.</summary>
    private sealed class SlowContent(byte[] body, Task resume) : HttpContent
    {
        private readonly TaskCompletionSource halfSent = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Completes once the headers and half the body are on the wire.</summary>
        public Task HalfSent => halfSent.Task;

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.WriteAsync(body.AsMemory(0, body.Length / 2));
            await stream.FlushAsync();
            halfSent.TrySetResult();
            await resume;
            await stream.WriteAsync(body.AsMemory(body.Length / 2));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = body.Length;
            return true;
        }
    }

    [Fact]
    [Trait("Category", "Binary")]
    public async Task Sigterm_lets_every_in_flight_admission_finish_and_exits_cleanly()
    {
        var port = LoopbackPort.Free();
        var info = Repository.Executable(["serve", "--urls", $"http://127.0.0.1:{port}"]);

        info.Environment["StatefulGuard__Cluster__Source"] = "None";
        // 24 connections opened at once by the test: not a flood to throttle here.
        info.Environment["StatefulGuard__MaxNewConnectionsPerSecond"] = "0";
        using var process = Process.Start(info)!;
        var log = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var lines = new Changes();
        process.OutputDataReceived += (_, e) => { log.Enqueue(e.Data ?? ""); lines.Pulse(); };
        process.ErrorDataReceived += (_, e) => { log.Enqueue(e.Data ?? ""); lines.Pulse(); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
        // The process says when it is ready; /readyz must then agree.
        await lines.UntilAsync(() => log.Any(l => l.Contains(StatefulGuard.Serve.Health.ReadinessLog.Message, StringComparison.Ordinal)), TimeSpan.FromSeconds(20));
        Assert.True((await client.GetAsync(new Uri("/readyz", UriKind.Relative))).IsSuccessStatusCode);

        // 24 admissions in flight (half their body sent) when SIGTERM arrives.
        var resume = new TaskCompletionSource();
        var contents = Enumerable.Range(0, 24).Select(_ => new SlowContent(Review, resume.Task)).ToArray();
        var inFlight = contents.Select(content =>
        {
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            return client.PostAsync(new Uri("/validate", UriKind.Relative), content);
        }).ToArray();
        await Task.WhenAll(contents.Select(c => c.HalfSent)).WaitAsync(TimeSpan.FromSeconds(20));

        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        // The host has begun shutting down (its lifetime says so) before the rest of the bodies arrive.
        await lines.UntilAsync(() => log.Any(l => l.Contains("Application is shutting down", StringComparison.Ordinal)), TimeSpan.FromSeconds(20));
        resume.SetResult();
        var responses = await Task.WhenAll(inFlight);

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.All(await Task.WhenAll(responses.Select(r => r.Content.ReadAsStringAsync())), body => Assert.Contains("\"uid\"", body));
        using var exited = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(exited.Token);
        Assert.Equal(0, process.ExitCode);
    }

    [Fact]
    public async Task Readiness_turns_false_as_soon_as_shutdown_begins()
    {
        await using var webhook = new WebhookFactory(null);
        var health = webhook.Services.GetRequiredService<HealthCheckService>();
        var lifetime = webhook.Services.GetRequiredService<IHostApplicationLifetime>();
        Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync(c => c.Tags.Contains("ready"))).Status);

        // Asked the moment shutdown begins, while the host still serves its in-flight requests.
        var during = new TaskCompletionSource<HealthStatus>();
        lifetime.ApplicationStopping.Register(() => during.SetResult(health.CheckHealthAsync(c => c.Tags.Contains("ready")).GetAwaiter().GetResult().Status));
        lifetime.StopApplication();

        Assert.Equal(HealthStatus.Unhealthy, await during.Task);
    }

    [Fact]
    public async Task Certificates_replaced_under_load_fail_no_handshake_and_no_request()
    {
        certs.IssueServing("rotating-0");
        await using var app = ServeCommand.Build([
            "--urls", "https://127.0.0.1:0",
            $"--StatefulGuard:Tls:CertFile={certs.CertFile}", $"--StatefulGuard:Tls:KeyFile={certs.KeyFile}",
            "--StatefulGuard:Tls:ReloadIntervalSeconds=1", "--StatefulGuard:Cluster:Source=None", "--StatefulGuard:WarmupMilliseconds=0",
        ]);
        await app.StartAsync();
        var url = new Uri(app.Urls.Single() + "/validate");
        var seen = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        var handshakes = new Changes();
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        using var stop = new CancellationTokenSource();

        async Task Load()
        {
            while (!stop.IsCancellationRequested)
            {
                // A new connection, and so a new handshake, for every request.
                using var handler = new SocketsHttpHandler
                {
                    SslOptions = new SslClientAuthenticationOptions
                    {
                        RemoteCertificateValidationCallback = (_, cert, _, _) =>
                        {
                            using var presented = new X509Certificate2(cert!);
                            seen.AddOrUpdate(presented.Thumbprint, 1, (_, n) => n + 1);
                            handshakes.Pulse();
                            return certs.Validate(presented);
                        },
                    },
                };
                using var client = new HttpClient(handler);
                try
                {
                    using var content = new ByteArrayContent(Review);
                    content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
                    using var response = await client.PostAsync(url, content);
                    if (response.StatusCode != HttpStatusCode.OK)
                    {
                        failures.Add($"HTTP {(int)response.StatusCode}");
                    }
                }
                catch (HttpRequestException ex)
                {
                    failures.Add(ex.Message);
                }
            }
        }

        var load = Enumerable.Range(0, 4).Select(_ => Task.Run(Load)).ToArray();
        for (var i = 1; i <= 6; i++)
        {
            // Each rotation once clients are handshaking with the certificate before it.
            var rotated = certs.IssueServing($"rotating-{i}");
            await handshakes.UntilAsync(() => seen.ContainsKey(rotated), TimeSpan.FromSeconds(20));
        }

        await stop.CancelAsync();
        await Task.WhenAll(load);
        await app.StopAsync();

        Assert.Empty(failures);
        Assert.True(seen.Count >= 3, $"only {seen.Count} certificates seen across {seen.Values.Sum()} handshakes");
    }

    [Fact]
    public async Task Admissions_beyond_the_concurrency_limit_wait_in_the_queue_and_beyond_it_get_503()
    {
        await using var app = ServeCommand.Build([
            "--urls", "http://127.0.0.1:0", "--StatefulGuard:Cluster:Source=None", "--StatefulGuard:WarmupMilliseconds=0",
            "--StatefulGuard:MaxConcurrentAdmissions=2", "--StatefulGuard:AdmissionQueueLength=1",
        ]);
        await app.StartAsync();
        using var client = new HttpClient { BaseAddress = new Uri(app.Urls.Single()), Timeout = TimeSpan.FromSeconds(30) };
        Task<HttpResponseMessage> Post(string path, HttpContent content)
        {
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            return client.PostAsync(new Uri(path, UriKind.Relative), content);
        }

        // Both permits held (as two long evaluations would hold them), then one review that must wait for a permit.
        var limit = app.Services.GetRequiredService<System.Threading.RateLimiting.ConcurrencyLimiter>();
        var held = new[] { await limit.AcquireAsync(), await limit.AcquireAsync() };
        var progress = new Changes();
        app.Services.GetRequiredService<AdmissionHandler>().Progress += progress.Pulse;
        var queued = Post("/validate", new ByteArrayContent(Review));
        await progress.UntilAsync(() => limit.GetStatistics()!.CurrentQueuedCount == 1, TimeSpan.FromSeconds(10));

        using (var rejected = await Post("/mutate", new ByteArrayContent(Review)))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, rejected.StatusCode);
            Assert.Equal("application/json", rejected.Content.Headers.ContentType?.MediaType);
            Assert.Contains("overloaded", await rejected.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.False(queued.IsCompleted);
        using (var probe = await client.GetAsync(new Uri("/healthz", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, probe.StatusCode);
        }

        foreach (var lease in held)
        {
            lease.Dispose();
        }

        using (var response = await queued)
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains("\"uid\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        await app.StopAsync();
    }

    [Fact]
    public async Task A_body_trickled_past_the_deadline_gets_408_and_its_connection_is_closed()
    {
        await using var app = ServeCommand.Build([
            "--urls", "http://127.0.0.1:0", "--StatefulGuard:Cluster:Source=None", "--StatefulGuard:WarmupMilliseconds=0",
            "--StatefulGuard:AdmissionDeadlineSeconds=1",
        ]);
        await app.StartAsync();
        var uri = new Uri(app.Urls.Single());

        // Faster than the minimum data rate (4 KB/s), far too slow for a deadline of 1 s: 256 KB at 16 KB/s.
        var review = AdmissionReviews.Create(Fixtures.StatefulSet("drain"));
        review["request"]!["object"]!["metadata"]!["annotations"] = new System.Text.Json.Nodes.JsonObject { ["padding"] = new string('x', 256 * 1024) };
        var body = Encoding.UTF8.GetBytes(review.ToJsonString());
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(uri.Host, uri.Port);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"POST /validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\n\r\n"));
        using var stop = new CancellationTokenSource();
        var trickle = Task.Run(async () =>
        {
            // The client's pace (16 writes of 1 KB a second), not a wait for the server.
            using var pace = new PeriodicTimer(TimeSpan.FromMilliseconds(1000.0 / 16));
            try
            {
                for (var sent = 0; sent < body.Length && await pace.WaitForNextTickAsync(stop.Token); sent += 1024)
                {
                    await stream.WriteAsync(body.AsMemory(sent, Math.Min(1024, body.Length - sent)), stop.Token);
                }
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException)
            {
                // The server closed the connection.
            }
        });

        var (text, closed) = await RawHttp.ReadUntilClosedAsync(stream, TimeSpan.FromSeconds(30));
        await stop.CancelAsync();
        await trickle;
        Assert.True(closed, "the connection was kept open");
        Assert.StartsWith("HTTP/1.1 408", text, StringComparison.Ordinal);
        Assert.Contains("Connection: close", text, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("AdmissionDeadlineSeconds", text, StringComparison.Ordinal);
        await app.StopAsync();
    }

    [Fact]
    public async Task Slow_client_gets_408_and_the_server_keeps_answering()
    {
        await using var app = ServeCommand.Build(["--urls", "http://127.0.0.1:0", "--StatefulGuard:Cluster:Source=None", "--StatefulGuard:WarmupMilliseconds=0"]);
        await app.StartAsync();
        var uri = new Uri(app.Urls.Single());

        using (var tcp = new TcpClient())
        {
            await tcp.ConnectAsync(uri.Host, uri.Port);
            var stream = tcp.GetStream();
            var head = $"POST /validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {Review.Length}\r\n\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
            await stream.WriteAsync(Review.AsMemory(0, 100)); // then nothing: far below the minimum data rate
            var buffer = new byte[4096];
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            var read = await stream.ReadAsync(buffer, timeout.Token);
            Assert.StartsWith("HTTP/1.1 408", Encoding.ASCII.GetString(buffer, 0, read));
        }

        using var client = new HttpClient();
        using var content = new ByteArrayContent(Review);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync(new Uri(uri, "/validate"), content)).StatusCode);
        await app.StopAsync();
    }

    [Fact]
    public async Task With_a_client_ca_only_its_clients_are_served_and_probes_stay_open()
    {
        certs.IssueServing("serving");
        var caFile = certs.WriteCaFile();
        await using var app = ServeCommand.Build([
            "--urls", "https://127.0.0.1:0",
            $"--StatefulGuard:Tls:CertFile={certs.CertFile}", $"--StatefulGuard:Tls:KeyFile={certs.KeyFile}",
            $"--StatefulGuard:Tls:ClientCaFile={caFile}", "--StatefulGuard:Cluster:Source=None", "--StatefulGuard:WarmupMilliseconds=0",
        ]);
        await app.StartAsync();
        var baseUri = new Uri(app.Urls.Single());

        HttpClient Client(X509Certificate2? clientCertificate) => new(new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, cert, _, _) => certs.Validate(new X509Certificate2(cert!)),
                ClientCertificates = clientCertificate is null ? null : new X509CertificateCollection { clientCertificate },
            },
        });

        async Task<HttpStatusCode> Validate(HttpClient client)
        {
            using var content = new ByteArrayContent(Review);
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            return (await client.PostAsync(new Uri(baseUri, "/validate"), content)).StatusCode;
        }

        using var apiserver = Client(certs.IssueClient("kube-apiserver"));
        Assert.Equal(HttpStatusCode.OK, await Validate(apiserver));

        using var anonymous = Client(null);
        Assert.Equal(HttpStatusCode.Forbidden, await Validate(anonymous));
        using (var refusal = new ByteArrayContent(Review))
        {
            refusal.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            using var refused = await anonymous.PostAsync(new Uri(baseUri, "/mutate"), refusal);
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Equal("application/json", refused.Content.Headers.ContentType?.MediaType);
            Assert.Equal("""{"error":"a client certificate signed by StatefulGuard:Tls:ClientCaFile is required"}""", await refused.Content.ReadAsStringAsync());
        }

        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(new Uri(baseUri, "/healthz"))).StatusCode);

        using var otherCa = new TestCertificates();
        using var stranger = Client(otherCa.IssueClient("stranger"));
        await Assert.ThrowsAsync<HttpRequestException>(() => Validate(stranger));

        await app.StopAsync();
    }

    [Fact]
    public async Task With_client_names_only_the_named_certificate_of_the_ca_is_served()
    {
        certs.IssueServing("serving");
        var caFile = certs.WriteCaFile();
        await using var app = ServeCommand.Build([
            "--urls", "https://127.0.0.1:0",
            $"--StatefulGuard:Tls:CertFile={certs.CertFile}", $"--StatefulGuard:Tls:KeyFile={certs.KeyFile}",
            $"--StatefulGuard:Tls:ClientCaFile={caFile}", "--StatefulGuard:Tls:ClientNames:0=kube-apiserver-webhook-client",
            "--StatefulGuard:Cluster:Source=None", "--StatefulGuard:WarmupMilliseconds=0",
        ]);
        await app.StartAsync();
        var baseUri = new Uri(app.Urls.Single());

        async Task<HttpStatusCode> Validate(X509Certificate2 clientCertificate)
        {
            using var client = new HttpClient(new SocketsHttpHandler
            {
                SslOptions = new SslClientAuthenticationOptions
                {
                    RemoteCertificateValidationCallback = (_, cert, _, _) => certs.Validate(new X509Certificate2(cert!)),
                    ClientCertificates = new X509CertificateCollection { clientCertificate },
                },
            });
            using var content = new ByteArrayContent(Review);
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            return (await client.PostAsync(new Uri(baseUri, "/validate"), content)).StatusCode;
        }

        // Same CA, another name (a kubelet's or a user's certificate from a shared cluster CA): refused at the handshake.
        Assert.Equal(HttpStatusCode.OK, await Validate(certs.IssueClient("kube-apiserver-webhook-client")));
        await Assert.ThrowsAsync<HttpRequestException>(() => Validate(certs.IssueClient("system:node:worker-1")));

        await app.StopAsync();
    }
}
