using System.Diagnostics;
using System.Text.Json.Nodes;
using StatefulGuard.Core.Manifests;
using StatefulGuard.Tests.Support;

namespace StatefulGuard.Tests.Deploy;

/// <summary>A kustomization rendered by <c>kubectl kustomize</c>, as <c>kubectl apply -k</c> would send it.</summary>
public sealed class Rendered
{
    private Rendered(IReadOnlyList<JsonObject> objects) => Objects = objects;

    public IReadOnlyList<JsonObject> Objects { get; }

    public static async Task<Rendered> KustomizeAsync(string directory)
    {
        var (exit, output, error) = await RunAsync("kubectl", ["kustomize", directory]);
        Assert.True(exit == 0, $"kubectl kustomize {directory} failed: {error}");
        var set = ManifestReader.ReadText(directory, output);
        Assert.Empty(set.Errors);
        return new Rendered(set.Documents.Select(d => d.Object).ToArray());
    }

    public JsonObject One(string kind, string? name = null) =>
        Assert.Single(Objects, o => (string?)o["kind"] == kind && (name is null || (string?)o["metadata"]!["name"] == name));

    public IEnumerable<JsonObject> All(string kind) => Objects.Where(o => (string?)o["kind"] == kind);

    public static async Task<(int Exit, string Out, string Err)> RunAsync(string file, IEnumerable<string> args, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Repository.Root,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await error);
    }
}
