using System.Threading.RateLimiting;
using k8s.Models;
using StatefulGuard.Core.Cluster;
using StatefulGuard.Core.Cluster.Api;
using StatefulGuard.Core.Engine;
using StatefulGuard.Core.Reports;
using StatefulGuard.Serve.Cluster;

namespace StatefulGuard.Serve.Reports;

/// <summary>
/// Brings the reports of the queued StatefulSets up to date: judges each (the whole object from its watch event, else
/// listed: a list per namespace for a few namespaces, one paged list of every StatefulSet for many), writes a report
/// only when what it says changed, retries a conflict from what is stored, and deletes reports whose StatefulSet is gone.
/// What a pass could not do stays queued; the pass says whether everything worked.
/// </summary>
internal sealed partial class ReportReconciler(
    KubernetesClusterView view, KubeApi api, IReadOnlyList<ReportWriter> writers, RuleEngine engine, ReportQueue queue, ReportGauges gauges,
    MalformedObjectLog malformed, TimeProvider clock, int resyncMinutes, ILogger logger)
{
    /// <summary>Namespaces to judge beyond this are read with one paged list of every StatefulSet instead of a list each.</summary>
    private const int MaxNamespaceLists = 16;

    // What each report says as last written or read, per format and StatefulSet.
    private readonly Dictionary<(ReportFormat Format, string Key), StoredReport> written = [];
    private readonly HashSet<ReportFormat> notServed = [];
    private readonly HashSet<ReportFormat> saidNotServed = [];
    private long evaluations;

    /// <summary>What went wrong last in a pass that failed.</summary>
    public string LastError { get; private set; } = "";

    /// <summary>StatefulSets judged so far.</summary>
    public long Evaluations => Interlocked.Read(ref evaluations);

    private volatile bool needPrime = true;
    private volatile bool needSweep;

    /// <summary>Reads the stored reports before the next pass (a new leader, a resync).</summary>
    public bool NeedPrime { get => needPrime; set => needPrime = value; }

    /// <summary>Deletes the reports of StatefulSets that are gone in the next pass.</summary>
    public bool NeedSweep { get => needSweep; set => needSweep = value; }

    /// <summary>One pass over what is queued.</summary>
    /// <param name="leading">Whether this replica still writes: checked between objects.</param>
    /// <returns>False when something failed (kept queued, tried again).</returns>
    public async Task<bool> PassAsync(Func<bool> leading, RateLimiter limiter, CancellationToken cancellationToken)
    {
        var ok = true;
        if (NeedPrime)
        {
            ok = await PrimeAsync(cancellationToken);
            NeedPrime = !ok;
        }

        ok &= await JudgePendingAsync(leading, limiter, cancellationToken);
        if (NeedSweep && leading())
        {
            NeedSweep = false;
            ok &= await SweepAsync(limiter, cancellationToken);
        }

        return ok;
    }

    /// <summary>Forgets what this replica knew of the reports (it no longer writes them).</summary>
    public void Forget()
    {
        gauges.Clear();
        written.Clear();
        NeedPrime = true;
    }

    /// <summary>What the reports say now, read on taking the lead: a new leader writes only what changed.</summary>
    private async Task<bool> PrimeAsync(CancellationToken cancellationToken)
    {
        written.Clear();
        notServed.Clear();
        var ok = true;
        foreach (var writer in writers)
        {
            try
            {
                foreach (var stored in await writer.ListAsync(cancellationToken))
                {
                    written[(writer.Format, ReportQueue.Key(stored.Namespace, stored.ScopeName))] = stored;
                }
            }
            catch (ApiException ex) when (ex.IsNotFound)
            {
                NotServed(writer.Format);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                LastError = $"listing the {writer.Format.Kind}s failed: {LoopHealth.Describe(ex)}";
                ReportMetrics.WriteFailures.WithLabels(writer.Format.Name, "error").Inc();
                ok = false;
            }
        }

        return ok;
    }

    private async Task<bool> JudgePendingAsync(Func<bool> leading, RateLimiter limiter, CancellationToken cancellationToken)
    {
        var ok = true;
        var toList = new List<string>();
        foreach (var key in queue.Keys())
        {
            if (!leading())
            {
                return ok;
            }

            if (queue.TryTakeWhole(key, out var whole))
            {
                if (queue.TryTake(key, out var since))
                {
                    ok &= await ProcessAsync(key, since, whole, limiter, cancellationToken);
                }
            }
            else
            {
                toList.Add(key);
            }
        }

        if (toList.Count == 0)
        {
            return ok;
        }

        var wanted = toList.ToHashSet(StringComparer.Ordinal);
        var namespaces = toList.Select(k => ReportQueue.Split(k).Namespace).Distinct(StringComparer.Ordinal).ToList();
        try
        {
            if (namespaces.Count <= MaxNamespaceLists)
            {
                foreach (var ns in namespaces)
                {
                    var items = await KindClient.ListAllAsync<V1StatefulSet>(api, ClusterKinds.StatefulSet, ns, malformed.Report, cancellationToken);
                    ok &= await JudgeListedAsync(items, wanted, leading, limiter, cancellationToken);
                }
            }
            else
            {
                string? continueToken = null;
                do
                {
                    var page = await KindClient.ListPageAsync<V1StatefulSet>(api, ClusterKinds.StatefulSet, null, continueToken, malformed.Report, cancellationToken);
                    ok &= await JudgeListedAsync(page.Items, wanted, leading, limiter, cancellationToken);
                    continueToken = page.Continue;
                }
                while (!string.IsNullOrEmpty(continueToken) && leading());
            }

            // Listed nowhere: deleted meanwhile (or skipped as malformed).
            foreach (var key in wanted)
            {
                if (queue.TryTake(key, out _))
                {
                    Forget(key);
                }
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Still queued: tried again on the next pass.
            LastError = $"listing StatefulSets failed: {LoopHealth.Describe(ex)}";
            ok = false;
        }

        return ok;
    }

    private async Task<bool> JudgeListedAsync(IEnumerable<V1StatefulSet> items, HashSet<string> wanted, Func<bool> leading, RateLimiter limiter,
        CancellationToken cancellationToken)
    {
        var ok = true;
        foreach (var sts in items)
        {
            var key = ReportQueue.Key(sts.Metadata?.NamespaceProperty ?? "", sts.Metadata?.Name ?? "");
            if (leading() && wanted.Remove(key) && queue.TryTake(key, out var since))
            {
                // A watch event may have brought a newer one meanwhile: that one is judged instead.
                ok &= await ProcessAsync(key, since, queue.TryTakeWhole(key, out var newer) ? newer : sts, limiter, cancellationToken);
            }
        }

        return ok;
    }

    /// <summary>Deleted: the garbage collector deletes its reports (they are owned by it).</summary>
    private void Forget(string key)
    {
        gauges.Set(key, []);
        foreach (var writer in writers)
        {
            written.Remove((writer.Format, key));
        }
    }

    private async Task<bool> ProcessAsync(string key, DateTimeOffset since, V1StatefulSet sts, RateLimiter limiter, CancellationToken cancellationToken)
    {
        var (ns, name) = ReportQueue.Split(key);
        if (view.Get(ClusterKinds.StatefulSet, ns, name).State == LookupState.NotFound)
        {
            Forget(key);
            return true;
        }

        IReadOnlyList<ReportResult> results;
        try
        {
            results = PolicyReports.Evaluate(engine, sts, view);
            Interlocked.Increment(ref evaluations);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The object itself cannot be judged: trying again would fail again until it changes.
            LogEvaluationFailed(logger, key, ex.Message);
            return true;
        }

        gauges.Set(key, results);
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
            queue.Retry(key, since, sts);
        }

        return ok;
    }

    /// <returns>False when the write failed and should be tried again.</returns>
    private async Task<bool> WriteAsync(ReportWriter writer, string key, V1StatefulSet sts, IReadOnlyList<ReportResult> results, RateLimiter limiter,
        CancellationToken cancellationToken)
    {
        var format = writer.Format;
        written.TryGetValue((format, key), out var existing);
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            var now = clock.GetUtcNow();
            var known = existing;
            var desired = PolicyReports.Build(format, sts, results, r => known?.FirstSeen(r) ?? now);
            if (existing is not null && existing.Says(desired))
            {
                return true;
            }

            using var permit = await limiter.AcquireAsync(1, cancellationToken);
            try
            {
                StoredReport? stored;
                if (existing is null)
                {
                    stored = await writer.CreateAsync(desired, cancellationToken);
                    ReportMetrics.Writes.WithLabels(format.Name, "create").Inc();
                }
                else if (existing.ResourceVersion is null)
                {
                    // Stored, but not even its version can be read: replaced by deleting and creating it.
                    await writer.DeleteAsync(existing.Namespace, existing.Name, cancellationToken);
                    ReportMetrics.Writes.WithLabels(format.Name, "delete").Inc();
                    stored = await writer.CreateAsync(desired, cancellationToken);
                    ReportMetrics.Writes.WithLabels(format.Name, "create").Inc();
                }
                else
                {
                    desired["metadata"]!["resourceVersion"] = existing.ResourceVersion;
                    stored = await writer.ReplaceAsync(desired, cancellationToken);
                    ReportMetrics.Writes.WithLabels(format.Name, "update").Inc();
                }

                if (stored is null)
                {
                    LastError = $"the answer to writing the {format.Kind} of {key} cannot be read";
                    // Written, but the answer cannot be read: what is stored is unknown until read again.
                    written.Remove((format, key));
                    return false;
                }

                written[(format, key)] = stored;
                return true;
            }
            catch (ApiException ex) when (ex.IsConflict)
            {
                // Changed or created meanwhile (another writer, a user): start again from what is stored.
                ReportMetrics.WriteFailures.WithLabels(format.Name, "conflict").Inc();
                existing = await ReadStoredAsync(writer, sts, cancellationToken);
            }
            catch (ApiException ex) when (ex.IsNotFound)
            {
                if (existing is null)
                {
                    // Creating in the collection answered 404: the cluster does not serve the format.
                    NotServed(format);
                    return true;
                }

                existing = null; // deleted meanwhile: create it
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                ReportMetrics.WriteFailures.WithLabels(format.Name, "error").Inc();
                LastError = $"writing the {format.Kind} of {key} failed: {LoopHealth.Describe(ex)}";
                written.Remove((format, key));
                return false;
            }
        }

        LastError = $"writing the {format.Kind} of {key} kept conflicting";
        return false;
    }

    /// <summary>The report as stored now; null when there is none.</summary>
    private static Task<StoredReport?> ReadStoredAsync(ReportWriter writer, V1StatefulSet sts, CancellationToken cancellationToken) =>
        writer.GetAsync(sts.Metadata.NamespaceProperty, PolicyReports.Name(sts), cancellationToken);

    /// <summary>Reports whose StatefulSet is gone (normally the garbage collector's work).</summary>
    private async Task<bool> SweepAsync(RateLimiter limiter, CancellationToken cancellationToken)
    {
        var ok = true;
        foreach (var ((format, key), report) in written.ToList())
        {
            var (ns, name) = ReportQueue.Split(key);
            if (view.Get(ClusterKinds.StatefulSet, ns, name).State != LookupState.NotFound)
            {
                continue;
            }

            using var permit = await limiter.AcquireAsync(1, cancellationToken);
            try
            {
                await writers.First(w => w.Format == format).DeleteAsync(report.Namespace, report.Name, cancellationToken);
                ReportMetrics.Writes.WithLabels(format.Name, "delete").Inc();
                written.Remove((format, key));
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                ReportMetrics.WriteFailures.WithLabels(format.Name, "error").Inc();
                LastError = $"deleting the {format.Kind} of {key} failed: {LoopHealth.Describe(ex)}";
                ok = false;
            }
        }

        return ok;
    }

    private void NotServed(ReportFormat format)
    {
        if (notServed.Add(format))
        {
            ReportMetrics.WriteFailures.WithLabels(format.Name, "crd-missing").Inc();
            if (saidNotServed.Add(format))
            {
                LogNotServed(logger, format.Kind, format.ApiVersion, resyncMinutes);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Policy reports: the cluster does not serve {Kind} ({ApiVersion}: its CRD is not installed); not writing them, looking again in {Minutes} min. Admission is not affected.")]
    private static partial void LogNotServed(ILogger logger, string kind, string apiVersion, int minutes);



    [LoggerMessage(Level = LogLevel.Warning, Message = "Policy reports: StatefulSet {StatefulSet} could not be evaluated: {Error}")]
    private static partial void LogEvaluationFailed(ILogger logger, string statefulSet, string error);
}
