using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using StatefulGuard.Configuration;
using StatefulGuard.Core.Cluster;
using StatefulGuard.Core.Cluster.Api;
using StatefulGuard.Core.Cluster.Watch;
using StatefulGuard.Core.Engine;
using StatefulGuard.Serve.Cluster;

namespace StatefulGuard.Serve.Reports;

/// <summary>
/// Keeps one policy report per StatefulSet in the cluster (audit mode a platform team can read), in its parts: the
/// Lease that elects the one replica that writes (<see cref="LeaseElector"/>), the queue of StatefulSets to judge
/// (<see cref="ReportQueue"/>), the work that brings their reports up to date (<see cref="ReportReconciler"/>) and the
/// results gauge (<see cref="ReportGauges"/>). A StatefulSet is judged again when it, or an object of a kind the rules
/// read in its namespace (a StorageClass: anywhere), changes, debounced, and on a full resync. Nothing here can hold up
/// admission or readiness, and nothing here ends before shutdown: a failing pass is retried with backoff, and a leader
/// that keeps failing gives the Lease up so another replica can try.
/// </summary>
internal sealed partial class ReportController : BackgroundService
{
    private readonly KubernetesClusterView view;
    private readonly ReportsOptions options;
    private readonly TimeProvider clock;
    private readonly ILogger<ReportController> logger;
    private readonly ReportQueue queue;
    private readonly ReportReconciler? reconciler;
    private readonly LeaseElector? elector;
    private readonly LoopHealth health;
    private readonly string leaseNamespace;

    public ReportController(KubernetesClusterView view, IOptions<StatefulGuardOptions> options, RuleSet rules, MalformedObjectLog malformed,
        TimeProvider clock, ILogger<ReportController> logger)
    {
        this.view = view;
        this.options = options.Value.Reports;
        this.clock = clock;
        this.logger = logger;
        queue = new ReportQueue(clock);
        health = new LoopHealth(logger, "Policy reports");
        leaseNamespace = this.options.LeaseNamespace ?? WebhookNamespace();
        if (view.Api is not { } api || this.options.Formats.Count == 0)
        {
            return;
        }

        var writers = this.options.Formats.Select(f => new ReportWriter(api, f, malformed)).ToList();
        // An engine of its own: its evaluations are not admissions (no exception-match counts, no decision log).
        var engine = new RuleEngine(rules, options.Value.ToEngineSettings(), clock: clock);
        reconciler = new ReportReconciler(view, api, writers, engine, queue, new ReportGauges(), malformed, clock, this.options.ResyncMinutes, logger);
        var timings = new LeaseTimings(TimeSpan.FromSeconds(this.options.LeaseDurationSeconds), TimeSpan.FromSeconds(this.options.RenewDeadlineSeconds),
            TimeSpan.FromSeconds(this.options.RetryPeriodSeconds));
        elector = new LeaseElector(api, leaseNamespace, this.options.LeaseName, $"{Environment.MachineName}_{Guid.NewGuid():N}", timings, clock, malformed, logger);
        elector.LeadershipChanged += OnLeadershipChanged;
    }

    /// <summary>Whether this replica holds the Lease and writes the reports.</summary>
    public bool Leading => elector?.Leading ?? false;

    /// <summary>Raised when this replica takes or loses the lead.</summary>
    public event Action? LeadershipChanged;

    /// <summary>StatefulSets judged so far (by this replica, while leading).</summary>
    public long Evaluations => reconciler?.Evaluations ?? 0;

    /// <summary>Whether the last pass failed (kept queued and retried).</summary>
    public bool Failing => health.Failing;

    /// <summary>How long a leader may keep failing before it gives the Lease up to another replica.</summary>
    private TimeSpan ReleaseAfter => TimeSpan.FromSeconds(3 * options.LeaseDurationSeconds);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (elector is null)
        {
            return;
        }

