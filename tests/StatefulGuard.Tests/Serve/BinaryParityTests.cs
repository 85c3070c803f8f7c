using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using StatefulGuard.Tests.Support;

namespace StatefulGuard.Tests.Serve;

/// <summary>
/// The <c>statefulguard serve</c> process (the native binary when <c>STATEFULGUARD_BINARY</c> names it, as in
/// <c>.ci/run</c>; else the JIT build) answers every AdmissionReview exactly as the webhook hosted in the tests does,
/// both watching the same fake apiserver: StatefulSets created, updated and dry-run on both endpoints, Service and
/// Namespace changes, hostile objects and bodies that are not reviews.
/// </summary>
[Trait("Category", "Binary")]
public sealed class BinaryParityTests(BinaryParityTests.Servers servers) : IClassFixture<BinaryParityTests.Servers>
{
    private const string Namespace = "shop";

    public static TheoryData<int> HostileSeeds => [.. Enumerable.Range(0, 60)];

    [Fact]
    public async Task StatefulSets_get_the_same_answers()
    {
        foreach (var name in MutationFixtures.Names)
        {
            var created = MutationFixtures.Created(name, Namespace);
            foreach (var endpoint in new[] { "/validate", "/mutate" })
            {
                await SameAnswerAsync(endpoint, AdmissionReviews.Create(created, uid: $"{name}-create"));
                await SameAnswerAsync(endpoint, AdmissionReviews.Create(created, dryRun: true, uid: $"{name}-dry"));
                await SameAnswerAsync(endpoint, AdmissionReviews.Update(created, Fixtures.Stored(created), uid: $"{name}-update"));
            }

            await SameAnswerAsync("/validate", AdmissionReviews.Delete(Fixtures.Stored(created), uid: $"{name}-delete"));
        }

        await SameAnswerAsync("/validate", AdmissionReviews.Create(Fixtures.StatefulSet(Namespace, "nginx"), uid: "served"));
        await SameAnswerAsync("/validate", AdmissionReviews.Create(Fixtures.StatefulSet(Namespace, "web-api"), uid: "not-headless"));
        await SameAnswerAsync("/validate", AdmissionReviews.Scale(Namespace, "db", 3, 1, uid: "scale"));
    }

    [Fact]
    public async Task Services_namespaces_and_exceptions_get_the_same_answers()
    {
        await SameAnswerAsync("/validate", AdmissionReviews.DeleteService(Fixtures.Stored(Fixtures.HeadlessService(Namespace, "nginx")), uid: "svc-delete"));
        await SameAnswerAsync("/validate", AdmissionReviews.UpdateService(Fixtures.ClusterIpService(Namespace, "nginx"), Fixtures.Stored(Fixtures.HeadlessService(Namespace, "nginx")), uid: "svc-update"));
        await SameAnswerAsync("/validate", AdmissionReviews.CreateNamespace(Fixtures.Namespace("team-a", "audit"), "alice", "system:authenticated"));
        await SameAnswerAsync("/validate", AdmissionReviews.CreateException(Fixtures.Exception(Namespace, "waive", ["resources"], ["db"], DateTimeOffset.UtcNow.AddDays(3))));
        await SameAnswerAsync("/validate", AdmissionReviews.CreatePod(Namespace));
    }

    [Theory]
    [MemberData(nameof(HostileSeeds))]
    public async Task Hostile_reviews_get_the_same_answers(int seed)
    {
        var hostile = HostileReviews.Make(seed);
        await SameAnswerAsync(hostile.Endpoint, hostile.Body);
    }

    [Theory]
    [InlineData("/mutate", "")]
    [InlineData("/mutate", "{")]
    [InlineData("/validate", "[]")]
    [InlineData("/validate", """{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"}""")]
    [InlineData("/validate", """{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","object":7}}""")]
    public async Task Bodies_that_are_not_reviews_get_the_same_answers(string endpoint, string body) =>
        await SameAnswerAsync(endpoint, Encoding.UTF8.GetBytes(body));

    private Task SameAnswerAsync(string endpoint, JsonObject review) =>
        SameAnswerAsync(endpoint, Encoding.UTF8.GetBytes(review.ToJsonString()));

