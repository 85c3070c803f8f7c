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

    private static JsonObject Json(string text) => JsonNode.Parse(text)!.AsObject();
}
