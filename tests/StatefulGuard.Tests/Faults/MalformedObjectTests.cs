using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using StatefulGuard.Core.Cluster;
using StatefulGuard.Serve.Cluster;
using StatefulGuard.Tests.Support;

namespace StatefulGuard.Tests.Faults;

/// <summary>An object the apiserver sends that cannot be read is skipped and counted, and the rest is kept.</summary>
public sealed class MalformedObjectTests
{
    /// <summary>A Service whose ports are a string: no v1 Service can be read from it.</summary>
    private static JsonObject Broken(string ns, string name)
    {
        var service = Fixtures.HeadlessService(ns);
        service["metadata"]!["name"] = name;
        service["spec"]!["ports"] = "eighty";
        return service;
    }

    [Fact]
    public async Task A_malformed_list_item_is_skipped_and_counted_and_the_others_are_cached()
    {
        var ns = ClusterFixture.NewNamespace("bad");
        await using var scenario = await FaultScenario.StartAsync(api =>
        {
            api.Apply("services", Broken(ns, "broken"));
            api.Apply("services", Fixtures.HeadlessService(ns));
        });

        await scenario.Host.WaitUntilReadyAsync(FaultScenario.ReadyWithin);

        var view = scenario.Host.Services.GetRequiredService<KubernetesClusterView>();
        Assert.Equal(LookupState.Found, view.Get(ClusterKinds.Service, ns, "nginx").State);
        Assert.Equal(LookupState.NotFound, view.Get(ClusterKinds.Service, ns, "broken").State);
        Assert.True(scenario.Host.Services.GetRequiredService<MalformedObjectLog>().Total >= 1);
        Assert.Contains(scenario.Logs.Events, e => e.Message.Contains($"{ns}/broken", StringComparison.Ordinal) && e.Level == Serilog.Events.LogEventLevel.Warning);
        using var client = scenario.Host.CreateClient();
        var metrics = await client.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Matches(@"statefulguard_malformed_objects_total\{kind=""Service"",source=""list""\} [1-9]", metrics);
    }

    [Fact]
    public async Task A_malformed_watch_event_is_skipped_and_counted_and_later_events_are_followed()
    {
        var ns = ClusterFixture.NewNamespace("bad");
        await using var scenario = await FaultScenario.StartAsync(_ => { });
        await scenario.Host.WaitUntilReadyAsync(FaultScenario.ReadyWithin);
        var malformed = scenario.Host.Services.GetRequiredService<MalformedObjectLog>();
        var seen = new Changes();
        malformed.Reported += _ => seen.Pulse();

        scenario.Api.Apply("services", Broken(ns, "broken"));
        await seen.UntilAsync(() => malformed.Total >= 1, FaultScenario.FollowsWithin);
        await scenario.AssertCachesFollowAsync();

        var view = scenario.Host.Services.GetRequiredService<KubernetesClusterView>();
        Assert.Equal(LookupState.NotFound, view.Get(ClusterKinds.Service, ns, "broken").State);
        scenario.AssertStillRunning();
    }

    [Fact]
    public async Task A_malformed_stored_report_is_skipped_and_counted_and_rewritten()
    {
        var ns = ClusterFixture.NewNamespace("bad");
        await using var scenario = await FaultScenario.StartAsync(api =>
        {
            api.Apply("services", Fixtures.HeadlessService(ns));
            api.Apply("statefulsets", Reports.ReportSettings.StatefulSet(ns));
            api.Apply("reports", new JsonObject
            {
                ["metadata"] = new JsonObject
                {
                    ["name"] = "statefulguard-web", ["namespace"] = ns,
                    ["labels"] = new JsonObject { ["app.kubernetes.io/managed-by"] = "statefulguard" },
                },
                ["scope"] = "not an object",
                ["results"] = 5,
            });
        }, reports: true);

        await scenario.Api.WaitUntilAsync(a => Reports.ReportSettings.Outcome(a, "reports", ns, "headless-service") == "pass", FaultScenario.ReportsWithin);
        Assert.True(scenario.Host.Services.GetRequiredService<MalformedObjectLog>().Total >= 1);
        scenario.AssertStillRunning();
    }
}
