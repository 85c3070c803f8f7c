using System.Diagnostics;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using StatefulGuard.Commands;
using StatefulGuard.Core.Admission;
using StatefulGuard.Core.Cluster;
using StatefulGuard.Core.Engine;
using StatefulGuard.Core.Manifests;
using StatefulGuard.Tests.Support;
using Xunit.Abstractions;

namespace StatefulGuard.Tests.Commands;

/// <summary>
/// <c>audit</c> and <c>mutate</c> over generated hostile files (<see cref="HostileFiles"/>, fixed seeds): exit codes
/// 0, 1 or 2 only, never an exception, each run bounded in time and memory; and <c>mutate</c>'s output reads back to
/// exactly its input plus the defaults. <c>bench/fuzz.sh</c> runs more seeds (STATEFULGUARD_CLI_FUZZ_CASES).
/// </summary>
public sealed class CliFuzzTests(ITestOutputHelper output) : IDisposable
{
    private readonly DirectoryInfo temp = Directory.CreateTempSubdirectory("sg-cli-fuzz-");

    public void Dispose() => temp.Delete(recursive: true);

    private static int Cases => int.TryParse(Environment.GetEnvironmentVariable("STATEFULGUARD_CLI_FUZZ_CASES"), out var n) ? n : 300;

    [Fact]
    public async Task Hostile_files_give_exit_codes_0_1_or_2_in_bounded_time_and_memory()
    {
        var exits = new Dictionary<int, int>();
        var slowest = TimeSpan.Zero;
        long mostAllocated = 0;
        for (var seed = 0; seed < Cases; seed++)
        {
            var file = Path.Combine(temp.FullName, $"hostile-{seed}.yaml");
            await File.WriteAllTextAsync(file, HostileFiles.Make(seed));
            foreach (var command in new[] { "audit", "mutate" })
            {
                using var stdout = new StringWriter();
                using var stderr = new StringWriter();
                var allocated = GC.GetAllocatedBytesForCurrentThread();
                var clock = Stopwatch.StartNew();
                var exit = await CommandLine.RunAsync([command, file], new StringReader(""), stdout, stderr);
                clock.Stop();
                var bytes = GC.GetAllocatedBytesForCurrentThread() - allocated;

                Assert.True(exit is 0 or 1 or 2, $"seed {seed} {command}: exit {exit}\n{stderr}");
                Assert.DoesNotContain("   at ", stderr.ToString(), StringComparison.Ordinal);
                Assert.True(bytes < 1L << 30, $"seed {seed} {command}: {bytes / (1 << 20)} MB allocated");
                if (exit == 2)
                {
                    Assert.True(System.Text.RegularExpressions.Regex.IsMatch(stderr.ToString(), @"hostile-\d+\.yaml(:\d+)?: "), $"seed {seed} {command}: {stderr}");
                }

                exits[exit] = exits.GetValueOrDefault(exit) + 1;
                slowest = clock.Elapsed > slowest ? clock.Elapsed : slowest;
                mostAllocated = Math.Max(mostAllocated, bytes);
            }
        }

        output.WriteLine($"{Cases} files × audit and mutate: {string.Join(", ", exits.OrderBy(e => e.Key).Select(e => $"exit {e.Key}: {e.Value}"))}; " +
                         $"slowest {slowest.TotalMilliseconds:F0} ms, most allocated {mostAllocated / (1 << 20)} MB");
        Assert.True(exits.Count >= 3, string.Join(", ", exits));
    }

    private static readonly string[] HostileStrings =
    [
        "yes", "no", "on", "n", "0x10", "0o17", "0755", "1e3", "~", ":", "a: b", "#", "x #y", " lead", "trail ", "line\nbreak", "cr\r\nlf", "\n", "",
        "日本語", "😀", "-", "[x]", "{x}", "'", "\"", "\\", "<<", "0123456701234567012345670", "true", "null", "@at", "%p", "!t", "&a", "*a",
    ];

    [Fact]
    public async Task Mutate_output_reads_back_to_the_input_plus_the_defaults()
    {
        var engine = new RuleEngine(RuleSet.Defaults(RuleCatalog.Default), EngineSettings.Default);
        for (var seed = 0; seed < 150; seed++)
        {
            var random = new Random(seed);
            string S() => HostileStrings[random.Next(HostileStrings.Length)] + (random.Next(3) == 0 ? HostileStrings[random.Next(HostileStrings.Length)] : "");
            var sts = MutationFixtures.Manifest(MutationFixtures.Names[random.Next(MutationFixtures.Names.Length)]);
            var meta = sts["metadata"]!.AsObject();
            meta["annotations"] = new JsonObject { [S()] = S(), ["note"] = S() };
            var container = sts["spec"]!["template"]!["spec"]!["containers"]![0]!.AsObject();
            container["env"] = new JsonArray(Enumerable.Range(0, 4).Select(i => (JsonNode?)new JsonObject { ["name"] = $"E{i}", ["value"] = S() }).ToArray());
            container["args"] = new JsonArray(S(), S());
            var file = Path.Combine(temp.FullName, $"sts-{seed}.json");
            await File.WriteAllTextAsync(file, sts.ToJsonString());

            using var stdout = new StringWriter();
            using var stderr = new StringWriter();
            var exit = await CommandLine.RunAsync(["mutate", "--kubernetes-version", "1.31", file], new StringReader(""), stdout, stderr);
            Assert.True(exit == 0, $"seed {seed}: {stderr}");

            var typed = KubernetesJson.Deserialize<V1StatefulSet>(sts);
            var mutation = engine.Mutate(new RuleInput(Operation.Create, "default", typed, null),
                new StaticClusterView { ServerVersion = new ServerVersion(1, 31) }, GuardMode.Enforce);
            var expected = MutationFixtures.ApplyPatch(sts.AsObject(), JsonPatchBuilder.ToJsonString(mutation.Patch));

            var printed = ManifestReader.ReadText("-", stdout.ToString());
            Assert.Empty(printed.Errors);
            Assert.True(JsonNode.DeepEquals(expected, printed.Documents.Single().Object),
                $"seed {seed}:\n{expected.ToJsonString()}\n---\n{stdout}");
        }
    }
}
