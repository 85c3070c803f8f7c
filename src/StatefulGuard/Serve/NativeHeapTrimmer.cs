using System.Runtime.InteropServices;

namespace StatefulGuard.Serve;

/// <summary>
/// Gives the C allocator's free memory back to the operating system every ten seconds (glibc's
/// <c>malloc_trim</c>), as Ruby's collector does after a full collection; and once a load has stopped (a burst that left
/// the managed heap far above its settled size, or a sustained load's worth of allocations), when the process has gone
/// quiet, one compacting collection that decommits what it left, after the connections' buffer pools dropped the idle
/// blocks the load left (<see cref="BoundedMemoryPool.Trim"/>).
/// </summary>
/// <remarks>
/// The JIT compiler allocates and frees its working memory through malloc for every method it compiles (tens of
/// thousands while tiered compilation settles under the first load), and TLS connections do the same for their
/// buffers. glibc keeps what was freed inside its heaps, mostly as holes between live blocks, which it returns
/// only when asked: on the benchmark machine 6–8 MB of the process's resident memory after load was such free
/// memory. A trim costs well under a millisecond on a heap this size and takes each heap's lock only while it
/// walks that heap. Other C libraries (musl has no <c>malloc_trim</c>) leave the service idle.
/// </remarks>
internal sealed partial class NativeHeapTrimmer(ILogger<NativeHeapTrimmer> logger, BoundedMemoryPoolFactory? pools = null) : BackgroundService
{
    private readonly Core.Cluster.LoopHealth health = new(logger, "Native heap trimming");

    /// <summary>Replaced in tests; true when memory was returned.</summary>
    internal Func<bool> Trim { get; init; } = static () => MallocTrim(0) != 0;

    internal TimeSpan Period { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How many trims ran.</summary>
    public int Trims => trims;

    private int trims;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var timer = new PeriodicTimer(Period);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    // The connections' idle buffers a burst left first, so that the collection below can take them.
                    pools?.Trim();
                    CollectAfterBurst();
                    Trim();
                    Interlocked.Increment(ref trims);
                }
                catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
                {
                    LogUnavailable(logger, ex.Message);
                    return;
                }
                catch (Exception ex)
                {
                    // A failing background service would stop the host: the trimmer says so once and tries again next period.
                    health.Failed(ex, Period);
                    continue;
                }

                health.Succeeded();
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    /// <summary>Managed memory committed once things settled (after the first period, and after each collection here).</summary>
    private long settledCommitted;

    private long allocatedBefore;

    /// <summary>How many collections a burst caused.</summary>
    public int BurstCollections => burstCollections;

    private int burstCollections;

    /// <summary>Allocated in total when the last collection here ran.</summary>
    private long allocatedAtCollection;

    /// <summary>
    /// After a load stops, the garbage collector has no reason to run, and what the load committed stays resident: after
    /// a burst (the largest reviews, or a hostile client, by the hundred) the heap far above its settled size, after a
    /// sustained load the last gen0 budget's worth. Once the process has gone quiet (little allocated in the last
    /// period), one compacting collection that returns the freed memory to the system brings it back: when the heap
    /// holds far more than it did once settled, or when a load's worth was allocated since the last such collection.
    /// Under load it never runs; at a trickle of admissions, about once per <see cref="LoadBytes"/> allocated.
    /// </summary>
    private void CollectAfterBurst()
    {
        var allocated = GC.GetTotalAllocatedBytes();
        var quiet = allocated - allocatedBefore < QuietBytes;
        allocatedBefore = allocated;
        var committed = GC.GetGCMemoryInfo().TotalCommittedBytes;
        if (settledCommitted == 0)
        {
            settledCommitted = committed;
            allocatedAtCollection = allocated;
            return;
        }

        if (quiet && (committed > settledCommitted + BurstBytes || allocated - allocatedAtCollection > LoadBytes))
        {
            GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            Interlocked.Increment(ref burstCollections);
            settledCommitted = Math.Max(GC.GetGCMemoryInfo().TotalCommittedBytes, 1);
            allocatedBefore = allocatedAtCollection = GC.GetTotalAllocatedBytes();
        }
        else if (quiet)
        {
            settledCommitted = Math.Min(settledCommitted, committed);
        }
    }

    /// <summary>Allocated in a period below which the process is quiet.</summary>
    internal long QuietBytes { get; init; } = DefaultQuietBytes;

    internal const long DefaultQuietBytes = 32L * 1024 * 1024;

    private const long BurstBytes = 16L * 1024 * 1024;

    /// <summary>What a load allocates before a quiet period earns a collection (~15,000 admissions).</summary>
    internal long LoadBytes { get; init; } = DefaultLoadBytes;

    internal const long DefaultLoadBytes = 256L * 1024 * 1024;

    [DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int MallocTrim(nuint pad);

    [LoggerMessage(Level = LogLevel.Debug, Message = "native heap trimming unavailable on this C library: {Reason}")]
    private static partial void LogUnavailable(ILogger logger, string reason);

}
