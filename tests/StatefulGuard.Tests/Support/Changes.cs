namespace StatefulGuard.Tests.Support;

/// <summary>
/// A signal pulsed by whatever a test waits on (a cache's watch events, a log line, a counter, a leadership change):
/// a wait checks its condition, then sleeps until the next pulse — never on a timer. The timeout only bounds a wait
/// that would otherwise hang.
/// </summary>
public sealed class Changes
{
    private TaskCompletionSource next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Something may have changed: every wait checks its condition again.</summary>
    public void Pulse() => Interlocked.Exchange(ref next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    /// <summary>Waits until <paramref name="condition"/> holds; it is checked at once and after each pulse.</summary>
    public async Task UntilAsync(Func<bool> condition, TimeSpan timeout)
    {
        await UntilAsync(() => Task.FromResult(condition()), ok => ok, timeout);
    }

    /// <summary>Runs <paramref name="attempt"/> at once and after each pulse until <paramref name="done"/> holds for its result; returns that result.</summary>
    public async Task<T> UntilAsync<T>(Func<Task<T>> attempt, Func<T, bool> done, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (true)
        {
            var pulse = Volatile.Read(ref next).Task;
            var result = await attempt();
            if (done(result))
            {
                return result;
            }

            try
            {
                await pulse.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"condition not met within {timeout.TotalSeconds} s");
            }
        }
    }
}
