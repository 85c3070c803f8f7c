using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using System.Threading.RateLimiting;
using k8s;
using k8s.Autorest;
using k8s.LeaderElection;
using k8s.Models;
using Microsoft.Extensions.Options;
using StatefulGuard.Configuration;
using StatefulGuard.Core.Cluster;
using StatefulGuard.Core.Engine;
using StatefulGuard.Core.Reports;

namespace StatefulGuard.Serve.Reports;

/// <summary>
/// Keeps one policy report per StatefulSet in the cluster (audit mode a platform team can read). Every StatefulSet in
/// the watch caches is judged by the same engine as <c>/validate</c>; a StatefulSet is judged again when it, or an
/// object of a kind the rules read in its namespace (a StorageClass: anywhere), changes, debounced, and on a full
/// resync. A report is written only when its content changed. Replicas elect one writer with a Lease; the others
/// only answer admissions. Nothing here can hold up admission or readiness.
/// </summary>
internal sealed partial class ReportController : BackgroundService
{
    private readonly KubernetesClusterView view;
    private readonly IKubernetes? client;
    private readonly ReportsOptions options;
    private readonly RuleEngine engine;
    private readonly TimeProvider clock;
    private readonly ILogger<ReportController> logger;
    private readonly ReportWriter[] writers;

    // StatefulSets to judge ("namespace/name"), with when the first change that asked for it arrived.
    private readonly ConcurrentDictionary<string, DateTimeOffset> pending = new(StringComparer.Ordinal);
    // The whole StatefulSets that watch events brought (the cache keeps only what the rules look up of each).
    private readonly ConcurrentDictionary<string, V1StatefulSet> fresh = new(StringComparer.Ordinal);
    private readonly Channel<bool> wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    // The worker's own state (one loop): what each report says as last written or read, per format and StatefulSet, and
    // each StatefulSet's results (rule and outcome) for the results gauge.
    private readonly Dictionary<(ReportFormat Format, string Key), StoredReport> written = [];
    private readonly Dictionary<string, (string Rule, string Result)[]> current = new(StringComparer.Ordinal);
    private readonly HashSet<ReportFormat> notServed = [];
    private readonly HashSet<ReportFormat> saidNotServed = [];

    private TaskCompletionSource drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool leading;
    private volatile bool needPrime;
    private volatile bool sweepOrphans;

    public ReportController(KubernetesClusterView view, ClusterConnection connection, IOptions<StatefulGuardOptions> options, RuleSet rules,
        TimeProvider clock, ILogger<ReportController> logger)
    {
        this.view = view;
        client = connection.Client;
        this.options = options.Value.Reports;
        this.clock = clock;
        this.logger = logger;
        // An engine of its own: its evaluations are not admissions (no exception-match counts, no decision log).
        engine = new RuleEngine(rules, options.Value.EngineSettings, clock: clock);
        writers = client is null ? [] : [.. this.options.Formats.Select(f => new ReportWriter(client, f))];
    }

    /// <summary>Whether this replica holds the Lease and writes the reports.</summary>
    public bool Leading => leading;

    /// <summary>Raised when this replica takes or loses the lead.</summary>
    public event Action? LeadershipChanged;

    /// <summary>StatefulSets judged so far (by this replica, while leading).</summary>
    public long Evaluations => Interlocked.Read(ref evaluations);

    private long evaluations;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (client is null || writers.Length == 0)
        {
            return;
        }

