using System.Text.Json.Nodes;
using StatefulGuard.Tests.Support;

namespace StatefulGuard.Tests.Commands;

/// <summary><c>audit --cluster</c>: the real executable against the fake apiserver through a kubeconfig.</summary>
[Trait("Category", "Binary")]
public sealed class ClusterAuditTests : IAsyncLifetime
{
    private FakeApiServer apiServer = null!;
    private string kubeconfig = null!;

    public async Task InitializeAsync()
    {
        apiServer = await FakeApiServer.StartAsync();
        kubeconfig = apiServer.WriteKubeconfig(Directory.CreateTempSubdirectory("sg-kube-").FullName);
        apiServer.Apply("storageclasses", Fixtures.StorageClass("standard", "WaitForFirstConsumer", isDefault: true));
        apiServer.Apply("services", Fixtures.HeadlessService("team-a"));
        apiServer.Apply("poddisruptionbudgets", Fixtures.Budget("team-a"));
        apiServer.Apply("statefulsets", Fixtures.Stored(Fixtures.StatefulSet("team-a")));
        apiServer.Apply("statefulsets", Fixtures.Stored(Fixtures.StatefulSet("team-b")));
    }

    public async Task DisposeAsync() => await apiServer.DisposeAsync();

    private Task<(int Exit, string Out, string Err)> Audit(params string[] args) =>
        CliTests.RunAsync(["audit", "--cluster", .. args], environment: new Dictionary<string, string>
        {
            ["KUBECONFIG"] = kubeconfig,
            ["StatefulGuard__Cluster__Source"] = "Kubeconfig",
        });

    [Fact]
    public async Task Reports_what_enforcement_would_reject_in_the_running_cluster()
    {
        var (exit, output, error) = await Audit("--no-color");

        Assert.Equal(1, exit);
        Assert.Contains("cluster:team-a/web  StatefulSet team-a/web  ok", output);
        Assert.Contains("cluster:team-b/web  StatefulSet team-b/web", output);
        Assert.Contains("Service \"nginx\" named by spec.serviceName does not exist in namespace \"team-b\"", output);
        Assert.Contains("statefulguard: Kubernetes 1.31: 2 StatefulSets", error);
    }

    [Fact]
    public async Task Junit_from_the_cluster_has_a_suite_per_namespace()
    {
        var (exit, output, _) = await Audit("--format", "junit");

        Assert.Equal(1, exit);
        var suites = JUnitReportTests.Valid(output).Root!.Elements("testsuite").ToList();
        Assert.Equal(["cluster:team-a", "cluster:team-b"], suites.Select(s => (string?)s.Attribute("name")));
        Assert.All(suites, s => Assert.Null(s.Attribute("file")));
        Assert.Equal(["0", "1"], suites.Select(s => (string?)s.Attribute("failures")));
        Assert.Contains("team-b/web", suites[1].Elements("testcase").Select(t => (string?)t.Attribute("classname")));
    }

    [Fact]
    public async Task Namespace_limits_the_audit()
    {
        var (exit, output, _) = await Audit("--namespace", "team-a", "--format", "json");

        Assert.Equal(0, exit);
        var objects = JsonNode.Parse(output)!["objects"]!.AsArray();
        Assert.Equal("cluster:team-a/web", Assert.Single(objects)!["file"]!.GetValue<string>());
    }

    [Fact]
    public async Task Files_are_audited_with_the_cluster_answering_what_they_do_not_contain()
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("sg-files-").FullName, "web.json");
        await File.WriteAllTextAsync(file, Fixtures.StatefulSet("team-a").ToJsonString());

        var (exit, output, _) = await Audit("--no-color", file);

        Assert.Equal(0, exit);
        Assert.Contains("StatefulSet team-a/web  ok", output);
        Assert.DoesNotContain("team-b", output);
    }

    [Fact]
    public async Task Large_clusters_show_progress()
    {
        for (var i = 0; i < 1000; i++)
        {
            var sts = Fixtures.StatefulSet("big");
            sts["metadata"]!["name"] = $"db-{i}";
            apiServer.Apply("statefulsets", sts);
        }

        var (_, _, error) = await Audit("--namespace", "big", "--format", "json");

        Assert.Contains("checked 500/1000 StatefulSets", error);
        Assert.Contains("checked 1000/1000 StatefulSets", error);
    }

    [Fact]
    public async Task Unreachable_cluster_exits_2_with_a_message()
    {
        await apiServer.StopAsync();
        var (exit, _, error) = await Audit();
        Assert.Equal(2, exit);
        Assert.Contains("cannot read the cluster", error);
    }

    [Fact]
    public async Task The_clusters_exceptions_waive_and_are_listed_with_their_state()
    {
        apiServer.Apply("statefulguardexceptions", Fixtures.Exception("team-b", "no-dns", ["headless-service"], ["web"], DateTimeOffset.UtcNow.AddDays(60)));
        apiServer.Apply("statefulguardexceptions", Fixtures.Exception("team-b", "nothing", ["probes"], ["db-*"], DateTimeOffset.UtcNow.AddDays(5)));

        var (exit, output, _) = await Audit("--no-color", "--namespace", "team-b");
        Assert.Equal(0, exit);
        Assert.Contains("WAIVED  headless-service  by exception team-b/no-dns", output);

        var (listExit, listed, error) = await CliTests.RunAsync(["exceptions", "--cluster", "--format", "json"], environment: new Dictionary<string, string>
        {
            ["KUBECONFIG"] = kubeconfig,
            ["StatefulGuard__Cluster__Source"] = "Kubeconfig",
        });
        Assert.True(listExit == 0, error);
        var states = JsonNode.Parse(listed)!.AsArray().ToDictionary(e => (string)e!["name"]!, e => (string)e!["state"]!);
        Assert.Equal("active", states["no-dns"]);
        Assert.Equal("matching nothing", states["nothing"]);
    }

    [Fact]
    public async Task Mutate_with_the_cluster_prints_only_what_the_cluster_lacks_too()
    {
        // team-a's Service and budget live in the cluster; team-c's StatefulSet has neither there.
        var dir = Directory.CreateTempSubdirectory("sg-files-").FullName;
        var teamA = Path.Combine(dir, "a.json");
        var teamC = Path.Combine(dir, "c.json");
        await File.WriteAllTextAsync(teamA, Fixtures.StatefulSet("team-a").ToJsonString());
        await File.WriteAllTextAsync(teamC, Fixtures.StatefulSet("team-c").ToJsonString());
        var environment = new Dictionary<string, string> { ["KUBECONFIG"] = kubeconfig, ["StatefulGuard__Cluster__Source"] = "Kubeconfig" };

        var (exit, output, _) = await CliTests.RunAsync(["mutate", "--companions", "--cluster", teamA, teamC], environment: environment);

        Assert.Equal(0, exit);
        var docs = Core.Manifests.ManifestReader.ReadText("out", output).Documents;
        Assert.Equal(["StatefulSet", "StatefulSet", "Service", "PodDisruptionBudget"], docs.Select(d => d.Kind));
        Assert.All(docs.Skip(2), d => Assert.Equal("team-c", d.Namespace));
        // The cluster is 1.31: the preStop hook is the native sleep.
        Assert.Contains("sleep:", output, StringComparison.Ordinal);
    }
}
