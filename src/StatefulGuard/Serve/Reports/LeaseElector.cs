using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s.Models;
using StatefulGuard.Core.Cluster;
using StatefulGuard.Core.Cluster.Api;
using StatefulGuard.Serve.Cluster;

namespace StatefulGuard.Serve.Reports;

/// <summary>
/// Elects one writer among the replicas with a <c>coordination.k8s.io/v1</c> Lease, as client-go's leader election
/// does: the holder renews it every retry period; another replica takes it once it has seen the same record unrenewed
/// for the Lease's duration (its own clock, so clock skew between nodes does not matter); a write with the read
/// resourceVersion settles races. Unlike the client's elector it never ends on a failure (a timeout, a reset, an error
/// status, a Lease that cannot be read: counted, retried), gives the Lease up on shutdown, and gives it up on request
/// (<see cref="Release"/>) when the leader cannot do the work it was elected for, so another replica takes over.
/// </summary>
internal sealed partial class LeaseElector(KubeApi api, string @namespace, string name, string identity, LeaseTimings timings, TimeProvider clock,
    MalformedObjectLog malformed, ILogger logger)
{
    private const string Group = "coordination.k8s.io", Version = "v1", Plural = "leases";

    private readonly LoopHealth health = new(logger, "Policy reports: leader election");
    private (string Holder, string? RenewTime, string? Version)? observed;
    private DateTimeOffset observedAt;
    private DateTimeOffset lastRenewed;
    private DateTimeOffset holdOffUntil;
    private volatile bool leading;
    private volatile bool releaseRequested;

    public string Identity => identity;

    public bool Leading => leading;

    /// <summary>Raised when this replica takes (true) or loses (false) the Lease.</summary>
    public event Action<bool>? LeadershipChanged;

    /// <summary>
    /// Gives the Lease up (if held) at the next retry, and does not try to take it again for <paramref name="holdOff"/>,
    /// so that another replica does the work.
    /// </summary>
    public void Release(TimeSpan holdOff)
    {
        holdOffUntil = clock.GetUtcNow() + holdOff;
        releaseRequested = true;
    }

    /// <summary>Tries to take or renew the Lease every retry period until shutdown, then gives it up if held.</summary>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        var backoff = TimeSpan.Zero;
        while (!stoppingToken.IsCancellationRequested)
        {
            var wait = timings.RetryPeriod;
            try
            {
                if (releaseRequested)
                {
                    releaseRequested = false;
                    if (leading)
                    {
                        await GiveUpAsync(stoppingToken);
                    }
                }
                else if (clock.GetUtcNow() >= holdOffUntil)
                {
                    await TryAcquireOrRenewAsync(stoppingToken);
                }

                health.Succeeded();
                backoff = TimeSpan.Zero;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                backoff = Backoff.Next(backoff, timings.RetryPeriod, ex);
                health.Failed(ex, backoff);
                wait = backoff;
                LoseIfRenewOverdue();
            }

            try
            {
                await Task.Delay(wait, clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        if (leading)
        {
            // The next leader need not wait out the Lease's duration.
            using var release = new CancellationTokenSource(timings.RenewDeadline);
            try
            {
                await GiveUpAsync(release.Token);
            }
            catch (Exception ex)
            {
                LogReleaseFailed(logger, LoopHealth.Describe(ex));
                SetLeading(false);
            }
        }
    }

    private async Task TryAcquireOrRenewAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var current = await ReadAsync(cancellationToken);
        if (current is null)
        {
            await WriteAsync(HttpMethod.Post, Lease(null, now, acquired: now, transitions: 0), cancellationToken);
            Took(now);
            return;
        }

        var spec = current.Spec;
        var holder = spec?.HolderIdentity ?? "";
        var record = (holder, spec?.RenewTime?.ToString("O"), current.Metadata?.ResourceVersion);
        if (observed != record)
        {
            observed = record;
            observedAt = now;
        }

        var duration = spec?.LeaseDurationSeconds is { } seconds and > 0 ? TimeSpan.FromSeconds(seconds) : timings.Duration;
        var mine = holder == identity;
        if (!mine && holder.Length > 0 && now - observedAt < duration)
        {
            // Held, and renewed within its duration as this replica saw it.
            SetLeading(false);
            return;
        }

        var acquired = mine && spec?.AcquireTime is { } at ? new DateTimeOffset(at, TimeSpan.Zero) : now;
        var transitions = (spec?.LeaseTransitions ?? 0) + (mine ? 0 : 1);
        await WriteAsync(HttpMethod.Put, Lease(current.Metadata?.ResourceVersion, now, acquired, transitions), cancellationToken);
        Took(now);
    }

    private void Took(DateTimeOffset now)
    {
        lastRenewed = now;
        SetLeading(true);
    }

    /// <summary>A leader that has not renewed within the renew deadline stops acting as one (another may hold the Lease by now).</summary>
    private void LoseIfRenewOverdue()
    {
        if (leading && clock.GetUtcNow() - lastRenewed > timings.RenewDeadline)
        {
            LogRenewOverdue(logger, timings.RenewDeadline.TotalSeconds);
            SetLeading(false);
        }
    }

    /// <summary>Writes the Lease as free (no holder, a one-second duration) if this replica still holds it.</summary>
    private async Task GiveUpAsync(CancellationToken cancellationToken)
    {
        SetLeading(false);
        var current = await ReadAsync(cancellationToken);
        if (current?.Spec?.HolderIdentity != identity)
        {
            return;
        }

        var lease = Lease(current.Metadata?.ResourceVersion, clock.GetUtcNow(), acquired: null, transitions: current.Spec.LeaseTransitions ?? 0);
        lease["spec"]!.AsObject().Remove("holderIdentity");
        lease["spec"]!["leaseDurationSeconds"] = 1;
        await WriteAsync(HttpMethod.Put, lease, cancellationToken);
        LogReleased(logger, @namespace, name);
    }

    private void SetLeading(bool value)
    {
        if (leading == value)
        {
            return;
        }

        leading = value;
        LeadershipChanged?.Invoke(value);
    }

    /// <summary>The Lease; null when there is none.</summary>
    /// <exception cref="MalformedResponseException">A Lease that cannot be read (counted as malformed).</exception>
    private async Task<V1Lease?> ReadAsync(CancellationToken cancellationToken)
    {
        JsonDocument document;
        try
        {
            document = await api.GetAsync(ApiPaths.Item(Group, Version, Plural, @namespace, name), cancellationToken);
        }
        catch (ApiException ex) when (ex.IsNotFound)
        {
            return null;
        }

        using (document)
        {
            return KindClient.TryRead<V1Lease>(document.RootElement, "Lease", "read", malformed.Report)
                   ?? throw new MalformedResponseException($"the Lease {@namespace}/{name} cannot be read");
        }
    }

    private async Task WriteAsync(HttpMethod method, JsonObject lease, CancellationToken cancellationToken)
    {
        var path = method == HttpMethod.Post
            ? ApiPaths.Collection(Group, Version, Plural, @namespace)
            : ApiPaths.Item(Group, Version, Plural, @namespace, name);
        try
        {
            using var answer = await api.SendAsync(method, path, lease, cancellationToken);
        }
        catch (ApiException ex) when (ex.StatusCode == (int)HttpStatusCode.Conflict)
        {
            // Another replica wrote it first: it holds the Lease.
            SetLeading(false);
            throw;
        }
    }

    private JsonObject Lease(string? resourceVersion, DateTimeOffset renewed, DateTimeOffset? acquired, int transitions)
    {
        var spec = new JsonObject
        {
            ["holderIdentity"] = identity,
            ["leaseDurationSeconds"] = (int)timings.Duration.TotalSeconds,
            ["renewTime"] = MicroTime(renewed),
            ["leaseTransitions"] = transitions,
        };
        if (acquired is { } at)
        {
            spec["acquireTime"] = MicroTime(at);
        }

        var metadata = new JsonObject { ["name"] = name, ["namespace"] = @namespace };
        if (resourceVersion is not null)
        {
            metadata["resourceVersion"] = resourceVersion;
        }

        return new JsonObject { ["apiVersion"] = Group + "/" + Version, ["kind"] = "Lease", ["metadata"] = metadata, ["spec"] = spec };
    }

    private static string MicroTime(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", System.Globalization.CultureInfo.InvariantCulture);

    [LoggerMessage(Level = LogLevel.Information, Message = "Policy reports: gave up the Lease {Namespace}/{Lease}")]
    private static partial void LogReleased(ILogger logger, string @namespace, string lease);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Policy reports: the Lease could not be given up ({Error}); another replica takes it when it expires")]
    private static partial void LogReleaseFailed(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Policy reports: the Lease was not renewed within {Seconds} s; no longer writing")]
    private static partial void LogRenewOverdue(ILogger logger, double seconds);
}