        view.Changed += OnChanged;
        var leaseNamespace = options.LeaseNamespace ?? WebhookNamespace();
        var identity = $"{Environment.MachineName}_{Guid.NewGuid():N}";
        using var elector = new LeaderElector(new LeaderElectionConfig(new ReportsLease(client, leaseNamespace, options.LeaseName, identity))
        {
            LeaseDuration = TimeSpan.FromSeconds(options.LeaseDurationSeconds),
            RenewDeadline = TimeSpan.FromSeconds(options.RenewDeadlineSeconds),
            RetryPeriod = TimeSpan.FromSeconds(options.RetryPeriodSeconds),
        });
        elector.OnStartedLeading += () =>
        {
            LogLeading(logger, leaseNamespace, options.LeaseName);
            ReportMetrics.Leader.Set(1);
            needPrime = true;
            leading = true;
            LeadershipChanged?.Invoke();
            EnqueueAll();
        };
        elector.OnStoppedLeading += () =>
        {
            LogStoppedLeading(logger);
            ReportMetrics.Leader.Set(0);
            leading = false;
            LeadershipChanged?.Invoke();
            wake.Writer.TryWrite(true);
        };
        elector.OnError += ex => LogElectionError(logger, ex.Message);

        try
        {
            await Task.WhenAll(
                ElectAsync(elector, stoppingToken),
                ResyncLoopAsync(stoppingToken),
                WorkAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            view.Changed -= OnChanged;
            leading = false;
            LeadershipChanged?.Invoke();
            ReportMetrics.Leader.Set(0);
        }
    }

