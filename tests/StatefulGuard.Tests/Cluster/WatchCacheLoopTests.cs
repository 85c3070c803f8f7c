using System.Runtime.CompilerServices;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using StatefulGuard.Core.Cluster;
using StatefulGuard.Core.Cluster.Api;
using StatefulGuard.Core.Cluster.Watch;
using StatefulGuard.Tests.Support;

namespace StatefulGuard.Tests.Cluster;

/// <summary>The cache's loop on its own, fed by a scripted source: no failure of the source ends it.</summary>
public sealed class WatchCacheLoopTests
{
    [Theory]
    [InlineData(typeof(InvalidOperationException))]
    [InlineData(typeof(ObjectDisposedException))]
    [InlineData(typeof(NotSupportedException))]
    [InlineData(typeof(AggregateException))]
    [InlineData(typeof(OutOfMemoryException))]
    [InlineData(typeof(OperationCanceledException))]
    public async Task An_unexpected_exception_from_the_watch_backs_off_and_watches_again(Type failure)
    {
        var watches = 0;
        var source = new WatchSource<V1Service, CachedService>(
            "Service",
            (_, _, _) => Task.FromResult(new ListPage<V1Service>([], "1", null)),
            (_, _, _, ct) => Interlocked.Increment(ref watches) == 1
                ? Throw((Exception)Activator.CreateInstance(failure, "boom")!)
                : Events(ct),
            ClusterKinds.Service.Project);
        var cache = new WatchCache<V1Service, CachedService>(source, NullLogger.Instance, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(100));
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        var changes = new Changes();
        cache.Changed += _ => changes.Pulse();
        var loop = cache.RunAsync(stop.Token);
        var found = await changes.UntilAsync(() => Task.FromResult(cache.Get("shop", "web")), l => l.State == LookupState.Found, TimeSpan.FromSeconds(5));
        await stop.CancelAsync();
        await loop;

        Assert.Equal(LookupState.Found, found.State);
        Assert.True(watches >= 2, "the loop did not watch again after the failure");
    }

    private static async IAsyncEnumerable<WatchEvent<V1Service>> Throw(Exception failure)
    {
        await Task.Yield();
        throw failure;
#pragma warning disable CS0162 // an iterator needs a yield to be one
        yield break;
#pragma warning restore CS0162
    }

    private static async IAsyncEnumerable<WatchEvent<V1Service>> Events([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        yield return new WatchEvent<V1Service>(WatchEventType.Added,
            new V1Service { Metadata = new V1ObjectMeta { Name = "web", NamespaceProperty = "shop", ResourceVersion = "2" } }, "2");
        await new TaskCompletionSource().Task.WaitAsync(cancellationToken);
    }
}
