using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Connections;

namespace StatefulGuard.Serve;

/// <summary>
/// How many new connections a second Kestrel takes on, before their TLS handshake: in all
/// (<c>StatefulGuard:MaxNewConnectionsPerSecond</c>) and from any one address (half of that). Clients that reconnect
/// by the thousand (every slow client answered 408 at once, say) would otherwise spend the webhook's CPU on handshakes
/// while the apiserver's requests on its established connections wait; and one address cannot take the whole budget,
/// so the kubelet's probes and a reconnecting apiserver still get in. A connection beyond the rate waits its turn for at
/// most a few seconds (waiting costs a socket, no CPU); beyond that it is closed at once, before any TLS work.
/// </summary>
internal sealed class ConnectionRateLimit : IDisposable
{
    private readonly PartitionedRateLimiter<ConnectionContext>? limiter;

    public ConnectionRateLimit(int perSecond)
    {
        if (perSecond <= 0)
        {
            return;
        }

        var perAddress = Math.Max(1, perSecond / 2);
        limiter = PartitionedRateLimiter.CreateChained(
            PartitionedRateLimiter.Create<ConnectionContext, IPAddress>(connection =>
                RateLimitPartition.GetTokenBucketLimiter(Address(connection), _ => Bucket(perAddress, waitSeconds: 2))),
            PartitionedRateLimiter.Create<ConnectionContext, bool>(_ => RateLimitPartition.GetTokenBucketLimiter(true, _ => Bucket(perSecond, waitSeconds: 2))));
    }

    /// <summary>Connections closed because too many were waiting.</summary>
    public long Refused => Interlocked.Read(ref refused);

    private long refused;

    /// <summary>
    /// A tenth of the rate every 100 ms, without saving up more (a burst of handshakes would take the CPU at once), and
    /// at most <paramref name="waitSeconds"/> worth of connections waiting.
    /// </summary>
    private static TokenBucketRateLimiterOptions Bucket(int perSecond, int waitSeconds) => new()
    {
        TokenLimit = Math.Max(1, perSecond / 10),
        TokensPerPeriod = Math.Max(1, perSecond / 10),
        ReplenishmentPeriod = TimeSpan.FromMilliseconds(100),
        QueueLimit = perSecond * waitSeconds,
        QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        AutoReplenishment = true,
    };

    private static IPAddress Address(ConnectionContext connection) =>
        (connection.RemoteEndPoint as IPEndPoint)?.Address is { } address ? (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address) : IPAddress.None;

    /// <summary>The connection middleware, first on every endpoint (before TLS).</summary>
    public ConnectionDelegate Wrap(ConnectionDelegate next) =>
        limiter is null ? next : async connection =>
        {
            using var lease = await limiter.AcquireAsync(connection, 1, connection.ConnectionClosed);
            if (!lease.IsAcquired)
            {
                Interlocked.Increment(ref refused);
                AdmissionMetrics.Dropped.WithLabels("connection-rate").Inc();
                connection.Abort(new ConnectionAbortedException("too many new connections (StatefulGuard:MaxNewConnectionsPerSecond)"));
                return;
            }

            await next(connection);
        };

    public void Dispose() => limiter?.Dispose();
}
