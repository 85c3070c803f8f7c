using StatefulGuard.Tests.Support;

namespace StatefulGuard.Tests.Serve;

/// <summary>The counters are process-wide: a test that reads them exactly runs alone.</summary>
[CollectionDefinition(nameof(ProcessWideCounters), DisableParallelization = true)]
public sealed class ProcessWideCounters;

/// <summary>Warm before ready: readiness waits for the warm-up, which leaves no trace in the counters.</summary>
[Collection(nameof(ProcessWideCounters))]
public sealed class AdmissionWarmupTests
{
    [Fact]
    public async Task Ready_only_after_the_request_path_ran_and_the_counters_show_no_warm_up_review()
    {
        var start = Count(Prometheus.Metrics.DefaultRegistry);
        await using var webhook = new WebhookFactory(null, new Dictionary<string, string?> { ["StatefulGuard:WarmupMilliseconds"] = "300" });
        using var client = webhook.CreateClient();

        await webhook.WaitUntilReadyAsync();
        var ready = await client.GetStringAsync(new Uri("/readyz", UriKind.Relative));
        Assert.Matches(@"warmed up \(\d+ reviews\)", ready);
        var warmed = int.Parse(System.Text.RegularExpressions.Regex.Match(ready, @"warmed up \((\d+) reviews\)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(warmed >= 4, $"{warmed} reviews");

        var metrics = await client.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        var before = Count(metrics);
        (await webhook.PostAsync("/mutate", AdmissionReviews.Create(MutationFixtures.Created("web", "after-warmup")))).AssertWellFormed(validating: false);
        var after = Count(await client.GetStringAsync(new Uri("/metrics", UriKind.Relative)));

        // The warm-up's reviews counted nothing; the one real admission counts one. They were recorded, into the
        // rehearsal meters, so the first real admission found the recording path compiled.
        Assert.Equal(start, before);
        Assert.Equal(before + 1, after);
        Assert.True(StatefulGuard.Serve.AdmissionMetrics.Rehearsal.LatencyLabelSets > 0);
    }

    private static double Count(Prometheus.CollectorRegistry registry)
    {
        using var stream = new MemoryStream();
        registry.CollectAndExportAsTextAsync(stream).GetAwaiter().GetResult();
        return Count(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
    }

    private static double Count(string metrics) =>
        metrics.Split('\n')
            .Where(l => l.StartsWith("statefulguard_admission_duration_seconds_count{endpoint=\"mutate\"", StringComparison.Ordinal))
            .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
}
