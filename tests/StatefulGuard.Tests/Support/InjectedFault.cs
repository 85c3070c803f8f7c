namespace StatefulGuard.Tests.Support;

/// <summary>A fault the fake apiserver applies until it is lifted; counts the requests it took over.</summary>
public sealed class InjectedFault(ApiFault fault, FaultTarget target)
{
    private readonly CancellationTokenSource lifted = new();
    private readonly Changes hits = new();
    private int count;

    public ApiFault Fault => fault;

    public FaultTarget Target => target;

    public int Hits => Volatile.Read(ref count);

    public bool Active => !lifted.IsCancellationRequested;

    /// <summary>Cancelled when the fault is lifted (hung requests end then).</summary>
    public CancellationToken Lifted => lifted.Token;

    public void Hit()
    {
        Interlocked.Increment(ref count);
        hits.Pulse();
    }

    /// <summary>Waits until the fault has taken over <paramref name="requests"/> requests.</summary>
    public Task HitAsync(int requests, TimeSpan timeout) => hits.UntilAsync(() => Hits >= requests, timeout);

    public void Lift() => lifted.Cancel();

    public override string ToString() => $"{fault} on {target}";
}
