using System.Collections.Concurrent;
using StatefulGuard.Core.Cluster.Api;

namespace StatefulGuard.Serve.Cluster;

/// <summary>
/// Objects the apiserver sent that could not be read, wherever they came from (caches, reports, the Lease): each is
/// counted in <c>statefulguard_malformed_objects_total</c>; the first of a kind and source is logged with its name and
/// reason, then at most one line a minute with how many more there were.
/// </summary>
internal sealed partial class MalformedObjectLog(ILogger<MalformedObjectLog> logger, TimeProvider clock)
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<(string Kind, string Source), Said> said = new();

    /// <summary>Malformed objects seen so far.</summary>
    public long Total => Interlocked.Read(ref total);

    private long total;

    /// <summary>Raised after each one is counted.</summary>
    public event Action<MalformedObject>? Reported;

    public void Report(MalformedObject malformed)
    {
        ClusterMetrics.MalformedObjects.WithLabels(malformed.Kind, malformed.Source).Inc();
        Interlocked.Increment(ref total);
        var now = clock.GetUtcNow();
        var state = said.GetOrAdd((malformed.Kind, malformed.Source), _ => new Said());
        int skipped;
        lock (state)
        {
            if (state.Last is { } last && now - last < Quiet)
            {
                state.Since++;
                Reported?.Invoke(malformed);
                return;
            }

            skipped = state.Since;
            state.Last = now;
            state.Since = 0;
        }

        LogMalformed(logger, malformed.Kind, malformed.Source, malformed.Name.Length > 0 ? malformed.Name : "(no name)", malformed.Reason, skipped);
        Reported?.Invoke(malformed);
    }

    private sealed class Said
    {
        public DateTimeOffset? Last { get; set; }

        public int Since { get; set; }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Skipped a {Kind} from the apiserver ({Source}) that cannot be read: {Name}: {Reason} ({Skipped} more skipped since the last such line)")]
    private static partial void LogMalformed(ILogger logger, string kind, string source, string name, string reason, int skipped);
}
