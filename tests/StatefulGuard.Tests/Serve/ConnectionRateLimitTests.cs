using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using StatefulGuard.Serve;
using StatefulGuard.Tests.Support;

namespace StatefulGuard.Tests.Serve;

/// <summary>New connections beyond the rate wait or are closed before any TLS work; established ones are not affected.</summary>
public sealed class ConnectionRateLimitTests
{
    [Fact]
    public async Task A_flood_of_new_connections_from_one_address_is_closed_beyond_what_may_wait_and_admissions_go_on()
    {
        await using var app = ServeCommand.Build([
            "--urls", "http://127.0.0.1:0", "--StatefulGuard:Cluster:Source=None", "--StatefulGuard:WarmupMilliseconds=0",
            "--StatefulGuard:MaxNewConnectionsPerSecond=10",
        ]);
        await app.StartAsync();
        var uri = new Uri(app.Urls.Single());
        var limit = app.Services.GetRequiredService<ConnectionRateLimit>();

        // An established client (the apiserver) first.
        using var client = new HttpClient { BaseAddress = uri };
        using (var first = await client.GetAsync(new Uri("/healthz", UriKind.Relative)))
        {
            Assert.True(first.IsSuccessStatusCode);
        }

        // Then 30 connections at once from one address: one may start at once, ten may wait (half the rate, for two
        // seconds), the rest are closed at once.
        var flood = new List<TcpClient>();
        var closed = 0;
        for (var i = 0; i < 30; i++)
        {
            var tcp = new TcpClient();
            try
            {
                await tcp.ConnectAsync(uri.Host, uri.Port);
                flood.Add(tcp);
            }
            catch (SocketException)
            {
                // Closed so soon that the reset reached the connect itself.
                closed++;
                tcp.Dispose();
            }
        }

        foreach (var tcp in flood)
        {
            var (_, wasClosed) = await RawHttp.ReadUntilClosedAsync(tcp.GetStream(), TimeSpan.FromMilliseconds(200));
            closed += wasClosed ? 1 : 0;
            tcp.Dispose();
        }

        Assert.True(closed >= 15, $"only {closed} of 30 closed");
        Assert.True(limit.Refused >= 15, $"only {limit.Refused} refused");

        // The established connection goes on answering.
        using var content = new ByteArrayContent(System.Text.Encoding.UTF8.GetBytes(AdmissionReviews.Create(Fixtures.StatefulSet("flood")).ToJsonString()));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using var review = await client.PostAsync(new Uri("/validate", UriKind.Relative), content);
        Assert.True(review.IsSuccessStatusCode);
        await app.StopAsync();
    }
}
