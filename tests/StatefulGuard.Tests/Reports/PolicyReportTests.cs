using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Serilog.Core;
using StatefulGuard.Core.Engine;
using StatefulGuard.Core.Rules;
using StatefulGuard.Serve.Reports;
using StatefulGuard.Tests.Support;

namespace StatefulGuard.Tests.Reports;

/// <summary>A webhook writing OpenReports reports to a fake apiserver that serves the report CRDs and Leases.</summary>
public sealed class ReportCluster : ClusterFixture
{
    protected override IDictionary<string, string?> Settings => ReportSettings.For("OpenReports");
}

internal static class ReportSettings
{
    /// <summary>Reports on, judged quickly after a change, and a short Lease so a takeover is quick.</summary>
    public static Dictionary<string, string?> For(string format) => new()
    {
        ["StatefulGuard:Reports:Format"] = format,
        ["StatefulGuard:Reports:DebounceMilliseconds"] = "50",
        ["StatefulGuard:Reports:WritesPerSecond"] = "200",
        ["StatefulGuard:Reports:LeaseNamespace"] = "statefulguard",
        ["StatefulGuard:Reports:LeaseDurationSeconds"] = "3",
        ["StatefulGuard:Reports:RenewDeadlineSeconds"] = "2",
        ["StatefulGuard:Reports:RetryPeriodSeconds"] = "1",
    };

    /// <summary>The "web" StatefulSet as the apiserver stores it, with a uid of its own.</summary>
    public static JsonObject StatefulSet(string ns, string serviceName = "nginx")
    {
        var sts = Fixtures.StatefulSet(ns, serviceName);
        sts["metadata"]!.AsObject().Remove("uid");
        return sts;
    }

    /// <summary>Pulsed whenever one of the controllers takes or loses the lead.</summary>
    public static Changes Leadership(params ReportController[] controllers)
    {
        var changes = new Changes();
        foreach (var controller in controllers)
        {
            controller.LeadershipChanged += changes.Pulse;
        }

        return changes;
    }

    public static JsonObject? Result(JsonObject report, string policy) =>
        (report["results"] as JsonArray ?? []).OfType<JsonObject>().SingleOrDefault(r => r["policy"] is JsonValue v && v.TryGetValue<string>(out var p) && p == policy);

    public static string? Outcome(FakeApiServer api, string resource, string ns, string policy) =>
        api.Get(resource, ns, "statefulguard-web") is { } report ? (string?)Result(report, policy)?["result"] : null;
}

/// <summary>Policy reports written by <c>serve</c> through the real KubernetesClient to the fake apiserver.</summary>
public sealed class PolicyReportTests(ReportCluster cluster) : IClassFixture<ReportCluster>
{
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(10);

    private FakeApiServer Api => cluster.ApiServer;

    private ReportController Controller => cluster.Webhook.Services.GetRequiredService<ReportController>();

    /// <summary>The "web" StatefulSet and the headless Service it names.</summary>
    private void ApplyWeb(string ns)
    {
        Api.Apply("services", Fixtures.HeadlessService(ns));
        Api.Apply("statefulsets", ReportSettings.StatefulSet(ns));
    }

