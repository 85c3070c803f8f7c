namespace StatefulGuard.Tests.Support;

/// <summary>One fake apiserver and one webhook watching it, shared by a test class. Tests use their own namespaces.</summary>
public class ClusterFixture : IAsyncLifetime
{
    public FakeApiServer ApiServer { get; private set; } = null!;

    public WebhookFactory Webhook { get; private set; } = null!;

    protected virtual IDictionary<string, string?> Settings => new Dictionary<string, string?>();

    /// <summary>The time the webhook runs on; the system's unless a fixture drives it.</summary>
    protected virtual TimeProvider? WebhookClock => null;

    public async Task InitializeAsync()
    {
        ApiServer = await FakeApiServer.StartAsync();
        // Like most managed clusters: a default class that binds where the pod lands.
        ApiServer.Apply("storageclasses", Fixtures.StorageClass("standard", "WaitForFirstConsumer", isDefault: true));
        Webhook = new WebhookFactory(ApiServer, Settings, WebhookClock);
        await Webhook.WaitUntilReadyAsync();
    }

    public async Task DisposeAsync()
    {
        await Webhook.DisposeAsync();
        await ApiServer.DisposeAsync();
    }

    /// <summary>A fresh namespace name, so tests sharing the fixture never see each other's objects.</summary>
    public static string NewNamespace(string prefix = "ns") => $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>Applies objects to the fake apiserver and waits until the webhook's cache has them.</summary>
    public async Task ApplyAndWaitAsync(string resource, System.Text.Json.Nodes.JsonObject obj)
    {
        var changes = Webhook.ClusterChanges;
        var version = ApiServer.Apply(resource, obj);
        await changes.UntilAsync(() => CacheHas(resource, obj, version), TimeSpan.FromSeconds(5));
    }

    private bool CacheHas(string resource, System.Text.Json.Nodes.JsonObject obj, string version)
    {
        var view = (Core.Cluster.IClusterView)Webhook.Services.GetService(typeof(Core.Cluster.IClusterView))!;
        var kind = Core.Cluster.ClusterKinds.All.Single(k => k.Plural == resource);
        return kind.Accept(new Cached(view, obj, version));
    }

    /// <summary>
    /// Whether the view holds the object as it was applied: at its version where the view keeps whole objects, else
    /// what is kept of it (compared as JSON: the kept labels and selectors are not records).
    /// </summary>
    private sealed class Cached(Core.Cluster.IClusterView view, System.Text.Json.Nodes.JsonObject obj, string version) : Core.Cluster.IClusterKindVisitor<bool>
    {
        public bool Visit<T, TList, TCached>(Core.Cluster.ClusterKind<T, TList, TCached> kind)
            where T : class, k8s.IKubernetesObject<k8s.Models.V1ObjectMeta>
            where TList : class, k8s.IKubernetesObject<k8s.Models.V1ListMeta>, k8s.Models.IItems<T>
            where TCached : class
        {
            var meta = obj["metadata"]!;
            var ns = kind.Namespaced ? meta["namespace"]!.GetValue<string>() : "";
            var cached = view.Get(kind, ns, meta["name"]!.GetValue<string>()).Value;
            return cached is k8s.IKubernetesObject<k8s.Models.V1ObjectMeta> whole
                ? whole.Metadata?.ResourceVersion == version
                : cached is not null && System.Text.Json.JsonSerializer.Serialize(cached) == System.Text.Json.JsonSerializer.Serialize(kind.Keep(kind.Read(obj)));
        }
    }
}