    private async Task ElectAsync(LeaderElector elector, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await elector.RunAndTryToHoldLeadershipForeverAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
            {
                LogElectionError(logger, ex.Message);
                await Task.Delay(TimeSpan.FromSeconds(options.RetryPeriodSeconds), clock, stoppingToken);
            }
        }
    }

    /// <summary>Every StatefulSet again, every <c>ResyncMinutes</c>.</summary>
    private async Task ResyncLoopAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            await Task.Delay(TimeSpan.FromMinutes(options.ResyncMinutes), clock, stoppingToken);
            if (leading)
            {
                _ = ResyncAsync();
            }
        }
    }

    /// <summary>
    /// Reads the stored reports again, judges every StatefulSet again (a report is still written only if it changed),
    /// looks again for a report CRD that was missing, and deletes reports whose StatefulSet is gone; completes when the
    /// work is done.
    /// </summary>
    public Task ResyncAsync()
    {
        sweepOrphans = true;
        needPrime = true;
        var done = Volatile.Read(ref drained).Task;
        EnqueueAll();
        return done;
    }

    private void OnChanged(ClusterKind kind, CacheChange change)
    {
        if (!leading)
        {
            return;
        }

        if (kind == ClusterKinds.StatefulSet)
        {
            foreach (var (ns, name) in change.Keys)
            {
                var key = Enqueue(ns, name);
                if (change.Whole is V1StatefulSet brought)
                {
                    // A watch event: judge the object it brought. A (re-)list keeps only what the rules look up of
                    // each: those are read again from the apiserver.
                    fresh[key] = brought;
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
                if (ns is not null && view.GetStatefulSets(ns) is { State: LookupState.Found, Value: { } all })
                {
                    foreach (var sts in all)
                    {
                        Enqueue(ns, sts.Name);
                    }
                }
            }
        }
        else
        {
            EnqueueAll();
            return;
        }

        wake.Writer.TryWrite(true);
    }

    private void EnqueueAll()
    {
        foreach (var sts in view.Cache(ClusterKinds.StatefulSet)?.All() ?? [])
        {
            Enqueue(sts.Namespace, sts.Name);
        }

        wake.Writer.TryWrite(true);
    }

    /// <summary>Namespaces to judge beyond this are read with one paged list of every StatefulSet instead of a list each.</summary>
    private const int MaxNamespaceLists = 16;

    private string Enqueue(string @namespace, string name)
    {
        var key = @namespace + "/" + name;
        pending.TryAdd(key, clock.GetUtcNow());
        return key;
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
        while (!stoppingToken.IsCancellationRequested)
        {
            await wake.Reader.ReadAsync(stoppingToken);
            if (!leading)
            {
                Forget();
                continue;
            }

            while (!view.Synced)
            {
                // Judged against half-listed caches, every report would flap through "cannot verify".
                await Task.Delay(TimeSpan.FromMilliseconds(100), clock, stoppingToken);
            }

            if (options.DebounceMilliseconds > 0)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(options.DebounceMilliseconds), clock, stoppingToken);
            }

            if (needPrime)
            {
                needPrime = false;
                await PrimeAsync(stoppingToken);
            }

            await JudgePendingAsync(limiter, stoppingToken);

            if (sweepOrphans && leading)
            {
                sweepOrphans = false;
                await SweepAsync(limiter, stoppingToken);
            }

            if (pending.IsEmpty)
            {
                Interlocked.Exchange(ref drained, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
            }
            else
            {
                wake.Writer.TryWrite(true);
            }
        }
    }

    /// <summary>
    /// Judges what is pending. The cache holds only what the rules look up of each StatefulSet, so the whole objects come
    /// from the watch events that brought them, or are listed: a list per namespace for a few namespaces, one paged
    /// list of every StatefulSet for many (a resync, a new leader, a StorageClass change).
    /// </summary>
    private async Task JudgePendingAsync(RateLimiter limiter, CancellationToken cancellationToken)
    {
        var keys = pending.Keys.Order(StringComparer.Ordinal).ToList();
        var toList = new List<string>();
        foreach (var key in keys)
        {
            if (!leading)
            {
                return;
            }

            if (fresh.TryRemove(key, out var whole) && pending.TryRemove(key, out var since))
            {
                await ProcessAsync(key, since, whole, limiter, cancellationToken);
            }
            else
            {
                toList.Add(key);
            }
        }

        if (toList.Count == 0)
        {
            return;
        }

        var wanted = toList.ToHashSet(StringComparer.Ordinal);
        var namespaces = toList.Select(k => k[..k.IndexOf('/', StringComparison.Ordinal)]).Distinct(StringComparer.Ordinal).ToList();
        try
        {
            if (namespaces.Count <= MaxNamespaceLists)
            {
                foreach (var ns in namespaces)
                {
                    await JudgeListedAsync(await KindClient.ListAllAsync(client!, ClusterKinds.StatefulSet, ns, cancellationToken), wanted, limiter, cancellationToken);
                }
            }
            else
            {
                string? continueToken = null;
                do
                {
                    var page = await KindClient.ListPageAsync(client!, ClusterKinds.StatefulSet, null, continueToken, cancellationToken);
                    await JudgeListedAsync(page.Items, wanted, limiter, cancellationToken);
                    continueToken = page.Metadata?.ContinueProperty;
                }
                while (!string.IsNullOrEmpty(continueToken) && leading);
            }

            // Listed nowhere: deleted meanwhile.
            foreach (var key in wanted)
            {
                if (pending.TryRemove(key, out _))
                {
                    Forget(key);
                }
            }
        }
        catch (Exception ex) when (ex is HttpOperationException or HttpRequestException or IOException or System.Text.Json.JsonException)
        {
            // Still pending: tried again on the next pass.
            LogListFailed(logger, ex.Message);
            await Task.Delay(TimeSpan.FromSeconds(1), clock, cancellationToken);
        }
    }

    private async Task JudgeListedAsync(IEnumerable<V1StatefulSet> items, HashSet<string> wanted, RateLimiter limiter, CancellationToken cancellationToken)
    {
        foreach (var sts in items)
        {
            var key = sts.Metadata?.NamespaceProperty + "/" + sts.Metadata?.Name;
            if (leading && wanted.Remove(key) && pending.TryRemove(key, out var since))
            {
                // A watch event may have brought a newer one meanwhile: that one is judged on the next pass.
                await ProcessAsync(key, since, fresh.TryRemove(key, out var newer) ? newer : sts, limiter, cancellationToken);
            }
        }
    }

    /// <summary>What the reports say now, read once on taking the lead: a new leader writes only what changed.</summary>
    private async Task PrimeAsync(CancellationToken cancellationToken)
    {
        written.Clear();
        notServed.Clear();
        foreach (var writer in writers)
        {
            try
            {
                foreach (var report in await writer.ListAsync(cancellationToken))
                {
                    // List items may come without their type (as built-in kinds' do): it is the list's.
                    report["apiVersion"] ??= writer.Format.ApiVersion;
                    report["kind"] ??= writer.Format.Kind;
                    var stored = StoredReport.Of(report);
                    written[(writer.Format, stored.Namespace + "/" + stored.ScopeName)] = stored;
                }
            }
            catch (HttpOperationException ex) when (ex.Response?.StatusCode == HttpStatusCode.NotFound)
            {
                NotServed(writer.Format);
            }
            catch (Exception ex) when (ex is HttpOperationException or HttpRequestException or IOException or System.Text.Json.JsonException)
            {
                LogWriteFailed(logger, writer.Format.Kind, "(list)", ex.Message);
                ReportMetrics.WriteFailures.WithLabels(writer.Format.Name, "error").Inc();
            }
        }
    }

    /// <summary>Deleted: the garbage collector deletes its reports (they are owned by it).</summary>
    private void Forget(string key)
    {
        SetResults(key, []);
        foreach (var writer in writers)
        {
            written.Remove((writer.Format, key));
        }
    }

    private async Task ProcessAsync(string key, DateTimeOffset since, V1StatefulSet sts, RateLimiter limiter, CancellationToken cancellationToken)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        if (view.Get(ClusterKinds.StatefulSet, key[..slash], key[(slash + 1)..]).State == LookupState.NotFound)
        {
            Forget(key);
            return;
        }

        IReadOnlyList<ReportResult> results;
        try
        {
            results = PolicyReports.Evaluate(engine, sts, view);
            Interlocked.Increment(ref evaluations);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogEvaluationFailed(logger, key, ex.Message);
            return;
        }

        SetResults(key, results);
        var ok = true;
        foreach (var writer in writers)
        {
            if (!notServed.Contains(writer.Format))
            {
                ok &= await WriteAsync(writer, key, sts, results, limiter, cancellationToken);
            }
        }

        if (ok)
        {
            ReportMetrics.Latency.Observe(Math.Max(0, (clock.GetUtcNow() - since).TotalSeconds));
        }
        else
        {
            // Tried again on the next pass, after the others.
            pending.TryAdd(key, since);
            fresh.TryAdd(key, sts);
        }
    }

    /// <returns>False when the write failed and should be tried again.</returns>
    private async Task<bool> WriteAsync(ReportWriter writer, string key, V1StatefulSet sts, IReadOnlyList<ReportResult> results, RateLimiter limiter,
        CancellationToken cancellationToken)
    {
        var format = writer.Format;
        written.TryGetValue((format, key), out var existing);
        for (var attempt = 1; attempt <= 5; attempt++)
        {
            var now = clock.GetUtcNow();
            var known = existing;
            var desired = PolicyReports.Build(format, sts, results, r => known?.FirstSeen(r) ?? now);
            if (existing is not null && existing.Says(desired))
            {
                return true;
            }

            using var lease = await limiter.AcquireAsync(1, cancellationToken);
            try
            {
                if (existing is null)
                {
                    written[(format, key)] = StoredReport.Of(await writer.CreateAsync(desired, cancellationToken));
                    ReportMetrics.Writes.WithLabels(format.Name, "create").Inc();
                }
                else
                {
                    desired["metadata"]!["resourceVersion"] = existing.ResourceVersion;
                    written[(format, key)] = StoredReport.Of(await writer.ReplaceAsync(desired, cancellationToken));
                    ReportMetrics.Writes.WithLabels(format.Name, "update").Inc();
                }

                return true;
            }
            catch (HttpOperationException ex) when (ex.Response?.StatusCode == HttpStatusCode.Conflict)
            {
                // Changed or created meanwhile (another writer, a user): start again from what is stored.
                ReportMetrics.WriteFailures.WithLabels(format.Name, "conflict").Inc();
                existing = await writer.GetAsync(sts.Metadata.NamespaceProperty, PolicyReports.Name(sts), cancellationToken) is { } stored ? StoredReport.Of(stored) : null;
            }
            catch (HttpOperationException ex) when (ex.Response?.StatusCode == HttpStatusCode.NotFound)
            {
                if (existing is null)
                {
                    // Creating in the collection answered 404: the cluster does not serve the format.
                    NotServed(format);
                    return true;
                }

                existing = null; // deleted meanwhile: create it
            }
            catch (Exception ex) when (ex is HttpOperationException or HttpRequestException or IOException or System.Text.Json.JsonException)
            {
                ReportMetrics.WriteFailures.WithLabels(format.Name, "error").Inc();
                LogWriteFailed(logger, format.Kind, key, ex.Message);
                await Task.Delay(TimeSpan.FromMilliseconds(200 * (1 << attempt)), clock, cancellationToken);
                existing = written.GetValueOrDefault((format, key));
            }
        }

        return false;
    }

    /// <summary>Reports whose StatefulSet is gone (normally the garbage collector's work).</summary>
    private async Task SweepAsync(RateLimiter limiter, CancellationToken cancellationToken)
    {
        foreach (var ((format, key), report) in written.ToList())
        {
            var slash = key.IndexOf('/', StringComparison.Ordinal);
            if (view.Get(ClusterKinds.StatefulSet, key[..slash], key[(slash + 1)..]).State != LookupState.NotFound)
            {
                continue;
            }

            using var lease = await limiter.AcquireAsync(1, cancellationToken);
            try
            {
                await writers.First(w => w.Format == format).DeleteAsync(report.Namespace, report.Name, cancellationToken);
                ReportMetrics.Writes.WithLabels(format.Name, "delete").Inc();
                written.Remove((format, key));
            }
            catch (Exception ex) when (ex is HttpOperationException or HttpRequestException or IOException)
            {
                ReportMetrics.WriteFailures.WithLabels(format.Name, "error").Inc();
                LogWriteFailed(logger, format.Kind, key, ex.Message);
            }
        }
    }

    private void NotServed(ReportFormat format)
    {
        if (notServed.Add(format))
        {
            ReportMetrics.WriteFailures.WithLabels(format.Name, "crd-missing").Inc();
            if (saidNotServed.Add(format))
            {
                LogNotServed(logger, format.Kind, format.ApiVersion, options.ResyncMinutes);
            }
        }
    }

    /// <summary>Keeps <see cref="ReportMetrics.Results"/> equal to the sum of the current reports.</summary>
    private void SetResults(string key, IReadOnlyList<ReportResult> results)
    {
        if (current.Remove(key, out var previous))
        {
            foreach (var (rule, result) in previous)
            {
                ReportMetrics.Results.WithLabels(rule, result).Dec();
            }
        }

        if (results.Count > 0)
        {
            current[key] = [.. results.Select(r => (r.Policy, r.Result))];
            foreach (var r in results)
            {
                ReportMetrics.Results.WithLabels(r.Policy, r.Result).Inc();
            }
        }
    }

    /// <summary>Not the leader: another replica's reports are not this one's to count or compare with.</summary>
    private void Forget()
    {
        foreach (var key in current.Keys.ToList())
        {
            SetResults(key, []);
        }

        written.Clear();
        pending.Clear();
        fresh.Clear();
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Policy reports: leader election failed: {Error}")]
    private static partial void LogElectionError(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Policy reports: the cluster does not serve {Kind} ({ApiVersion}: its CRD is not installed); not writing them, looking again in {Minutes} min. Admission is not affected.")]
    private static partial void LogNotServed(ILogger logger, string kind, string apiVersion, int minutes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Policy reports: writing the {Kind} of {StatefulSet} failed: {Error}")]
    private static partial void LogWriteFailed(ILogger logger, string kind, string statefulSet, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Policy reports: listing StatefulSets failed ({Error}); trying again")]
    private static partial void LogListFailed(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Policy reports: StatefulSet {StatefulSet} could not be evaluated: {Error}")]
    private static partial void LogEvaluationFailed(ILogger logger, string statefulSet, string error);
}
