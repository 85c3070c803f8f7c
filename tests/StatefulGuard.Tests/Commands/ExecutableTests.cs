using System.Diagnostics;
using System.Text.Json;
using StatefulGuard.Tests.Support;

namespace StatefulGuard.Tests.Commands;

/// <summary>The real <c>statefulguard</c> process, started as a container or a shell would start it.</summary>
[Trait("Category", "Binary")]
public sealed class ExecutableTests
{
    [Fact]
    public async Task Audit_of_the_examples_from_the_real_binary_exits_1()
    {
        var (exit, output, _) = await RunToEndAsync(["audit", Repository.Examples], new Dictionary<string, string>());
        Assert.Equal(1, exit);
        Assert.Contains("3 would be denied", output);
    }

    [Fact]
    public async Task Serve_logs_json_when_configured_and_is_ready_quickly()
    {
        var port = LoopbackPort.Free();
        using var process = Start(["serve", "--urls", $"http://127.0.0.1:{port}"], new Dictionary<string, string>
        {
            ["StatefulGuard__LogFormat"] = "Json",
            ["StatefulGuard__Cluster__Source"] = "None",
        });
        var lines = new List<string>();
        var output = new Changes();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (lines)
                {
                    lines.Add(e.Data);
                }

                output.Pulse();
            }
        };
        process.BeginOutputReadLine();
        try
        {
            using var client = new HttpClient();
            // The process says when it is ready; /readyz must then agree.
            await output.UntilAsync(() => { lock (lines) { return lines.Any(l => l.Contains(StatefulGuard.Serve.Health.ReadinessLog.Message, StringComparison.Ordinal)); } }, TimeSpan.FromSeconds(15));
            using var readyz = await client.GetAsync(new Uri($"http://127.0.0.1:{port}/readyz"));
            var ready = readyz.IsSuccessStatusCode;
            Assert.True(ready, "never became ready");

            await output.UntilAsync(() => { lock (lines) { return lines.Count > 0; } }, TimeSpan.FromSeconds(5));
            string first;
            lock (lines)
            {
                first = lines[0];
            }

            using var json = JsonDocument.Parse(first);
            Assert.True(json.RootElement.TryGetProperty("@t", out _), first);
            Assert.True(json.RootElement.TryGetProperty("@m", out _), first);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task Invalid_configuration_exits_1_naming_the_key()
    {
        var (exit, _, error) = await RunToEndAsync(["serve"], new Dictionary<string, string>
        {
            ["StatefulGuard__Mode"] = "Strict",
            ["StatefulGuard__Cluster__Source"] = "None",
        });
        Assert.Equal(1, exit);
        Assert.Contains("StatefulGuard:Mode", error);
    }

    private static Process Start(string[] args, IDictionary<string, string> environment)
    {
        var info = Repository.Executable(args);
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        return Process.Start(info)!;
    }

    private static async Task<(int Exit, string Out, string Err)> RunToEndAsync(string[] args, IDictionary<string, string> environment)
    {
        using var process = Start(args, environment);
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await error);
    }
}
