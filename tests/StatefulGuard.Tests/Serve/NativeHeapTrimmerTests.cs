using System.Runtime.InteropServices;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using StatefulGuard.Serve;
using StatefulGuard.Tests.Support;

namespace StatefulGuard.Tests.Serve;

public sealed class NativeHeapTrimmerTests
{
    [Fact]
    public async Task Trims_on_its_period_until_the_host_stops()
    {
        var counted = new CountedTrims();
        using var trimmer = counted.Trimmer();

        await trimmer.StartAsync(CancellationToken.None);
        await counted.Ticks.UntilAsync(() => counted.Calls >= 3, TimeSpan.FromSeconds(10));

        await trimmer.StopAsync(CancellationToken.None);
        var afterStop = counted.Calls;
        // Stopped means its loop has ended: nothing can trim after this point.
        await trimmer.ExecuteTask!;

        Assert.True(afterStop >= 3, $"trimmed {afterStop} times in 10 s with a 20 ms period");
        Assert.Equal(afterStop, counted.Calls);
        Assert.Equal(afterStop, trimmer.Trims);
        Assert.True(trimmer.ExecuteTask!.IsCompletedSuccessfully);
    }

    [LinuxFact]
    public async Task Once_a_load_has_stopped_one_collection_gives_its_memory_back()
    {
        var counted = new CountedTrims();
        // Every period counts as quiet, and any allocation as a load: the first period settles, later ones collect.
        using var trimmer = counted.Trimmer(quietBytes: long.MaxValue, loadBytes: 0);

        await trimmer.StartAsync(CancellationToken.None);
        await counted.Ticks.UntilAsync(() => trimmer.BurstCollections >= 2, TimeSpan.FromSeconds(10));
        await trimmer.StopAsync(CancellationToken.None);
        Assert.True(trimmer.BurstCollections < counted.Calls, "the first period only takes the settled size");
    }

    [LinuxFact]
    public async Task Under_load_it_never_collects()
    {
        var counted = new CountedTrims();
        // No period is quiet, however much was allocated.
        using var trimmer = counted.Trimmer(quietBytes: 0, loadBytes: 0);

        await trimmer.StartAsync(CancellationToken.None);
        await counted.Ticks.UntilAsync(() => counted.Calls >= 5, TimeSpan.FromSeconds(10));
        await trimmer.StopAsync(CancellationToken.None);
        Assert.Equal(0, trimmer.BurstCollections);
    }

    [Theory]
    [InlineData(typeof(EntryPointNotFoundException))]
    [InlineData(typeof(DllNotFoundException))]
    public async Task A_C_library_without_malloc_trim_ends_the_service_not_the_host(Type missing)
    {
        using var trimmer = new NativeHeapTrimmer(NullLogger<NativeHeapTrimmer>.Instance)
        {
            Period = TimeSpan.FromMilliseconds(10),
            Trim = () => throw (Exception)Activator.CreateInstance(missing, "not in this C library")!,
        };

        await trimmer.StartAsync(CancellationToken.None);
        var finished = trimmer.ExecuteTask!;
        await finished.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(finished.IsCompletedSuccessfully);
        Assert.Equal(0, trimmer.Trims);
        await trimmer.StopAsync(CancellationToken.None);
    }

