namespace StatefulGuard.Core.Cluster.Api;

/// <summary>How long a loop that talks to the apiserver waits before trying again after a failure.</summary>
public static class Backoff
{
    public static readonly TimeSpan First = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest wait the apiserver's Retry-After is honoured up to.</summary>
    public static readonly TimeSpan MaxRetryAfter = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Twice the last wait (from <see cref="First"/>), at most <paramref name="max"/>, with ±20 % jitter so that replicas
    /// do not hammer a recovering apiserver in step; at least what the apiserver asked for in a Retry-After.
    /// </summary>
    public static TimeSpan Next(TimeSpan current, TimeSpan max, Exception? cause = null)
    {
        var next = current <= TimeSpan.Zero ? First : current * 2;
        if (next > max)
        {
            next = max;
        }

        next *= 0.8 + (Random.Shared.NextDouble() * 0.4);
        if (cause is ApiException { RetryAfter: { } asked })
        {
            var bounded = asked > MaxRetryAfter ? MaxRetryAfter : asked;
            if (bounded > next)
            {
                next = bounded;
            }
        }

        return next;
    }
}
