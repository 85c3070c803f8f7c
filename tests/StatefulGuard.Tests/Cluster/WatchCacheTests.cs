using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using StatefulGuard.Core.Cluster;
using StatefulGuard.Tests.Support;

namespace StatefulGuard.Tests.Cluster;

/// <summary>
/// The webhook's cluster view, driven by the real KubernetesClient against the fake apiserver: changes
/// arrive by watch, expired versions re-list, outages serve the last known state, admissions never GET.
/// </summary>
public sealed class WatchCacheTests : IAsyncLifetime
{
    private static readonly TimeSpan OneSecond = TimeSpan.FromSeconds(1);
    private FakeApiServer apiServer = null!;
    private WebhookFactory webhook = null!;

    public async Task InitializeAsync()
    {
        apiServer = await FakeApiServer.StartAsync();
        webhook = new WebhookFactory(apiServer, new Dictionary<string, string?> { ["StatefulGuard:Cluster:MaxBackoffSeconds"] = "1" });
        await webhook.WaitUntilReadyAsync();
    }

    public async Task DisposeAsync()
    {
        await webhook.DisposeAsync();
        await apiServer.DisposeAsync();
    }

    [Fact]
    public async Task Service_created_after_start_allows_within_one_second_and_deleting_it_denies_again_within_one_second()
    {
        var ns = ClusterFixture.NewNamespace();
        var review = AdmissionReviews.Create(Fixtures.StatefulSet(ns));
        Assert.False((await webhook.PostAsync("/validate", review)).AssertWellFormed().Allowed);

        var clock = Stopwatch.StartNew();
        apiServer.Apply("services", Fixtures.HeadlessService(ns));
        var allowed = await webhook.ClusterChanges.UntilAsync(() => webhook.PostAsync("/validate", review), r => r.Allowed, OneSecond);
        var toAllow = clock.Elapsed;
        Assert.True(allowed.AssertWellFormed().Allowed, $"still denied after {toAllow.TotalMilliseconds:0} ms");

        clock.Restart();
        apiServer.Delete("services", ns, "nginx");
        var denied = await webhook.ClusterChanges.UntilAsync(() => webhook.PostAsync("/validate", review), r => !r.Allowed, OneSecond);
        Assert.False(denied.AssertWellFormed().Allowed, $"still allowed after {clock.Elapsed.TotalMilliseconds:0} ms");
    }

    [Fact]
    public async Task Cached_objects_keep_only_their_kinds_projection_of_what_the_rules_read()
    {
        var ns = ClusterFixture.NewNamespace();
        var service = Fixtures.HeadlessService(ns);
        service["metadata"]!["annotations"] = new JsonObject
        {
            ["kubectl.kubernetes.io/last-applied-configuration"] = service.ToJsonString(),
            ["team"] = "storage",
        };
        service["metadata"]!["managedFields"] = JsonNode.Parse("""[{"manager":"kubectl","operation":"Apply","apiVersion":"v1","fieldsType":"FieldsV1","fieldsV1":{"f:spec":{}}}]""");
        apiServer.Apply("services", service);

        var view = webhook.Services.GetRequiredService<IClusterView>();
        var cached = await webhook.ClusterChanges.UntilAsync(() => Task.FromResult(view.GetService(ns, "nginx")), l => l.State == LookupState.Found, OneSecond);

        Assert.Equal(LookupState.Found, cached.State);
        var selector = Fixtures.HeadlessService(ns)["spec"]!["selector"]!.AsObject().ToDictionary(p => p.Key, p => p.Value!.GetValue<string>());
        Assert.Equal(new CachedService(ns, "nginx", "ClusterIP", "None", LabelDictionary.From(selector)), cached.Value);

        // A StatefulSet keeps what the rules look up of it (name, serviceName, selector, pod labels, being deleted);
        // the policy reports take whole objects from watch events and lists.
        var sts = Fixtures.Stored(Fixtures.StatefulSet(ns));
        sts["metadata"]!["managedFields"] = JsonNode.Parse("""[{"manager":"kube-controller-manager","operation":"Update","apiVersion":"apps/v1"}]""");
        apiServer.Apply("statefulsets", sts);
        var set = await webhook.ClusterChanges.UntilAsync(() => Task.FromResult(view.GetStatefulSets(ns)), l => l.Value is { Count: 1 }, OneSecond);
        var cachedSts = Assert.Single(set.Value!);
        Assert.Equal((ns, "web", "nginx", false), (cachedSts.Namespace, cachedSts.Name, cachedSts.ServiceName, cachedSts.Deleting));
        Assert.Equal(sts["spec"]!["template"]!["metadata"]!["labels"]!.AsObject().Count, cachedSts.PodLabels.Count);
        Assert.NotEmpty(cachedSts.Selector!.MatchLabels);
        Assert.All(cachedSts.Selector.MatchLabels, p => Assert.Equal(p.Value, cachedSts.PodLabels[p.Key]));
    }

