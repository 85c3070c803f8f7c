using System.Globalization;
using System.Text.Json.Nodes;
using StatefulGuard.Tests.Support;

namespace StatefulGuard.Bench;

/// <summary>
/// The tests' fake kube-apiserver as a process, holding what the benchmark StatefulSet needs (its headless
/// Service, a PodDisruptionBudget, a default StorageClass) among a realistic number of other objects.
/// </summary>
internal static class ApiServer
{
    public static async Task<int> RunAsync(string[] args)
    {
        var options = args.Chunk(2).ToDictionary(p => p[0], p => p[1]);
        var server = await FakeApiServer.StartAsync();
        server.Apply("storageclasses", Json("""{"metadata":{"name":"standard","annotations":{"storageclass.kubernetes.io/is-default-class":"true"}},"provisioner":"ebs.csi.aws.com","volumeBindingMode":"WaitForFirstConsumer"}"""));
        server.Apply("services", Json("""{"metadata":{"name":"nginx","namespace":"shop"},"spec":{"clusterIP":"None","clusterIPs":["None"],"type":"ClusterIP","selector":{"app.kubernetes.io/name":"web"},"ports":[{"name":"web","port":80,"protocol":"TCP"}]}}"""));
        server.Apply("poddisruptionbudgets", Json("""{"metadata":{"name":"web","namespace":"shop"},"spec":{"maxUnavailable":1,"selector":{"matchLabels":{"app.kubernetes.io/name":"web"}}}}"""));
        for (var i = 0; i < 2000; i++)
        {
            server.Apply("services", Json("{\"metadata\":{\"name\":\"svc-" + i + "\",\"namespace\":\"team-" + (i % 50) + "\"},\"spec\":{\"clusterIP\":\"10.96." + (i / 250) + "." + (i % 250) + "\",\"type\":\"ClusterIP\",\"selector\":{\"app\":\"a" + i + "\"},\"ports\":[{\"port\":80}]}}"));
        }

        for (var i = 0; i < 50; i++)
        {
            server.Apply("namespaces", Json("{\"metadata\":{\"name\":\"team-" + i + "\",\"labels\":{\"kubernetes.io/metadata.name\":\"team-" + i + "\"}}}"));
        }

        int Count(string option) => int.Parse(options.GetValueOrDefault(option, "0"), CultureInfo.InvariantCulture);
        var namespaces = Math.Max(1, Count("--namespaces"));
        SeedStatefulSets(server, Count("--statefulsets"), namespaces);
        SeedServicesAndBudgets(server, Count("--services"), Count("--budgets"), namespaces);

        server.WriteKubeconfig(Path.GetDirectoryName(Path.GetFullPath(options["--kubeconfig"]))!);
        File.Move(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(options["--kubeconfig"]))!, "kubeconfig"), options["--kubeconfig"], overwrite: true);
        Console.WriteLine($"fake apiserver on {server.Url}");
        // Stop on SIGTERM or Ctrl+C (bench/run.sh kills its servers when it ends), even with watches still open.
        var done = new TaskCompletionSource();
        using var terminate = System.Runtime.InteropServices.PosixSignalRegistration.Create(
            System.Runtime.InteropServices.PosixSignal.SIGTERM, context => { context.Cancel = true; done.TrySetResult(); });
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; done.TrySetResult(); };
        await done.Task;
        try
        {
            await server.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (TimeoutException)
        {
            // Open watch streams may hold the listener; the process ends regardless.
        }

        return 0;
    }

    /// <summary>
    /// <paramref name="count"/> StatefulSets (the benchmark's defaulted one, renamed) spread over <paramref name="namespaces"/>
    /// namespaces <c>db-N</c>, each namespace with the headless Service they name and a PodDisruptionBudget.
    /// </summary>
    private static void SeedStatefulSets(FakeApiServer server, int count, int namespaces)
    {
        if (count == 0)
        {
            return;
        }

        // (namespaces are created here; Services and budgets seeded without StatefulSets go to namespaces not listed)
        var review = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "requests", "create-statefulset.json")))!;
        var template = review["request"]!["object"]!.AsObject();
        template["metadata"]!.AsObject().Remove("managedFields");
        for (var n = 0; n < namespaces; n++)
        {
            var ns = "db-" + n;
            server.Apply("namespaces", Json("{\"metadata\":{\"name\":\"" + ns + "\",\"labels\":{\"kubernetes.io/metadata.name\":\"" + ns + "\"}}}"));
            server.Apply("services", Json("{\"metadata\":{\"name\":\"nginx\",\"namespace\":\"" + ns + "\"},\"spec\":{\"clusterIP\":\"None\",\"clusterIPs\":[\"None\"],\"type\":\"ClusterIP\",\"selector\":{\"app.kubernetes.io/name\":\"web\"},\"ports\":[{\"name\":\"web\",\"port\":80,\"protocol\":\"TCP\"}]}}"));
            server.Apply("poddisruptionbudgets", Json("{\"metadata\":{\"name\":\"web\",\"namespace\":\"" + ns + "\"},\"spec\":{\"maxUnavailable\":1,\"selector\":{\"matchLabels\":{\"app.kubernetes.io/name\":\"web\"}}}}"));
        }

        for (var i = 0; i < count; i++)
        {
            var sts = template.DeepClone().AsObject();
            sts["metadata"]!["name"] = "web-" + i;
            sts["metadata"]!["namespace"] = "db-" + (i % namespaces);
            sts["metadata"]!.AsObject().Remove("uid");
            server.Apply("statefulsets", sts);
        }

        Console.WriteLine($"seeded {count} StatefulSets in {namespaces} namespaces");
    }

    /// <summary>Services as charts write them (labels, annotations, named ports, a cluster IP) and PodDisruptionBudgets.</summary>
    private static void SeedServicesAndBudgets(FakeApiServer server, int services, int budgets, int namespaces)
    {
        for (var i = 0; i < services; i++)
        {
            var ns = "db-" + (i % namespaces);
            var ip = $"10.{96 + (i / 65536)}.{i / 256 % 256}.{i % 256}";
            var labels = new JsonObject { ["app.kubernetes.io/name"] = $"app-{i}", ["app.kubernetes.io/instance"] = $"release-{i % 97}" };
            server.Apply("services", new JsonObject
            {
                ["metadata"] = new JsonObject
                {
                    ["name"] = $"app-{i}",
                    ["namespace"] = ns,
                    ["labels"] = new JsonObject
                    {
                        ["app.kubernetes.io/name"] = $"app-{i}", ["app.kubernetes.io/instance"] = $"release-{i % 97}",
                        ["app.kubernetes.io/managed-by"] = "Helm", ["helm.sh/chart"] = "app-1.4.2",
                    },
                    ["annotations"] = new JsonObject { ["meta.helm.sh/release-name"] = $"release-{i % 97}", ["meta.helm.sh/release-namespace"] = ns },
                },
                ["spec"] = new JsonObject
                {
                    ["type"] = "ClusterIP", ["clusterIP"] = ip, ["clusterIPs"] = new JsonArray(ip), ["ipFamilies"] = new JsonArray("IPv4"),
                    ["ipFamilyPolicy"] = "SingleStack", ["internalTrafficPolicy"] = "Cluster", ["sessionAffinity"] = "None",
                    ["selector"] = labels,
                    ["ports"] = new JsonArray(
                        new JsonObject { ["name"] = "http", ["port"] = 80, ["protocol"] = "TCP", ["targetPort"] = "http" },
                        new JsonObject { ["name"] = "metrics", ["port"] = 9090, ["protocol"] = "TCP", ["targetPort"] = 9090 }),
                },
                ["status"] = new JsonObject { ["loadBalancer"] = new JsonObject() },
            });
        }

        for (var i = 0; i < budgets; i++)
        {
            server.Apply("poddisruptionbudgets", new JsonObject
            {
                ["metadata"] = new JsonObject { ["name"] = $"pdb-{i}", ["namespace"] = "db-" + (i % namespaces), ["labels"] = new JsonObject { ["app.kubernetes.io/name"] = $"app-{i}" } },
                ["spec"] = new JsonObject { ["maxUnavailable"] = 1, ["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["app.kubernetes.io/name"] = $"app-{i}" } } },
                ["status"] = new JsonObject { ["currentHealthy"] = 3, ["desiredHealthy"] = 2, ["disruptionsAllowed"] = 1, ["expectedPods"] = 3, ["observedGeneration"] = 1 },
            });
        }

        if (services + budgets > 0)
        {
            Console.WriteLine($"seeded {services} Services and {budgets} PodDisruptionBudgets in {namespaces} namespaces");
        }
    }

    private static JsonObject Json(string text) => JsonNode.Parse(text)!.AsObject();
}