    [Fact]
    public async Task Each_statefulset_gets_one_report_owned_by_it_with_one_result_per_rule()
    {
        var ns = ClusterFixture.NewNamespace("rep");
        ApplyWeb(ns);

        await Api.WaitUntilAsync(a => a.Get("reports", ns, "statefulguard-web") is not null, Soon);

        var report = Api.Get("reports", ns, "statefulguard-web")!;
        var sts = Api.Get("statefulsets", ns, "web")!;
        var uid = (string?)sts["metadata"]!["uid"];
        Assert.Equal(("openreports.io/v1alpha1", "Report", "statefulguard"), ((string?)report["apiVersion"], (string?)report["kind"], (string?)report["source"]));
        Assert.Equal("statefulguard", (string?)report["metadata"]!["labels"]!["app.kubernetes.io/managed-by"]);
        var owner = Assert.Single(report["metadata"]!["ownerReferences"]!.AsArray())!;
        Assert.Equal(("apps/v1", "StatefulSet", "web", uid), ((string?)owner["apiVersion"], (string?)owner["kind"], (string?)owner["name"], (string?)owner["uid"]));
        Assert.Equal(("StatefulSet", "web", ns, uid), ((string?)report["scope"]!["kind"], (string?)report["scope"]!["name"], (string?)report["scope"]!["namespace"], (string?)report["scope"]!["uid"]));

        // One result per rule that judges StatefulSets, each naming the rule, its category and severity.
        var applicable = RuleCatalog.Default.Rules.Where(r => r is IValidatingRule or IMutatingRule).ToList();
        var results = report["results"]!.AsArray().OfType<JsonObject>().ToList();
        Assert.Equal(applicable.Select(r => r.Descriptor.Id).Order(), results.Select(r => (string)r["policy"]!).Order());
        foreach (var result in results)
        {
            var rule = applicable.Single(r => r.Descriptor.Id == (string?)result["policy"]).Descriptor;
            Assert.Equal((rule.Category, rule.Severity.ToString().ToLowerInvariant(), "statefulguard"), ((string?)result["category"], (string?)result["severity"], (string?)result["source"]));
            Assert.Equal(uid, (string?)result["resources"]![0]!["uid"]);
            Assert.Contains((string?)result["result"], new[] { "pass", "fail", "warn", "error", "skip" });
        }

        Assert.Equal("pass", (string?)ReportSettings.Result(report, "headless-service")!["result"]);
        Assert.Equal("warn", (string?)ReportSettings.Result(report, "probes")!["result"]); // would inject probes
        Assert.StartsWith("would inject: probes", (string?)ReportSettings.Result(report, "probes")!["message"], StringComparison.Ordinal);
        var summary = report["summary"]!;
        Assert.Equal(results.Count, new[] { "pass", "fail", "warn", "error", "skip" }.Sum(k => (int)summary[k]!));
        Assert.Equal(results.Count(r => (string?)r["result"] == "pass"), (int)summary["pass"]!);

        using var client = cluster.Webhook.CreateClient();
        var metrics = await client.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Contains("statefulguard_report_leader 1", metrics);
        Assert.Matches(@"statefulguard_report_results\{rule=""headless-service"",result=""pass""\} [1-9]", metrics);
        Assert.Matches(@"statefulguard_report_writes_total\{format=""OpenReports"",verb=""create""\} [1-9]", metrics);
        Assert.Contains("statefulguard_report_latency_seconds_count", metrics);
    }

    [Fact]
    public async Task A_service_made_non_headless_fails_the_statefulsets_report_within_seconds_and_a_deny_rule_fails_in_audit_too()
    {
        var ns = ClusterFixture.NewNamespace("rep");
        Api.Apply("namespaces", Fixtures.Namespace(ns, mode: "audit"));
        ApplyWeb(ns);
        await Api.WaitUntilAsync(a => ReportSettings.Outcome(a, "reports", ns, "headless-service") == "pass", Soon);

        var changed = DateTime.UtcNow;
        Api.Apply("services", Fixtures.ClusterIpService(ns));
        await Api.WaitUntilAsync(a => ReportSettings.Outcome(a, "reports", ns, "headless-service") == "fail", Soon);

        Assert.True(DateTime.UtcNow - changed < Soon);
        var result = ReportSettings.Result(Api.Get("reports", ns, "statefulguard-web")!, "headless-service")!;
        Assert.Equal("high", (string?)result["severity"]);
        Assert.Contains("not headless", (string?)result["message"], StringComparison.Ordinal);
        Assert.Equal("service-not-headless", (string?)result["rule"]);
        Assert.False(string.IsNullOrEmpty((string?)result["properties"]!["fix"]));
    }

