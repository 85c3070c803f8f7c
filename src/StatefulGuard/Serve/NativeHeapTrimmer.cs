using System.Runtime.InteropServices;

namespace StatefulGuard.Serve;

/// <summary>
/// Gives the C allocator's free memory back to the operating system every ten seconds (glibc's
/// <c>malloc_trim</c>), as Ruby's collector does after a full collection.
/// </summary>
/// <remarks>
/// The JIT compiler allocates and frees its working memory through malloc for every method it compiles (tens of
/// thousands while tiered compilation settles under the first load), and TLS connections do the same for their
/// buffers. glibc keeps what was freed inside its heaps, mostly as holes between live blocks, which it returns
/// only when asked: on the benchmark machine 6–8 MB of the process's resident memory after load was such free
/// memory. A trim costs well under a millisecond on a heap this size and takes each heap's lock only while it
/// walks that heap. Other C libraries (musl has no <c>malloc_trim</c>) leave the service idle.
/// </remarks>
internal sealed partial class NativeHeapTrimmer(ILogger<NativeHeapTrimmer> logger) : BackgroundService
{
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
                    Trim();
                    Interlocked.Increment(ref trims);
                }
                catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
                {
                    LogUnavailable(logger, ex.Message);
                    return;
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    // A failing background service would stop the host: the webhook goes on without trimming.
                    LogFailed(logger, ex);
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    [DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int MallocTrim(nuint pad);

    [LoggerMessage(Level = LogLevel.Debug, Message = "native heap trimming unavailable on this C library: {Reason}")]
    private static partial void LogUnavailable(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "native heap trimming failed and is switched off")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
