using System.Collections.Concurrent;
using System.Threading.Channels;
using k8s.Models;

namespace StatefulGuard.Serve.Reports;

/// <summary>
/// The StatefulSets waiting to be judged ("namespace/name", with when the first change that asked for it arrived), the
/// whole objects that watch events brought for them (the cache keeps only what the rules look up of each), and the
/// signal that wakes the worker. Filled from the caches' loops, drained by the one worker.
/// </summary>
internal sealed class ReportQueue(TimeProvider clock)
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> pending = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, V1StatefulSet> fresh = new(StringComparer.Ordinal);
    private readonly Channel<bool> wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private TaskCompletionSource drained = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool IsEmpty => pending.IsEmpty;

    /// <summary>Completes the next time the worker finds nothing left to do.</summary>
    public Task NextDrain => Volatile.Read(ref drained).Task;

    public static string Key(string @namespace, string name) => @namespace + "/" + name;

    public static (string Namespace, string Name) Split(string key)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        return (key[..slash], key[(slash + 1)..]);
    }

    /// <summary>Asks for the StatefulSet to be judged (once, however often it is asked before it is).</summary>
    public string Enqueue(string @namespace, string name)
    {
        var key = Key(@namespace, name);
        pending.TryAdd(key, clock.GetUtcNow());
        return key;
    }

    /// <summary>Asks again for one that could not be judged or written, keeping when it was first asked for.</summary>
    public void Retry(string key, DateTimeOffset since, V1StatefulSet? whole)
    {
        pending.TryAdd(key, since);
        if (whole is not null)
        {
            fresh.TryAdd(key, whole);
        }
    }

    /// <summary>The whole object a watch event brought, judged instead of listing it again.</summary>
    public void Offer(string key, V1StatefulSet whole) => fresh[key] = whole;

    public void Wake() => wake.Writer.TryWrite(true);

    public ValueTask<bool> WaitAsync(CancellationToken cancellationToken) => wake.Reader.ReadAsync(cancellationToken);

    /// <summary>What is pending now, in key order.</summary>
    public IReadOnlyList<string> Keys() => [.. pending.Keys.Order(StringComparer.Ordinal)];

    public bool TryTake(string key, out DateTimeOffset since) => pending.TryRemove(key, out since);

    public bool TryTakeWhole(string key, out V1StatefulSet whole) => fresh.TryRemove(key, out whole!);

    /// <summary>After a pass: completes <see cref="NextDrain"/> when nothing is left, else wakes the worker again.</summary>
    public void PassDone()
    {
        if (pending.IsEmpty)
        {
            Interlocked.Exchange(ref drained, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        }
        else
        {
            Wake();
        }
    }

    public void Clear()
    {
        pending.Clear();
        fresh.Clear();
    }
}