    [Fact]
    public async Task A_namespace_list_is_a_snapshot_that_later_events_replace_but_never_change()
    {
        var ns = ClusterFixture.NewNamespace();
        var view = webhook.Services.GetRequiredService<IClusterView>();
        JsonObject Named(string name, string version)
        {
            var sts = Fixtures.StatefulSet(ns);
            sts["metadata"]!["name"] = name;
            sts["spec"]!["template"]!["metadata"]!["labels"]!["version"] = version;
            return sts;
        }

        static string? Version(CachedStatefulSet s) => s.PodLabels["version"];

        apiServer.Apply("statefulsets", Named("a", "1"));
        apiServer.Apply("statefulsets", Named("b", "1"));
        var both = await webhook.ClusterChanges.UntilAsync(() => Task.FromResult(view.GetStatefulSets(ns)), l => l.Value?.Count == 2, OneSecond);
        Assert.Equal(["a", "b"], both.Value!.Select(s => s.Name).Order());

        apiServer.Apply("statefulsets", Named("b", "5"));
        apiServer.Delete("statefulsets", ns, "a");
        var after = await webhook.ClusterChanges.UntilAsync(() => Task.FromResult(view.GetStatefulSets(ns)), l => l.Value is [var only] && Version(only) == "5", OneSecond);

        var remaining = Assert.Single(after.Value!);
        Assert.Equal(("b", "5"), (remaining.Name, Version(remaining)));
        Assert.Equal(["a", "b"], both.Value!.Select(s => s.Name).Order());
        Assert.All(both.Value!, s => Assert.Equal("1", Version(s)));
        var empty = view.GetStatefulSets(ClusterFixture.NewNamespace());
        Assert.Equal(LookupState.Found, empty.State);
        Assert.Empty(empty.Value!);
    }

    [Fact]
    public async Task Expired_resource_version_re_lists_and_keeps_following_changes()
    {
        var ns = ClusterFixture.NewNamespace();
        var review = AdmissionReviews.Create(Fixtures.StatefulSet(ns));
        var listsBefore = apiServer.CountRequests(IsServiceList);

        apiServer.Compact(); // ends the watches; re-watching from the old version gets 410 Gone
        apiServer.Apply("services", Fixtures.HeadlessService(ns));

        var allowed = await webhook.ClusterChanges.UntilAsync(() => webhook.PostAsync("/validate", review), r => r.Allowed, TimeSpan.FromSeconds(5));
        Assert.True(allowed.AssertWellFormed().Allowed);
        Assert.True(apiServer.CountRequests(IsServiceList) > listsBefore, "no re-list after 410 Gone");

        // The first lists' garbage was collected once before ready; a re-list under way is left to the trimmer.
        Assert.Equal(1, webhook.Services.GetRequiredService<StatefulGuard.Serve.Cluster.KubernetesClusterView>().SettleCollections);
    }

    [Fact]
    public async Task Apiserver_outage_keeps_answers_from_cache_and_readiness_and_recovers()
    {
        var ns = ClusterFixture.NewNamespace();
        apiServer.Apply("services", Fixtures.HeadlessService(ns));
        var good = AdmissionReviews.Create(Fixtures.StatefulSet(ns));
        var bad = AdmissionReviews.Create(Fixtures.StatefulSet(ns, serviceName: "missing"));
        Assert.True((await webhook.ClusterChanges.UntilAsync(() => webhook.PostAsync("/validate", good), r => r.Allowed, TimeSpan.FromSeconds(5))).Allowed);

        var restarts = StatefulGuard.Serve.Cluster.ClusterMetrics.WatchRestarts.WithLabels("Service", "error").Value;
        await apiServer.StopAsync();
        // The watch has noticed and is backing off: its restart counter moved.
        await webhook.ClusterChanges.UntilAsync(() => StatefulGuard.Serve.Cluster.ClusterMetrics.WatchRestarts.WithLabels("Service", "error").Value > restarts, TimeSpan.FromSeconds(10));

        Assert.True((await webhook.PostAsync("/validate", good)).AssertWellFormed().Allowed);
        Assert.False((await webhook.PostAsync("/validate", bad)).AssertWellFormed().Allowed);
        using (var client = webhook.CreateClient())
        {
            using var ready = await client.GetAsync(new Uri("/readyz", UriKind.Relative));
            Assert.Equal(200, (int)ready.StatusCode);
        }

        await apiServer.RestartAsync();
        apiServer.Apply("services", Fixtures.HeadlessService(ns, name: "missing"));
        var recovered = await webhook.ClusterChanges.UntilAsync(() => webhook.PostAsync("/validate", bad), r => r.Allowed, TimeSpan.FromSeconds(10));
        Assert.True(recovered.Allowed, "changes after the outage never arrived");
    }