    [Theory]
    [InlineData(typeof(InvalidOperationException))]
    [InlineData(typeof(OutOfMemoryException))]
    public async Task A_failing_trim_is_tried_again_next_period_and_ends_neither_the_service_nor_the_host(Type failure)
    {
        var attempts = 0;
        var tried = new Changes();
        using var trimmer = new NativeHeapTrimmer(NullLogger<NativeHeapTrimmer>.Instance)
        {
            Period = TimeSpan.FromMilliseconds(10),
            Trim = () =>
            {
                Interlocked.Increment(ref attempts);
                tried.Pulse();
                if (Volatile.Read(ref attempts) <= 3)
                {
                    throw (Exception)Activator.CreateInstance(failure, "trim failed")!;
                }

                return true;
            },
        };

        await trimmer.StartAsync(CancellationToken.None);
        await tried.UntilAsync(() => trimmer.Trims > 0, TimeSpan.FromSeconds(10));
        Assert.False(trimmer.ExecuteTask!.IsCompleted);
        await trimmer.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Each_period_the_connection_buffer_pools_drop_what_a_burst_left_idle()
    {
        var factory = new BoundedMemoryPoolFactory();
        using var pool = (BoundedMemoryPool)factory.Create();
        var burst = Enumerable.Range(0, BoundedMemoryPoolFactory.DefaultMinIdleBlocks + 100).Select(_ => pool.Rent()).ToList();
        burst.ForEach(b => b.Dispose());
        Assert.Equal(BoundedMemoryPoolFactory.DefaultMinIdleBlocks + 100, pool.IdleBlocks);

        var counted = new CountedTrims();
        using var trimmer = counted.Trimmer(factory);
        await trimmer.StartAsync(CancellationToken.None);
        await counted.Ticks.UntilAsync(() => counted.Calls >= 1, TimeSpan.FromSeconds(10));
        await trimmer.StopAsync(CancellationToken.None);

        Assert.Equal(BoundedMemoryPoolFactory.DefaultMinIdleBlocks, pool.IdleBlocks);
    }

    [Fact]
    public async Task The_webhook_host_runs_the_trimmer()
    {
        await using var webhook = new WebhookFactory(null);
        _ = webhook.Services; // builds the host
        Assert.Single(webhook.Services.GetServices<IHostedService>().OfType<NativeHeapTrimmer>());
    }
}

/// <summary>A trimmer on a 20 ms period whose trims are counted and signalled instead of run.</summary>
internal sealed class CountedTrims
{
    private int calls;

    public Changes Ticks { get; } = new();

    public int Calls => Volatile.Read(ref calls);

    public NativeHeapTrimmer Trimmer(
        BoundedMemoryPoolFactory? pools = null, long quietBytes = NativeHeapTrimmer.DefaultQuietBytes, long loadBytes = NativeHeapTrimmer.DefaultLoadBytes) =>
        new(NullLogger<NativeHeapTrimmer>.Instance, pools)
        {
            Period = TimeSpan.FromMilliseconds(20),
            QuietBytes = quietBytes,
            LoadBytes = loadBytes,
            Trim = () =>
            {
                Interlocked.Increment(ref calls);
                Ticks.Pulse();
                return true;
            },
        };
}

/// <summary>
/// Measures the process's own resident memory, so it runs alone: a webhook host started by a test running beside
/// it would trim (its trimmer is the subject here) or allocate in between.
/// </summary>
[CollectionDefinition(nameof(ProcessMemory), DisableParallelization = true)]
public sealed class ProcessMemory;

[Collection(nameof(ProcessMemory))]
public sealed class NativeHeapTrimTests
{
    [LinuxFact]
    public void The_trim_returns_memory_freed_between_live_blocks_to_the_system()
    {
        // 2,048 blocks of 64 KB (below glibc's mmap threshold, so inside its heap), every other one freed: 64 MB of
        // holes between live blocks, which glibc keeps resident until it is asked to trim.
        const int Blocks = 2_048;
        const int Size = 64 * 1024;
        var blocks = new nint[Blocks];
        var ones = Enumerable.Repeat((byte)1, Size).ToArray();
        try
        {
            for (var i = 0; i < Blocks; i++)
            {
                blocks[i] = Marshal.AllocHGlobal(Size);
                Marshal.Copy(ones, 0, blocks[i], Size); // resident, not only reserved
            }

            for (var i = 0; i < Blocks; i += 2)
            {
                Marshal.FreeHGlobal(blocks[i]);
                blocks[i] = 0;
            }

            var before = ResidentAnonymousKb();
            var trimmer = new NativeHeapTrimmer(NullLogger<NativeHeapTrimmer>.Instance);
            Assert.True(trimmer.Trim(), "malloc_trim reported nothing returned");
            var after = ResidentAnonymousKb();

            Assert.True(before - after > 32 * 1024, $"resident anonymous memory {before} KB before the trim, {after} KB after");
        }
        finally
        {
            foreach (var block in blocks.Where(b => b != 0))
            {
                Marshal.FreeHGlobal(block);
            }
        }
    }

    private static long ResidentAnonymousKb() =>
        long.Parse(
            File.ReadLines("/proc/self/status").First(l => l.StartsWith("RssAnon:", StringComparison.Ordinal))
                .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1],
            System.Globalization.CultureInfo.InvariantCulture);
}
