using System.Runtime.InteropServices;

namespace StatefulGuard.Serve;

/// <summary>
/// Gives the C allocator's free memory back to the operating system every ten seconds (glibc's
/// <c>malloc_trim</c>), as Ruby's collector does after a full collection; and after a burst that left the managed
/// heap far above its settled size, once the process has gone quiet, one compacting collection that decommits it, after
/// the connections' buffer pools dropped the idle blocks the burst left (<see cref="BoundedMemoryPool.Trim"/>).
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

    /// <summary>
    /// After a burst (the largest reviews, or a hostile client, by the hundred), the garbage collector has no reason to
    /// run once the load stops, and the memory the burst committed stays resident. When the managed heap holds far
    /// more than it did once settled and the process has gone quiet (little allocated since the last period), one
    /// compacting collection that returns the freed memory to the system brings it back. Under load it never runs.
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
            return;
        }

        if (quiet && committed > settledCommitted + BurstBytes)
        {
            GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            Interlocked.Increment(ref burstCollections);
            settledCommitted = Math.Max(GC.GetGCMemoryInfo().TotalCommittedBytes, 1);
            allocatedBefore = GC.GetTotalAllocatedBytes();
        }
        else if (quiet)
        {
            settledCommitted = Math.Min(settledCommitted, committed);
        }
    }

    private const long QuietBytes = 32L * 1024 * 1024;

    private const long BurstBytes = 48L * 1024 * 1024;

    [DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int MallocTrim(nuint pad);

    [LoggerMessage(Level = LogLevel.Debug, Message = "native heap trimming unavailable on this C library: {Reason}")]
    private static partial void LogUnavailable(ILogger logger, string reason);

}