    [Fact]
    public async Task Admissions_are_answered_from_the_cache_without_calling_the_apiserver()
    {
        var ns = ClusterFixture.NewNamespace();
        apiServer.Apply("services", Fixtures.HeadlessService(ns));
        var review = AdmissionReviews.Create(Fixtures.StatefulSet(ns));
        await webhook.ClusterChanges.UntilAsync(() => webhook.PostAsync("/validate", review), r => r.Allowed, TimeSpan.FromSeconds(5));
        var before = apiServer.Requests.Where(r => !IsWatch(r)).ToArray();

        // Every kind of lookup: Services, Namespaces, StorageClasses and PDBs (validate), the version (mutate),
        // StatefulSets (a Service delete).
        var mutate = AdmissionReviews.Create(Fixtures.StatefulSet(ns));
        var deleteService = AdmissionReviews.DeleteService(Fixtures.ClusterIpService(ns, "unrelated"));
        for (var i = 0; i < 1000; i++)
        {
            var (path, body) = (i % 3) switch { 0 => ("/validate", review), 1 => ("/mutate", mutate), _ => ("/validate", deleteService) };
            Assert.True((await webhook.PostAsync(path, body)).Allowed);
        }

        var after = apiServer.Requests.Where(r => !IsWatch(r)).ToArray();
        Assert.Equal(before, after);
    }

    [Fact]
    public async Task Large_clusters_are_listed_in_pages()
    {
        await using var big = await FakeApiServer.StartAsync();
        for (var i = 0; i < 1203; i++)
        {
            big.Apply("services", Fixtures.HeadlessService($"team-{i % 40}", $"svc-{i}"));
        }

        big.Apply("services", Fixtures.HeadlessService("paged", "nginx"));
        await using var paged = new WebhookFactory(big);
        await paged.WaitUntilReadyAsync();

        var result = (await paged.PostAsync("/validate", AdmissionReviews.Create(Fixtures.StatefulSet("paged")))).AssertWellFormed();

        Assert.True(result.Allowed);
        Assert.Contains(big.Requests, r => r.StartsWith("GET /api/v1/services?", StringComparison.Ordinal) && r.Contains("continue=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Event_cut_mid_line_is_delivered_again_after_the_rewatch()
    {
        var ns = ClusterFixture.NewNamespace();
        var review = AdmissionReviews.Create(Fixtures.StatefulSet(ns));
        var watchesBefore = apiServer.CountRequests(r => r.StartsWith("GET /api/v1/services?", StringComparison.Ordinal) && r.Contains("watch=true", StringComparison.Ordinal));

        apiServer.CutNextWatchEvent();
        apiServer.Apply("services", Fixtures.HeadlessService(ns));

        var result = await webhook.ClusterChanges.UntilAsync(() => webhook.PostAsync("/validate", review), r => r.Allowed, TimeSpan.FromSeconds(10));
        Assert.True(result.AssertWellFormed().Allowed, "the Service in the cut event never reached the cache");
        // The object may come back through the relist before the new watch is opened: wait for that watch.
        await apiServer.WaitUntilAsync(
            s => s.CountRequests(r => r.StartsWith("GET /api/v1/services?", StringComparison.Ordinal) && r.Contains("watch=true", StringComparison.Ordinal)) > watchesBefore,
            TimeSpan.FromSeconds(10));
    }

    private static bool IsWatch(string request) => request.Contains("watch=true", StringComparison.Ordinal);

    private static bool IsServiceList(string request) => request.StartsWith("GET /api/v1/services", StringComparison.Ordinal) && !IsWatch(request);
}
