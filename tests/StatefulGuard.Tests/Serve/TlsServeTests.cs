using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using StatefulGuard.Serve;
using StatefulGuard.Tests.Support;

namespace StatefulGuard.Tests.Serve;

/// <summary>The real <c>serve</c> host on Kestrel over TLS, as the apiserver calls it (HTTP/2), with certificate rotation.</summary>
public sealed class TlsServeTests : IDisposable
{
    private readonly TestCertificates certs = new();

    public void Dispose() => certs.Dispose();

    [Fact]
    public async Task Serves_http2_over_tls_and_picks_up_a_rotated_certificate_on_the_next_handshake()
    {
        var first = certs.IssueServing("statefulguard-1");
        await using var app = ServeCommand.Build(Args());
        await app.StartAsync();
        var url = app.Urls.Single();

        var (seen, version, body) = await CallAsync(url);
        Assert.Equal(first, seen);
        Assert.Equal(HttpVersion.Version20, version);
        Assert.Contains("\"allowed\":", body);

        // An established connection survives the rotation.
        using var kept = Client(out var keptSeen);
        Assert.True((await kept.GetAsync(new Uri(url + "/healthz"))).IsSuccessStatusCode);

        var loads = Loads(app);
        var second = certs.IssueServing("statefulguard-2");
        var rotated = await loads.UntilAsync(() => CallAsync(url), r => r.Thumbprint == second, TimeSpan.FromSeconds(5));
        Assert.Equal(second, rotated.Thumbprint);

        using var again = await kept.GetAsync(new Uri(url + "/healthz"));
        Assert.True(again.IsSuccessStatusCode);
        Assert.Equal(first, keptSeen());

        await app.StopAsync();
    }

    [Fact]
    public async Task Connections_take_their_buffers_from_the_bounded_pool()
    {
        certs.IssueServing("statefulguard-1");
        await using var app = ServeCommand.Build(Args());
        await app.StartAsync();

        var (_, _, body) = await CallAsync(app.Urls.Single());
        Assert.Contains("\"allowed\":", body);

        // Kestrel's socket transport asked the container's factory for its pool, and the request's bytes went through it.
        var factory = Assert.IsType<BoundedMemoryPoolFactory>(
            app.Services.GetRequiredService<Microsoft.AspNetCore.Connections.IMemoryPoolFactory<byte>>());
        Assert.Contains(factory.Pools, p => p.AllocatedBlocks > 0);
        Assert.All(factory.Pools, p => Assert.Equal(BoundedMemoryPoolFactory.DefaultMinIdleBlocks, p.MinIdleBlocks));
        await app.StopAsync();
    }

    [Fact]
    public async Task A_half_written_pair_keeps_the_previous_certificate()
    {
        var first = certs.IssueServing("statefulguard-1");
        await using var app = ServeCommand.Build(Args());
        await app.StartAsync();
        var url = app.Urls.Single();

        var store = app.Services.GetRequiredService<CertificateStore>();
        var rejected = store.RejectedPairs;
        var loads = Loads(app);
        await File.WriteAllTextAsync(certs.KeyFile, "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n");
        await loads.UntilAsync(() => store.RejectedPairs > rejected, TimeSpan.FromSeconds(10));

        Assert.Equal(first, (await CallAsync(url)).Thumbprint);
        await app.StopAsync();
    }

    [Fact]
    public async Task A_key_of_another_pair_keeps_the_previous_certificate_and_the_server_running()
    {
        var first = certs.IssueServing("statefulguard-1");
        await using var app = ServeCommand.Build(Args());
        await app.StartAsync();
        var url = app.Urls.Single();

        // Both the change watcher (200 ms) and the 1 s poll read the mismatched pair.
        var store = app.Services.GetRequiredService<CertificateStore>();
        var rejected = store.RejectedPairs;
        var loads = Loads(app);
        certs.WriteUnrelatedKey();
        await loads.UntilAsync(() => store.RejectedPairs >= rejected + 2, TimeSpan.FromSeconds(10));
        Assert.Equal(first, (await CallAsync(url)).Thumbprint);

        // The rotation completes and is picked up.
        var second = certs.IssueServing("statefulguard-2");
        var rotated = await loads.UntilAsync(() => CallAsync(url), r => r.Thumbprint == second, TimeSpan.FromSeconds(5));
        Assert.Equal(second, rotated.Thumbprint);
        await app.StopAsync();
    }

    [Fact]
    public void Reading_a_key_of_another_pair_installs_nothing_and_throws_nothing()
    {
        var first = certs.IssueServing("statefulguard-1");
        var options = new StatefulGuard.Configuration.StatefulGuardOptions();
        options.Tls.CertFile = certs.CertFile;
        options.Tls.KeyFile = certs.KeyFile;
        using var store = new CertificateStore(
            Microsoft.Extensions.Options.Options.Create(options),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<CertificateStore>.Instance);
        Assert.Equal(first, store.RequireForHttps().Thumbprint);

        certs.WriteUnrelatedKey();
        Assert.False(store.Reload());
        Assert.Equal(first, store.Current!.Thumbprint);
    }

    [Fact]
    public async Task A_key_of_another_pair_at_start_stops_start_up_naming_the_key()
    {
        certs.IssueServing("statefulguard-1");
        certs.WriteUnrelatedKey();
        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var app = ServeCommand.Build(Args());
            await app.StartAsync();
        });

        Assert.Contains("StatefulGuard:Tls:KeyFile", error.Message + error.InnerException?.Message);
    }

    [Fact]
    public async Task Missing_certificate_stops_start_up_naming_the_key()
    {
        var args = Args();
        args[Array.IndexOf(args, $"--StatefulGuard:Tls:CertFile={certs.CertFile}")] = "--StatefulGuard:Tls:CertFile=/nonexistent/tls.crt";
        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var app = ServeCommand.Build(args);
            await app.StartAsync();
        });

        Assert.Contains("StatefulGuard:Tls:CertFile", error.Message + error.InnerException?.Message);
    }

    private string[] Args() =>
    [
        "--urls", "https://127.0.0.1:0",
        $"--StatefulGuard:Tls:CertFile={certs.CertFile}",
        $"--StatefulGuard:Tls:KeyFile={certs.KeyFile}",
        "--StatefulGuard:Tls:ReloadIntervalSeconds=1",
        "--StatefulGuard:Cluster:Source=None",
    ];

    private HttpClient Client(out Func<string?> thumbprint)
    {
        string? seen = null;
        thumbprint = () => seen;
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, cert, _, _) =>
                {
                    using var presented = new X509Certificate2(cert!);
                    seen = presented.Thumbprint;
                    return certs.Validate(presented);
                },
            },
        };
        return new HttpClient(handler) { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
    }

    /// <summary>Pulsed each time the server's certificate store loads or rejects a pair.</summary>
    private static Changes Loads(WebApplication app)
    {
        var changes = new Changes();
        app.Services.GetRequiredService<CertificateStore>().Changed += changes.Pulse;
        return changes;
    }

    private async Task<(string? Thumbprint, Version Version, string Body)> CallAsync(string url)
    {
        using var client = Client(out var thumbprint);
        var review = AdmissionReviews.Create(Fixtures.StatefulSet("tls")).ToJsonString();
        using var content = new StringContent(review, Encoding.UTF8, "application/json");
        using var response = await client.PostAsync(new Uri(url + "/validate"), content);
        return (thumbprint(), response.Version, await response.Content.ReadAsStringAsync());
    }
}
