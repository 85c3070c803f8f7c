using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace StatefulGuard.Tests.Support;

/// <summary>
/// The real webhook host (Program) on a test server, watching a <see cref="FakeApiServer"/> through the real
/// KubernetesClient, with extra configuration per test class.
/// </summary>
public class WebhookFactory : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> settings;

    private readonly TimeProvider? clock;

    /// <param name="clock">The time the webhook runs on (exceptions expire against it); the system's by default.</param>
    public WebhookFactory(FakeApiServer? apiServer, IDictionary<string, string?>? settings = null, TimeProvider? clock = null)
    {
        this.clock = clock;
        ApiServer = apiServer;
        this.settings = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>());
        if (apiServer is not null)
        {
            var directory = Path.Combine(Path.GetTempPath(), "statefulguard-tests", Guid.NewGuid().ToString("N"));
            this.settings["StatefulGuard:Cluster:Source"] = "Kubeconfig";
            this.settings["StatefulGuard:Cluster:Kubeconfig"] = apiServer.WriteKubeconfig(directory);
        }
        else
        {
            this.settings.TryAdd("StatefulGuard:Cluster:Source", "None");
        }

        // Test hosts start ready at once unless a test is about the warm-up (AdmissionWarmupTests).
        this.settings.TryAdd("StatefulGuard:WarmupMilliseconds", "0");

        // Policy reports are written only where a test is about them (PolicyReportTests): elsewhere they would be
        // writes and a leader election that the test did not ask for.
        this.settings.TryAdd("StatefulGuard:Reports:Format", "Off");
    }

    public FakeApiServer? ApiServer { get; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        builder.ConfigureAppConfiguration((_, config) => config.AddInMemoryCollection(settings));
        if (clock is not null)
        {
            builder.ConfigureServices(services => services.AddSingleton(clock));
        }
    }

    /// <summary>Pulsed by every change the webhook's watch caches take in (a watch event or a list) and every restart of their loops.</summary>
    public Changes ClusterChanges => clusterChanges ??= Readiness.Subscribe(this);

    private Changes? clusterChanges;

    public async Task<AdmissionResult> PostAsync(string path, JsonObject review)
    {
        using var client = CreateClient();
        using var content = new StringContent(review.ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await client.PostAsync(new Uri(path, UriKind.Relative), content);
        var body = await response.Content.ReadAsStringAsync();
        return new AdmissionResult((int)response.StatusCode, body, review);
    }

    public async Task<(int Status, string Body)> PostRawAsync(string path, byte[] body, string? contentType = "application/json")
    {
        using var client = CreateClient();
        using var content = new ByteArrayContent(body);
        if (contentType is not null)
        {
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        using var response = await client.PostAsync(new Uri(path, UriKind.Relative), content);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}

/// <summary>Readiness and cache changes of any webhook host under test, awaited as events.</summary>
public static class Readiness
{
    /// <summary>
    /// Waits until the caches have listed and the warm-up has run (the events readiness waits for), then checks
    /// that /readyz says ready.
    /// </summary>
    public static async Task WaitUntilReadyAsync(this WebApplicationFactory<Program> factory, TimeSpan? timeout = null)
    {
        var services = factory.Services;
        var view = services.GetRequiredService<StatefulGuard.Serve.Cluster.KubernetesClusterView>();
        var warmup = services.GetRequiredService<StatefulGuard.Serve.AdmissionWarmup>();
        try
        {
            await Task.WhenAll(view.WhenSynced, warmup.Finished).WaitAsync(timeout ?? TimeSpan.FromSeconds(10));
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"webhook not ready: caches synced {view.Synced}, warmed up {warmup.Done}");
        }

        using var client = factory.CreateClient();
        using var response = await client.GetAsync(new Uri("/readyz", UriKind.Relative));
        Assert.True(response.IsSuccessStatusCode, $"webhook not ready: {await response.Content.ReadAsStringAsync()}");
    }

    internal static Changes Subscribe(WebApplicationFactory<Program> factory)
    {
        var changes = new Changes();
        var view = factory.Services.GetRequiredService<StatefulGuard.Serve.Cluster.KubernetesClusterView>();
        view.Changed += (_, _) => changes.Pulse();
        view.CacheRestarted += (_, _) => changes.Pulse();
        return changes;
    }
}