        view.Changed += OnChanged;
        try
        {
            await Task.WhenAll(elector.RunAsync(stoppingToken), ResyncLoopAsync(stoppingToken), WorkAsync(stoppingToken));
        }
        finally
        {
            view.Changed -= OnChanged;
            ReportMetrics.Leader.Set(0);
        }
    }

    /// <summary>
    /// Reads the stored reports again, judges every StatefulSet again (a report is still written only if it changed),
    /// looks again for a report CRD that was missing, and deletes reports whose StatefulSet is gone; completes when the
    /// work is done.
    /// </summary>
    public Task ResyncAsync()
    {
        if (reconciler is null)
        {
            return Task.CompletedTask;
        }

        reconciler.NeedSweep = true;
        reconciler.NeedPrime = true;
        var done = queue.NextDrain;
        EnqueueAll();
        return done;
    }

    private void OnLeadershipChanged(bool leading)
    {
        if (leading)
        {
            LogLeading(logger, leaseNamespace, options.LeaseName);
            ReportMetrics.Leader.Set(1);
            reconciler!.NeedPrime = true;
            EnqueueAll();
        }
        else
        {
            LogStoppedLeading(logger);
            ReportMetrics.Leader.Set(0);
            queue.Wake();
        }

        LeadershipChanged?.Invoke();
    }

    private void OnChanged(ClusterKind kind, CacheChange change)
    {
        if (!Leading)
        {
            return;
        }

        if (kind == ClusterKinds.StatefulSet)
        {
            foreach (var (ns, name) in change.Keys)
            {
                var key = queue.Enqueue(ns, name);
                if (change.Whole is k8s.Models.V1StatefulSet brought)
                {
                    // A watch event: judge the object it brought. A (re-)list keeps only what the rules look up of each:
                    // those are read again from the apiserver.
                    queue.Offer(key, brought);
                }
            }
        }
        else if (kind == ClusterKinds.Namespace || kind.Namespaced)
        {
            // What the rules read of a namespace's objects (its Services, budgets, exceptions, its mode label) can change
            // the verdict of any StatefulSet in it.
            var namespaces = change.Keys.Select(k => kind == ClusterKinds.Namespace ? k.Name : k.Namespace).Distinct(StringComparer.Ordinal);
            foreach (var ns in namespaces)
            {
                if (view.GetStatefulSets(ns) is { State: LookupState.Found, Value: { } all })
                {
                    foreach (var sts in all)
                    {
                        queue.Enqueue(ns, sts.Name);
                    }
                }
            }
        }
        else
        {
            EnqueueAll();
            return;
        }

        queue.Wake();
    }

    private void EnqueueAll()
    {
        foreach (var sts in view.Cache(ClusterKinds.StatefulSet)?.All() ?? [])
        {
            queue.Enqueue(sts.Namespace, sts.Name);
        }

        queue.Wake();
    }

    /// <summary>Every StatefulSet again, every <c>ResyncMinutes</c>.</summary>
    private async Task ResyncLoopAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(TimeSpan.FromMinutes(options.ResyncMinutes), clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            if (Leading)
            {
                _ = ResyncAsync();
            }
        }
    }

    private async Task WorkAsync(CancellationToken stoppingToken)
    {
        using var limiter = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = options.WritesPerSecond,
            TokensPerPeriod = options.WritesPerSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = int.MaxValue,
            AutoReplenishment = true,
        });
        var backoff = TimeSpan.Zero;
        DateTimeOffset? failingSince = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await queue.WaitAsync(stoppingToken);
                if (!Leading)
                {
                    reconciler!.Forget();
                    queue.Clear();
                    failingSince = null;
                    continue;
                }

                // Judged against half-listed caches, every report would flap through "cannot verify".
                await view.WhenSynced.WaitAsync(stoppingToken);
                if (options.DebounceMilliseconds > 0)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(options.DebounceMilliseconds), clock, stoppingToken);
                }

                if (await reconciler!.PassAsync(() => Leading, limiter, stoppingToken))
                {
                    health.Succeeded();
                    backoff = TimeSpan.Zero;
                    failingSince = null;
                    queue.PassDone();
                    continue;
                }

                backoff = Backoff.Next(backoff, TimeSpan.FromSeconds(options.RetryPeriodSeconds * 4));
                health.Failed(reconciler.LastError, backoff);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                backoff = Backoff.Next(backoff, TimeSpan.FromSeconds(options.RetryPeriodSeconds * 4), ex);
                health.Failed(ex, backoff);
            }

            var now = clock.GetUtcNow();
            failingSince ??= now;
            if (Leading && now - failingSince.Value > ReleaseAfter)
            {
                // This replica cannot do the work: another may (a different node, a different connection).
                LogGivingUp(logger, ReleaseAfter.TotalSeconds);
                elector!.Release(holdOff: TimeSpan.FromSeconds(2 * options.LeaseDurationSeconds));
                failingSince = null;
            }

            try
            {
                await Task.Delay(backoff, clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            queue.Wake();
        }
    }

    private static string WebhookNamespace()
    {
        const string ServiceAccountNamespace = "/var/run/secrets/kubernetes.io/serviceaccount/namespace";
        return Environment.GetEnvironmentVariable("POD_NAMESPACE") is { Length: > 0 } ns ? ns
            : File.Exists(ServiceAccountNamespace) ? File.ReadAllText(ServiceAccountNamespace).Trim()
            : "statefulguard";
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Policy reports: this replica holds the Lease {Namespace}/{Lease} and writes the reports")]
    private static partial void LogLeading(ILogger logger, string @namespace, string lease);

    [LoggerMessage(Level = LogLevel.Information, Message = "Policy reports: this replica no longer holds the Lease; another writes the reports")]
    private static partial void LogStoppedLeading(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Policy reports: the work has failed for {Seconds} s; giving the Lease up so another replica can take over")]
    private static partial void LogGivingUp(ILogger logger, double seconds);
}