    [Fact]
    public async Task A_resync_of_an_unchanged_cluster_evaluates_everything_and_writes_nothing()
    {
        var ns = ClusterFixture.NewNamespace("rep");
        ApplyWeb(ns);
        await Api.WaitUntilAsync(a => a.Get("reports", ns, "statefulguard-web") is not null, Soon);
        await Controller.ResyncAsync(); // whatever else was still queued is done

        var (writes, evaluations) = (Api.Writes("reports"), Controller.Evaluations);
        await Controller.ResyncAsync();

        Assert.Equal(writes, Api.Writes("reports"));
        Assert.True(Controller.Evaluations > evaluations);
    }

    [Fact]
    public async Task A_resync_over_many_namespaces_reads_the_whole_statefulsets_in_one_paged_list_and_writes_nothing_new()
    {
        var namespaces = Enumerable.Range(0, 20).Select(_ => ClusterFixture.NewNamespace("many")).ToList();
        foreach (var ns in namespaces)
        {
            ApplyWeb(ns);
        }

        await Api.WaitUntilAsync(a => namespaces.All(ns => ReportSettings.Outcome(a, "reports", ns, "headless-service") == "pass"), Soon);
        await Controller.ResyncAsync();

        static bool ListAll(string request) => request.StartsWith("GET /apis/apps/v1/statefulsets?", StringComparison.Ordinal) && !request.Contains("watch=true", StringComparison.Ordinal);
        var (lists, writes) = (Api.Requests.Count(ListAll), Api.Writes("reports"));
        await Controller.ResyncAsync();

        Assert.True(Api.Requests.Count(ListAll) > lists);
        Assert.Equal(writes, Api.Writes("reports"));
    }

    [Fact]
    public async Task A_conflict_on_update_is_retried_with_the_current_version()
    {
        var ns = ClusterFixture.NewNamespace("rep");
        ApplyWeb(ns);
        await Api.WaitUntilAsync(a => ReportSettings.Outcome(a, "reports", ns, "headless-service") == "pass", Soon);

        Api.FailNext("PUT", "reports", HttpStatusCode.Conflict);
        Api.Apply("services", Fixtures.ClusterIpService(ns));

        await Api.WaitUntilAsync(a => ReportSettings.Outcome(a, "reports", ns, "headless-service") == "fail", Soon);
        var puts = Api.Requests.Count(r => r.StartsWith($"PUT /apis/openreports.io/v1alpha1/namespaces/{ns}/reports/statefulguard-web", StringComparison.Ordinal));
        Assert.True(puts >= 2, $"{puts} PUTs");
    }

    [Fact]
    public async Task An_exception_turns_the_waived_result_into_a_skip_naming_it()
    {
        var ns = ClusterFixture.NewNamespace("rep");
        Api.Apply("statefulsets", ReportSettings.StatefulSet(ns, serviceName: "missing"));
        await Api.WaitUntilAsync(a => ReportSettings.Outcome(a, "reports", ns, "headless-service") == "fail", Soon);

        Api.Apply("statefulguardexceptions", Fixtures.Exception(ns, "migration", ["headless-service", "probes"], ["web"], DateTimeOffset.UtcNow.AddDays(30)));

        await Api.WaitUntilAsync(a => ReportSettings.Outcome(a, "reports", ns, "headless-service") == "skip"
                                      && ReportSettings.Outcome(a, "reports", ns, "probes") == "skip", Soon);
        var report = Api.Get("reports", ns, "statefulguard-web")!;
        Assert.Equal($"{ns}/migration", (string?)ReportSettings.Result(report, "headless-service")!["properties"]!["exception"]);
        Assert.Equal($"{ns}/migration", (string?)ReportSettings.Result(report, "probes")!["properties"]!["exception"]);
    }
}

