using System.Text.Json.Nodes;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Serilog.Core;
using StatefulGuard.Serve.Cluster;
using StatefulGuard.Serve.Reports;
using StatefulGuard.Tests.Reports;
using StatefulGuard.Tests.Support;

namespace StatefulGuard.Tests.Faults;

/// <summary>
/// A webhook started against a fake apiserver that has a fault injected: the fault is hit (and retried), then lifted,
/// and the test checks how the webhook came back. Requests time out after 1 s and backoff stops at 1 s, so that a
/// scenario takes seconds; the targets measured against are the product's (ready within 20 s of the fault being
/// lifted, caches following changes within 10 s, reports written within 30 s).
/// </summary>
internal sealed class FaultScenario : IAsyncDisposable
{
    public static readonly TimeSpan ReadyWithin = TimeSpan.FromSeconds(20);
    public static readonly TimeSpan FollowsWithin = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan ReportsWithin = TimeSpan.FromSeconds(30);

    private readonly WebhookFactory factory;

    private FaultScenario(FakeApiServer api, WebhookFactory factory, Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program> host, CapturingLogSink logs)
    {
        Api = api;
        this.factory = factory;
        Host = host;
        Logs = logs;
    }

    public FakeApiServer Api { get; }

    public Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program> Host { get; }

    public CapturingLogSink Logs { get; }

    public static async Task<FaultScenario> StartAsync(Action<FakeApiServer> arrange, bool reports = false)
    {
        var api = await FakeApiServer.StartAsync();
        api.Apply("storageclasses", Fixtures.StorageClass("standard", "WaitForFirstConsumer", isDefault: true));
        arrange(api);
        var settings = reports ? ReportSettings.For("OpenReports") : [];
        settings["StatefulGuard:Cluster:RequestTimeoutSeconds"] = "1";
        settings["StatefulGuard:Cluster:MaxBackoffSeconds"] = "1";
        var logs = new CapturingLogSink();
        var factory = new WebhookFactory(api, settings);
        var host = factory.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton<ILogEventSink>(logs)));
        _ = host.Services; // starts the host
        return new FaultScenario(api, factory, host, logs);
    }

    /// <summary>Nothing stopped: the host is not shutting down and every background loop is still running.</summary>
    public void AssertStillRunning()
    {
        Assert.False(Host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.IsCancellationRequested, "the host is stopping");
        var loops = new List<BackgroundService> { Host.Services.GetRequiredService<KubernetesClusterView>() };
        if (Host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Configuration.StatefulGuardOptions>>().Value.Reports.Formats.Count > 0)
        {
            loops.Add(Host.Services.GetRequiredService<ReportController>());
        }

        foreach (var loop in loops)
        {
            Assert.False(loop.ExecuteTask is null || loop.ExecuteTask.IsCompleted,
                $"{loop.GetType().Name} ended: {loop.ExecuteTask?.Exception?.GetBaseException().Message ?? loop.ExecuteTask?.Status.ToString()}");
        }
    }

    /// <summary>An admission review answered by the webhook under test: its HTTP status.</summary>
    public async Task<int> ValidateAsync(JsonObject review)
    {
        using var client = Host.CreateClient();
        using var content = new StringContent(review.ToJsonString(), System.Text.Encoding.UTF8, "application/json");
        using var response = await client.PostAsync(new Uri("/validate", UriKind.Relative), content);
        return (int)response.StatusCode;
    }

    /// <summary>Applies a headless Service in a new namespace and waits until the webhook's cache holds it.</summary>
    public async Task AssertCachesFollowAsync()
    {
        var ns = ClusterFixture.NewNamespace("follow");
        var changes = Readiness.Subscribe(Host);
        Api.Apply("services", Fixtures.HeadlessService(ns));
        var view = Host.Services.GetRequiredService<KubernetesClusterView>();
        await changes.UntilAsync(() => view.Get(Core.Cluster.ClusterKinds.Service, ns, "nginx").State == Core.Cluster.LookupState.Found, FollowsWithin);
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        await factory.DisposeAsync();
        await Api.DisposeAsync();
    }

    public static JsonObject StatefulSet(string ns) => ReportSettings.StatefulSet(ns);
}