    private async Task SameAnswerAsync(string endpoint, byte[] body)
    {
        var (hostedStatus, hostedBody) = await PostAsync(servers.Hosted, endpoint, body);
        var (processStatus, processBody) = await PostAsync(servers.Process, endpoint, body);

        Assert.True(hostedStatus == processStatus, $"{endpoint}: the process answered {processStatus}, the hosted webhook {hostedStatus}\n{processBody}\n{hostedBody}");
        Assert.True(SameJson(hostedBody, processBody), $"{endpoint}: the answers differ\nprocess: {processBody}\nhosted:  {hostedBody}");
    }

    private static async Task<(HttpStatusCode Status, string Body)> PostAsync(HttpClient client, string endpoint, byte[] body)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new("application/json");
        using var response = await client.PostAsync(new Uri(endpoint, UriKind.Relative), content);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static bool SameJson(string a, string b)
    {
        try
        {
            return JsonNode.DeepEquals(JsonNode.Parse(a), JsonNode.Parse(b));
        }
        catch (System.Text.Json.JsonException)
        {
            return a == b;
        }
    }

    /// <summary>The fake apiserver, the hosted webhook and the <c>statefulguard serve</c> process, once for the class.</summary>
    public sealed class Servers : IAsyncLifetime
    {
        private readonly List<string> output = [];
        private readonly Changes lines = new();
        private FakeApiServer apiServer = null!;
        private WebhookFactory hosted = null!;
        private System.Diagnostics.Process process = null!;
        private HttpClient toProcess = null!;
        private HttpClient toHosted = null!;

        public HttpClient Hosted => toHosted;

        public HttpClient Process => toProcess;

        public async Task InitializeAsync()
        {
            apiServer = await FakeApiServer.StartAsync();
            apiServer.Apply("storageclasses", Fixtures.StorageClass("standard", "WaitForFirstConsumer", isDefault: true));
            apiServer.Apply("namespaces", Fixtures.Namespace(Namespace));
            apiServer.Apply("services", Fixtures.HeadlessService(Namespace, "nginx"));
            apiServer.Apply("services", Fixtures.ClusterIpService(Namespace, "web-api"));
            apiServer.Apply("poddisruptionbudgets", Fixtures.Budget(Namespace, "web", "nginx"));

            hosted = new WebhookFactory(apiServer);
            await hosted.WaitUntilReadyAsync();
            toHosted = hosted.CreateClient();

            var port = LoopbackPort.Free();
            var info = Repository.Executable(["serve", "--urls", $"http://127.0.0.1:{port}"]);
            info.Environment["StatefulGuard__Cluster__Source"] = "Kubeconfig";
            info.Environment["StatefulGuard__Cluster__Kubeconfig"] = apiServer.WriteKubeconfig(Path.Combine(Path.GetTempPath(), "statefulguard-tests", Guid.NewGuid().ToString("N")));
            info.Environment["StatefulGuard__Reports__Format"] = "Off";
            info.Environment["StatefulGuard__MaxNewConnectionsPerSecond"] = "0";
            process = System.Diagnostics.Process.Start(info)!;
            process.OutputDataReceived += (_, e) => Record(e.Data);
            process.ErrorDataReceived += (_, e) => Record(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            await lines.UntilAsync(() => Printed(StatefulGuard.Serve.Health.ReadinessLog.Message) || process.HasExited, TimeSpan.FromSeconds(30));
            Assert.False(process.HasExited, $"statefulguard serve exited {(process.HasExited ? process.ExitCode : 0)}:\n{Output()}");
            toProcess = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
        }

        public async Task DisposeAsync()
        {
            toProcess?.Dispose();
            if (process is { HasExited: false })
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }

            process?.Dispose();
            await hosted.DisposeAsync();
            await apiServer.DisposeAsync();
        }

        private void Record(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (output)
            {
                output.Add(line);
            }

            lines.Pulse();
        }

        private bool Printed(string text)
        {
            lock (output)
            {
                return output.Any(l => l.Contains(text, StringComparison.Ordinal));
            }
        }

        private string Output()
        {
            lock (output)
            {
                return string.Join('\n', output);
            }
        }
    }
}