/// <summary>Two replicas against one apiserver: one Lease, one writer.</summary>
public sealed class ReportLeaderTests
{
    [Fact]
    public async Task Two_replicas_elect_one_writer_and_the_other_takes_over_without_duplicates_when_it_stops()
    {
        await using var api = await FakeApiServer.StartAsync();
        api.Apply("storageclasses", Fixtures.StorageClass("standard", "WaitForFirstConsumer", isDefault: true));
        var ns = ClusterFixture.NewNamespace("lead");
        api.Apply("services", Fixtures.HeadlessService(ns));
        api.Apply("statefulsets", ReportSettings.StatefulSet(ns));
        var first = new WebhookFactory(api, ReportSettings.For("Both"));
        await using var second = new WebhookFactory(api, ReportSettings.For("Both"));
        try
        {
            await Task.WhenAll(first.WaitUntilReadyAsync(), second.WaitUntilReadyAsync());
            var controllers = new[] { first, second }.Select(w => w.Services.GetRequiredService<ReportController>()).ToArray();
            var leadership = ReportSettings.Leadership(controllers);
            await leadership.UntilAsync(() => controllers.Count(c => c.Leading) == 1, TimeSpan.FromSeconds(10));
            await api.WaitUntilAsync(a => a.Get("reports", ns, "statefulguard-web") is not null && a.Get("policyreports", ns, "statefulguard-web") is not null,
                TimeSpan.FromSeconds(10));

            var leader = controllers.Single(c => c.Leading);
            var follower = controllers.Single(c => !c.Leading);
            Assert.Equal(0, follower.Evaluations);

            // The leader stops (a rollout, a node lost): the other replica takes the Lease within its duration.
            var writesBefore = api.Writes("reports") + api.Writes("policyreports");
            await (leader == controllers[0] ? first : second).DisposeAsync();
            await leadership.UntilAsync(() => follower.Leading, TimeSpan.FromSeconds(10));
            await follower.ResyncAsync();

            // It read what the old leader wrote: nothing is rewritten, nothing duplicated.
            Assert.Equal(writesBefore, api.Writes("reports") + api.Writes("policyreports"));
            Assert.Single(api.List("reports"), r => (string?)r["metadata"]!["namespace"] == ns);
            Assert.Single(api.List("policyreports"), r => (string?)r["metadata"]!["namespace"] == ns);

            // And it keeps them current.
            api.Apply("services", Fixtures.ClusterIpService(ns));
            await api.WaitUntilAsync(a => ReportSettings.Outcome(a, "reports", ns, "headless-service") == "fail"
                                          && ReportSettings.Outcome(a, "policyreports", ns, "headless-service") == "fail", TimeSpan.FromSeconds(10));
            Assert.Equal("wgpolicyk8s.io/v1alpha2", (string?)api.Get("policyreports", ns, "statefulguard-web")!["apiVersion"]);
        }
        finally
        {
            await first.DisposeAsync();
        }
    }

    [Fact]
    public async Task Without_the_report_crd_admission_and_readiness_are_unaffected_and_it_is_said_once()
    {
        await using var api = await FakeApiServer.StartAsync(withReportCrds: false);
        var ns = ClusterFixture.NewNamespace("nocrd");
        api.Apply("statefulsets", ReportSettings.StatefulSet(ns));
        var logs = new CapturingLogSink();
        await using var webhook = new WebhookFactory(api, ReportSettings.For("OpenReports"));
        await using var host = webhook.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton<ILogEventSink>(logs)));
        using var client = host.CreateClient();
        await host.WaitUntilReadyAsync();
        var controller = host.Services.GetRequiredService<ReportController>();
        await ReportSettings.Leadership(controller).UntilAsync(() => controller.Leading, TimeSpan.FromSeconds(10));
        await controller.ResyncAsync();
        await controller.ResyncAsync();

        using var content = new StringContent(AdmissionReviews.Create(Fixtures.StatefulSet(ns, serviceName: "missing")).ToJsonString(), System.Text.Encoding.UTF8, "application/json");
        using var response = await client.PostAsync(new Uri("/validate", UriKind.Relative), content);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True((await client.GetAsync(new Uri("/readyz", UriKind.Relative))).IsSuccessStatusCode);
        Assert.True(controller.Evaluations > 0);
        Assert.Single(logs.Events, e => e.Message.Contains("does not serve", StringComparison.Ordinal) && (string?)e.Values["Kind"] == "Report");
    }
}
