using System.Diagnostics;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace StatefulGuard.Bench;

/// <summary>
/// Hostile slow clients against the webhook, with real reviews measured meanwhile: <c>--connections</c> TLS connections
/// each declare a large body and send it at <c>--trickle-bytes</c> a second (just above Kestrel's minimum data rate),
/// reconnecting whenever the server answers or closes; real reviews go over HTTP/2 at <c>--rate</c> a second. Prints the
/// real reviews' latency (p50, p99, max), how many were refused or failed, and what the trickling clients got.
/// </summary>
internal static class SlowClients
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };


    /// <summary>The CA of the webhook's serving certificate (certs/generate.sh wrote both).</summary>
    private static X509Certificate2? trusted;

    private static bool Trusted(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null || trusted is null)
        {
            return false;
        }

        using var own = new X509Chain();
        own.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        own.ChainPolicy.CustomTrustStore.Add(trusted);
        own.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var presented = new X509Certificate2(certificate);
        return own.Build(presented);
    }

    /// <summary><c>trickle</c>: the hostile clients, until killed; <c>measure</c>: the real reviews, in a process of their own.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var options = args.Skip(1).Chunk(2).ToDictionary(p => p[0], p => p[1]);
        var url = new Uri(options["--url"]);
        using var ca = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(options["--ca"]));
        trusted = ca;
        return args.FirstOrDefault() == "trickle" ? await TrickleAllAsync(url, options) : await MeasureAllAsync(url, options);
    }

    private static int Int(Dictionary<string, string> options, string name, string fallback) =>
        int.Parse(options.GetValueOrDefault(name, fallback), System.Globalization.CultureInfo.InvariantCulture);

    private static async Task<int> TrickleAllAsync(Uri url, Dictionary<string, string> options)
    {
        var connections = Int(options, "--connections", "1000");
        var trickle = Int(options, "--trickle-bytes", "6144");
        // Many clients, as many pods would be: source addresses 127.0.0.2 and up (every 127/8 address is this machine's).
        var sources = Int(options, "--sources", "1");
        var stats = new TrickleStats();
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
        AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.Cancel();
        var tricklers = Enumerable.Range(0, connections).Select(i => Task.Run(() => TrickleAsync(url, trickle, stats, i, sources, stop.Token))).ToArray();
        var said = false;
        while (!stop.IsCancellationRequested)
        {
            if (!said && Volatile.Read(ref stats.Open) >= connections)
            {
                said = true;
                Console.WriteLine($"open {connections}");
            }

            try
            {
                await Task.Delay(TimeSpan.FromSeconds(1), stop.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            Console.WriteLine($"trickle 408={Volatile.Read(ref stats.Answered408)} other={Volatile.Read(ref stats.OtherAnswers)} closed={Volatile.Read(ref stats.Closed)}");
        }

        await Task.WhenAll(tricklers);
        return 0;
    }

    private static async Task<int> MeasureAllAsync(Uri url, Dictionary<string, string> options)
    {
        var review = await File.ReadAllBytesAsync(options["--body"]);
        var measured = await MeasureAsync(url, review, Int(options, "--rate", "100"), TimeSpan.FromSeconds(Int(options, "--seconds", "30")),
            options.GetValueOrDefault("--start-after"));
        var latencies = measured.Latencies.Order().ToArray();
        double Percentile(double p) => latencies.Length == 0 ? double.NaN : latencies[Math.Min(latencies.Length - 1, (int)Math.Ceiling(p * latencies.Length) - 1)];
        var summary = new Dictionary<string, object>
        {
            ["reviews_sent"] = measured.Sent,
            ["reviews_ok"] = latencies.Length,
            ["reviews_refused"] = measured.Refused,
            ["reviews_failed"] = measured.Failed,
            ["p50_ms"] = Math.Round(Percentile(0.50), 2),
            ["p99_ms"] = Math.Round(Percentile(0.99), 2),
            ["max_ms"] = Math.Round(latencies.Length == 0 ? double.NaN : latencies[^1], 2),
            ["over_10s"] = latencies.Count(l => l > 10_000),
            ["worst_ms_by_second"] = string.Join(" ", measured.WorstBySecond.Select(w => $"{w.Key}:{w.Value:0}")),
        };
        Console.WriteLine(JsonSerializer.Serialize(summary, Indented));
        return 0;
    }

    private sealed class TrickleStats
    {
#pragma warning disable SA1401, CA1051 // counters updated with Interlocked
        public int Open;
        public int Answered408;
        public int OtherAnswers;
        public int Closed;
#pragma warning restore SA1401, CA1051
    }

    /// <summary>One hostile client: connect, declare a 1 MB body, send it slowly until answered or dropped; again.</summary>
    private static async Task TrickleAsync(Uri url, int bytesPerSecond, TrickleStats stats, int index, int sources, CancellationToken stop)
    {
        var first = true;
        var chunk = new byte[Math.Max(1, bytesPerSecond / 8)];
        Array.Fill(chunk, (byte)' ');
        while (!stop.IsCancellationRequested)
        {
            try
            {
                using var tcp = sources > 1
                    ? new TcpClient(new System.Net.IPEndPoint(System.Net.IPAddress.Parse($"127.0.{(index % sources / 250) + 1}.{(index % sources % 250) + 2}"), 0))
                    : new TcpClient();
                await tcp.ConnectAsync(url.Host, url.Port, stop);
                await using Stream tls = url.Scheme == "https" ? new SslStream(tcp.GetStream(), false, Trusted) : tcp.GetStream();
                if (tls is SslStream ssl)
                {
                    await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost", ApplicationProtocols = [SslApplicationProtocol.Http11] }, stop);
                }

                var head = $"POST /validate HTTP/1.1\r\nHost: {url.Host}\r\nContent-Type: application/json\r\nContent-Length: {1024 * 1024}\r\n\r\n{{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{{\"uid\":\"slow-{index}\",\"pad\":\"";
                await tls.WriteAsync(Encoding.ASCII.GetBytes(head), stop);
                if (first)
                {
                    first = false;
                    Interlocked.Increment(ref stats.Open);
                }

                var answer = ReadAnswerAsync(tls, stop);
                using var pace = new PeriodicTimer(TimeSpan.FromMilliseconds(125));
                while (!answer.IsCompleted && await pace.WaitForNextTickAsync(stop))
                {
                    await tls.WriteAsync(chunk, stop);
                }

                var status = await answer;
                if (status == 408)
                {
                    Interlocked.Increment(ref stats.Answered408);
                }
                else if (status > 0)
                {
                    Interlocked.Increment(ref stats.OtherAnswers);
                }
                else
                {
                    Interlocked.Increment(ref stats.Closed);
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception ex) when (ex is IOException or SocketException or AuthenticationException)
            {
                Interlocked.Increment(ref stats.Closed);
            }
        }
    }

    /// <summary>The status of the server's answer; 0 when it closed without one.</summary>
    private static async Task<int> ReadAnswerAsync(Stream tls, CancellationToken stop)
    {
        var buffer = new byte[512];
        try
        {
            var read = await tls.ReadAsync(buffer, stop);
            var text = Encoding.ASCII.GetString(buffer, 0, read);
            return text.StartsWith("HTTP/1.1 ", StringComparison.Ordinal) && int.TryParse(text.AsSpan(9, 3), out var status) ? status : 0;
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException)
        {
            return 0;
        }
    }

    private sealed record Measured(List<double> Latencies, int Sent, int Refused, int Failed)
    {
        /// <summary>The slowest answer of each second of the run (when the slow ones came).</summary>
        public SortedDictionary<int, double> WorstBySecond { get; } = [];
    }

    /// <summary>Real reviews over HTTP/2 at a steady rate, as the apiserver sends them; each timed from send to the whole answer.</summary>
    /// <param name="startAfter">
    /// A file whose appearance starts the measurement: before it, the client connects and sends a few reviews, as the
    /// apiserver has its connections open long before anyone attacks the webhook.
    /// </param>
    private static async Task<Measured> MeasureAsync(Uri url, byte[] review, int rate, TimeSpan duration, string? startAfter)
    {
        using var client = new HttpClient(new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = Trusted },
            EnableMultipleHttp2Connections = true,
        })
        {
            // Over plain HTTP (a comparison without TLS) HTTP/1.1, as Kestrel serves it there.
            DefaultRequestVersion = url.Scheme == "https" ? System.Net.HttpVersion.Version20 : System.Net.HttpVersion.Version11,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = TimeSpan.FromSeconds(30),
        };
        if (startAfter is not null)
        {
            for (var i = 0; i < 20; i++)
            {
                using var content = new ByteArrayContent(review);
                content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
                using var response = await client.PostAsync(new Uri(url, "/validate"), content);
            }

            Console.Error.WriteLine("warm");
            while (!File.Exists(startAfter))
            {
                await Task.Delay(100);
            }
        }

        var latencies = new List<double>();
        var worst = new SortedDictionary<int, double>();
        int refused = 0, failed = 0, sent = 0;
        var inFlight = new List<Task>();
        using var pace = new PeriodicTimer(TimeSpan.FromSeconds(1.0 / rate));
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < duration && await pace.WaitForNextTickAsync())
        {
            sent++;
            var second = (int)clock.Elapsed.TotalSeconds;
            inFlight.Add(Task.Run(async () =>
            {
                var started = Stopwatch.GetTimestamp();
                try
                {
                    using var content = new ByteArrayContent(review);
                    content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
                    using var response = await client.PostAsync(new Uri(url, "/validate"), content);
                    await response.Content.ReadAsByteArrayAsync();
                    var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                    lock (latencies)
                    {
                        if (response.IsSuccessStatusCode)
                        {
                            latencies.Add(ms);
                            worst[second] = Math.Max(worst.GetValueOrDefault(second), ms);
                        }
                        else
                        {
                            refused++;
                        }
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                    Interlocked.Increment(ref failed);
                }
            }));
        }

        await Task.WhenAll(inFlight);
        var measured = new Measured(latencies, sent, refused, failed);
        foreach (var (second, ms) in worst)
        {
            measured.WorstBySecond[second] = ms;
        }

        return measured;
    }
}
