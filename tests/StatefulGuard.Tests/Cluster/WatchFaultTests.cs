using StatefulGuard.Tests.Support;

namespace StatefulGuard.Tests.Cluster;

/// <summary>A watch stream cut in the middle of an event: the cache re-watches from the last version it saw and loses nothing.</summary>
public sealed class WatchFaultTests : IAsyncLifetime
{
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
    public async Task Event_cut_mid_line_is_delivered_again_after_the_rewatch()
    {
        var ns = ClusterFixture.NewNamespace();
        var review = AdmissionReviews.Create(Fixtures.StatefulSet(ns));
        var watchesBefore = apiServer.CountRequests(r => r.StartsWith("GET /api/v1/services?", StringComparison.Ordinal) && r.Contains("watch=true", StringComparison.Ordinal));

        apiServer.CutNextWatchEvent();
        apiServer.Apply("services", Fixtures.HeadlessService(ns));

        var result = await Eventually.ResultAsync(() => webhook.PostAsync("/validate", review), r => r.Allowed, TimeSpan.FromSeconds(10));
        Assert.True(result.AssertWellFormed().Allowed, "the Service in the cut event never reached the cache");
        Assert.True(apiServer.CountRequests(r => r.StartsWith("GET /api/v1/services?", StringComparison.Ordinal) && r.Contains("watch=true", StringComparison.Ordinal)) > watchesBefore);
    }
}
