using System.Text.Json.Nodes;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Serilog.Core;
using Serilog.Events;
using StatefulGuard.Tests.Support;

namespace StatefulGuard.Tests.Serve;

/// <summary>Health, readiness, Prometheus metrics and the structured decision log.</summary>
public sealed class ObservabilityTests(ClusterFixture cluster) : IClassFixture<ClusterFixture>
{
    [Fact]
    public async Task Healthz_and_readyz_answer_200_once_synced()
    {
        using var client = cluster.Webhook.CreateClient();
        using var health = await client.GetAsync(new Uri("/healthz", UriKind.Relative));
        using var ready = await client.GetAsync(new Uri("/readyz", UriKind.Relative));

        Assert.Equal(200, (int)health.StatusCode);
        Assert.Equal(200, (int)ready.StatusCode);
        var body = JsonNode.Parse(await ready.Content.ReadAsStringAsync())!;
        Assert.Equal("Healthy", body["status"]!.GetValue<string>());
        Assert.Equal(["certificate", "cluster-caches", "shutdown", "warmup"], body["checks"]!.AsObject().Select(c => c.Key).Order());
        Assert.All(body["checks"]!.AsObject(), c => Assert.Equal("Healthy", c.Value!["status"]!.GetValue<string>()));
        Assert.Contains("caches synced", body["checks"]!["cluster-caches"]!["description"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_expose_the_latency_histogram_and_rule_outcomes()
    {
        var ns = ClusterFixture.NewNamespace();
        (await cluster.Webhook.PostAsync("/validate", AdmissionReviews.Create(Fixtures.StatefulSet(ns)))).AssertWellFormed();

        using var client = cluster.Webhook.CreateClient();
        var metrics = await client.GetStringAsync(new Uri("/metrics", UriKind.Relative));

        Assert.Contains("# TYPE statefulguard_admission_duration_seconds histogram", metrics);
        Assert.Contains("statefulguard_admission_duration_seconds_bucket{endpoint=\"validate\",operation=\"CREATE\",decision=\"deny\",le=\"0.005\"}", metrics);
        Assert.Contains("statefulguard_rule_results_total{rule=\"headless-service\",outcome=\"deny\"}", metrics);
        Assert.Contains("statefulguard_cluster_cache_synced{kind=\"Service\"} 1", metrics);
    }

    [Fact]
    public async Task Metrics_carry_the_runtime_meter_but_not_per_request_framework_instruments()
    {
        var ns = ClusterFixture.NewNamespace();
        using var client = cluster.Webhook.CreateClient();
        await client.GetStringAsync(new Uri("/metrics", UriKind.Relative)); // the first scrape starts the adapters
        for (var i = 0; i < 3; i++)
        {
            (await cluster.Webhook.PostAsync("/mutate", AdmissionReviews.Create(Fixtures.StatefulSet(ns)))).AssertWellFormed(validating: false);
        }

        var metrics = await client.GetStringAsync(new Uri("/metrics", UriKind.Relative));

        Assert.Contains("system_runtime_dotnet_gc_collections", metrics);
        Assert.Contains("process_cpu_seconds_total", metrics);
        Assert.DoesNotContain("http_server_request_duration", metrics);
        Assert.DoesNotContain("aspnetcore_rate_limiting", metrics);
        Assert.DoesNotContain("aspnetcore_routing", metrics);
    }

    [Fact]
    public async Task Every_decision_is_logged_with_uid_operation_object_rules_and_outcome()
    {
        var logs = new CapturingLogSink();
        await using var webhook = cluster.Webhook.WithWebHostBuilder(b =>
            b.ConfigureTestServices(s => s.AddSingleton<ILogEventSink>(logs)));
        var ns = ClusterFixture.NewNamespace();
        var review = AdmissionReviews.Create(Fixtures.StatefulSet(ns), uid: "log-uid-1");

        using var client = webhook.CreateClient();
        await webhook.WaitUntilReadyAsync();
        using var content = new StringContent(review.ToJsonString(), System.Text.Encoding.UTF8, "application/json");
        (await client.PostAsync(new Uri("/validate", UriKind.Relative), content)).EnsureSuccessStatusCode();

        var decision = Assert.Single(logs.Events, e => e.Values.TryGetValue("Uid", out var uid) && (string?)uid == "log-uid-1");
        Assert.Equal("CREATE", decision.Values["Operation"]);
        Assert.Equal(ns, decision.Values["Namespace"]);
        Assert.Equal("web", decision.Values["Name"]);
        Assert.Equal(false, decision.Values["Allowed"]);
        Assert.Contains("headless-service:deny", (string)decision.Values["Rules"]!);
        Assert.IsType<double>(decision.Values["DurationMs"]);
        Assert.Equal(("StatefulGuard.Serve.AdmissionHandler", LogEventLevel.Information), (decision.Category, decision.Level));
        Assert.Contains("log-uid-1", decision.Message);
    }
}

/// <summary>The apiserver is unreachable when the webhook starts: not ready, and lookups are unverifiable.</summary>
public sealed class UnreachableAtStartTests
{
    [Fact]
    public async Task Not_ready_and_unverifiable_lookups_warn_instead_of_deny()
    {
        var apiServer = await FakeApiServer.StartAsync();
        await apiServer.StopAsync();
        await using var webhook = new WebhookFactory(apiServer);

        using var client = webhook.CreateClient();
        using var ready = await client.GetAsync(new Uri("/readyz", UriKind.Relative));
        Assert.Equal(503, (int)ready.StatusCode);

        var result = (await webhook.PostAsync("/validate", AdmissionReviews.Create(Fixtures.StatefulSet("early")))).AssertWellFormed();
        Assert.True(result.Allowed);
        Assert.Contains(result.Warnings, w => w.StartsWith("headless-service: cannot verify Service \"nginx\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Unverifiable_lookups_can_be_configured_to_fail_closed()
    {
        var apiServer = await FakeApiServer.StartAsync();
        await apiServer.StopAsync();
        await using var webhook = new WebhookFactory(apiServer, new Dictionary<string, string?> { ["StatefulGuard:Cluster:UnverifiableAction"] = "Deny" });

        var result = (await webhook.PostAsync("/validate", AdmissionReviews.Create(Fixtures.StatefulSet("early")))).AssertWellFormed();

        Assert.False(result.Allowed);
        Assert.Contains("cannot verify", result.Message);
    }
}
