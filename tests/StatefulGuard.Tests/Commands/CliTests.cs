using System.Diagnostics;
using System.Text.Json.Nodes;
using StatefulGuard.Core.Manifests;
using StatefulGuard.Tests.Support;

namespace StatefulGuard.Tests.Commands;

/// <summary>The real executable as CI runs it: exit codes, JSON and SARIF structure, positions, mutate round trips.</summary>
[Trait("Category", "Binary")]
public sealed class CliTests : IDisposable
{
    private readonly DirectoryInfo temp = Directory.CreateTempSubdirectory("sg-cli-");

    public void Dispose() => temp.Delete(recursive: true);

    internal static async Task<(int Exit, string Out, string Err)> RunAsync(string[] args, string? stdin = null, IDictionary<string, string>? environment = null)
    {
        var info = Repository.Executable(args);
        info.RedirectStandardInput = stdin is not null;
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        using var process = Process.Start(info)!;
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
            process.StandardInput.Close();
        }

        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await error);
    }

    private static int LineOf(string file, string text) =>
        File.ReadAllLines(Path.Combine(Repository.Root, file)).Select((l, i) => (l, i)).First(p => p.l.Contains(text, StringComparison.Ordinal)).i + 1;

    [Fact]
    public async Task Json_report_has_the_documented_schema_and_exact_positions()
    {
        var (exit, output, _) = await RunAsync(["audit", "--format", "json", "examples"]);

        Assert.Equal(1, exit);
        var report = JsonNode.Parse(output)!;
        Assert.Equal(1, report["schemaVersion"]!.GetValue<int>());
        Assert.Equal("enforce", report["mode"]!.GetValue<string>());
        var summary = report["summary"]!;
        Assert.Equal((6, 3, 2, 1), (summary["statefulSets"]!.GetValue<int>(), summary["denied"]!.GetValue<int>(), summary["clean"]!.GetValue<int>(), summary["skipped"]!.GetValue<int>()));

        var kafka = report["objects"]!.AsArray().Single(o => o!["name"]!.GetValue<string>() == "kafka")!;
        Assert.Equal(("examples/kafka.yaml", 19, "deny"), (kafka["file"]!.GetValue<string>(), kafka["line"]!.GetValue<int>(), kafka["result"]!.GetValue<string>()));
        var finding = kafka["findings"]!.AsArray().Single(f => f!["ruleId"]!.GetValue<string>() == "headless-service")!;
        Assert.Equal("service-selector-mismatch", finding["code"]!.GetValue<string>());
        Assert.Equal("deny", finding["action"]!.GetValue<string>());
        Assert.Equal("spec.serviceName", finding["path"]!.GetValue<string>());
        Assert.Equal(LineOf("examples/kafka.yaml", "serviceName: kafka-headless"), finding["line"]!.GetValue<int>());
        Assert.False(string.IsNullOrEmpty(finding["fix"]!.GetValue<string>()));
        var resources = kafka["findings"]!.AsArray().Single(f => f!["ruleId"]!.GetValue<string>() == "resources")!;
        Assert.Equal(LineOf("examples/kafka.yaml", "- name: kafka"), resources["line"]!.GetValue<int>());
    }

    [Fact]
    public async Task Sarif_report_has_what_sarif_2_1_0_and_code_scanning_require()
    {
        var (exit, output, _) = await RunAsync(["audit", "--format", "sarif", "examples"]);

        Assert.Equal(1, exit);
        var sarif = JsonNode.Parse(output)!;
        Assert.Equal("2.1.0", sarif["version"]!.GetValue<string>());
        Assert.Contains("sarif-2.1.0", sarif["$schema"]!.GetValue<string>());
        var run = sarif["runs"]!.AsArray().Single()!;
        var driver = run["tool"]!["driver"]!;
        Assert.Equal("StatefulGuard", driver["name"]!.GetValue<string>());
        var rules = driver["rules"]!.AsArray();
        Assert.Contains(rules, r => r!["id"]!.GetValue<string>() == "headless-service");
        Assert.All(rules, r =>
        {
            Assert.False(string.IsNullOrEmpty(r!["shortDescription"]!["text"]!.GetValue<string>()));
            Assert.False(string.IsNullOrEmpty(r["help"]!["text"]!.GetValue<string>()));
            Assert.Contains(r["defaultConfiguration"]!["level"]!.GetValue<string>(), new[] { "error", "warning", "note" });
        });

        var results = run["results"]!.AsArray();
        Assert.NotEmpty(results);
        Assert.All(results, r =>
        {
            var ruleId = r!["ruleId"]!.GetValue<string>();
            Assert.Equal(ruleId, rules[r["ruleIndex"]!.GetValue<int>()]!["id"]!.GetValue<string>());
            Assert.Contains(r["level"]!.GetValue<string>(), new[] { "error", "warning" });
            Assert.False(string.IsNullOrEmpty(r["message"]!["text"]!.GetValue<string>()));
            var location = r["locations"]![0]!["physicalLocation"]!;
            Assert.StartsWith("examples/", location["artifactLocation"]!["uri"]!.GetValue<string>());
            Assert.True(location["region"]!["startLine"]!.GetValue<int>() >= 1);
            Assert.False(string.IsNullOrEmpty(r["partialFingerprints"]!["statefulguardFinding/v1"]!.GetValue<string>()));
        });
        var zk = results.Single(r => r!["message"]!["text"]!.GetValue<string>().Contains("zk-hs", StringComparison.Ordinal))!;
        Assert.Equal(("error", LineOf("examples/zookeeper.yaml", "serviceName: zk-hs")),
            (zk["level"]!.GetValue<string>(), zk["locations"]![0]!["physicalLocation"]!["region"]!["startLine"]!.GetValue<int>()));
    }

    [Fact]
    public async Task Audit_mode_reports_but_does_not_fail()
    {
        var (exit, output, _) = await RunAsync(["audit", "--mode", "audit", "--no-color", "examples"]);
        Assert.Equal(0, exit);
        Assert.Contains("3 would be denied", output);
        Assert.Contains("(audit mode: not failing)", output);
    }

    [Fact]
    public async Task Unknown_fields_are_reported_with_file_and_line_and_the_rest_is_still_audited()
    {
        var file = Path.Combine("tests", "StatefulGuard.Tests", "Fixtures", "cli", "typo.yaml");
        var (exit, output, error) = await RunAsync(["audit", "--no-color", Path.Combine(AppContext.BaseDirectory, "Fixtures", "cli", "typo.yaml")]);

        Assert.Equal(0, exit);
        Assert.Contains($"typo.yaml:{LineOf(file, "fsGroup: 11211")}: warning: StatefulSet cache: unknown field spec.template.spec.containers[0].fsGroup", error);
        Assert.Contains("StatefulSet team-a/cache  ok", output);
    }

    [Fact]
    public async Task Mutate_output_parses_back_is_stable_and_re_audits_without_default_related_findings()
    {
        var (exit, output, _) = await RunAsync(["mutate", "--kubernetes-version", "1.31", "examples"]);

        Assert.Equal(0, exit);
        var set = ManifestReader.ReadText("mutated.yaml", output);
        Assert.Empty(set.Errors);
        Assert.Equal(14, set.Documents.Count);
        Assert.All(set.Documents.Where(d => d.Kind == "StatefulSet" && d.Namespace != "legacy"), d =>
        {
            Assert.NotNull(d.Object["metadata"]!["annotations"]!["statefulguard.io/injected"]);
            Assert.NotNull(d.Object["spec"]!["template"]!["spec"]!["containers"]![0]!["lifecycle"]!["preStop"]!["sleep"]);
        });

        var mutated = Path.Combine(temp.FullName, "mutated.yaml");
        await File.WriteAllTextAsync(mutated, output);
        var again = await RunAsync(["mutate", "--diff", "--kubernetes-version", "1.31", mutated]);
        Assert.Equal((0, ""), (again.Exit, again.Out));

        var audit = await RunAsync(["audit", "--format", "json", mutated]);
        var findings = JsonNode.Parse(audit.Out)!["objects"]!.AsArray().SelectMany(o => o!["findings"]!.AsArray()).Select(f => f!["ruleId"]!.GetValue<string>());
        Assert.DoesNotContain("grace-period", findings);
        Assert.DoesNotContain("label-coherence", findings);
    }

    [Fact]
    public async Task Serve_takes_configuration_keys_on_its_command_line_and_refuses_other_tokens()
    {
        // The overrides reach the configuration: the valid one passes, the bad value and the typo stop the start with their keys.
        var (exit, _, error) = await RunAsync(["serve", "--urls", "http://127.0.0.1:0", "--StatefulGuard:Cluster:Source=None",
            "--StatefulGuard:Mode=Audit", "--StatefulGuard:WarmupMilliseconds=99999", "--StatefulGuard:Moed=Audit"]);
        Assert.Equal(1, exit);
        Assert.Contains("StatefulGuard:Moed: unknown configuration key", error);
        Assert.Contains("StatefulGuard:WarmupMilliseconds:", error);
        Assert.DoesNotContain("StatefulGuard:Mode:", error);

        var unknown = await RunAsync(["serve", "--no-such-flag"]);
        Assert.Equal(2, unknown.Exit);
        Assert.Contains("Unrecognized command or argument '--no-such-flag'", unknown.Err);
        var typo = await RunAsync(["audti", "examples/"]);
        Assert.Equal(2, typo.Exit);
    }

    [Fact]
    public async Task Mutate_diff_shows_only_what_changes()
    {
        var (exit, output, _) = await RunAsync(["mutate", "--diff", "examples/kafka.yaml"]);

        Assert.Equal(0, exit);
        Assert.StartsWith("--- examples/kafka.yaml:19 StatefulSet streaming/kafka", output);
        Assert.Contains("+        startupProbe:", output);
        Assert.Contains("+              - sleep", output); // exec sleep: the target version is unknown offline
        Assert.DoesNotContain("kind: Service", output);
        Assert.All(output.Split('\n').Where(l => l.Length > 0), l => Assert.Contains(l[0], "-+ @"));
    }

    [Fact]
    public async Task Mutate_reads_stdin_and_passes_other_kinds_through()
    {
        var (exit, output, _) = await RunAsync(["mutate", "-"], File.ReadAllText(Path.Combine(Repository.Examples, "redis.yaml")));

        Assert.Equal(0, exit);
        var docs = ManifestReader.ReadText("-", output).Documents;
        Assert.Equal(["Service", "StatefulSet"], docs.Select(d => d.Kind));
        Assert.True(JsonNode.DeepEquals(ManifestReader.ReadText("x", File.ReadAllText(Path.Combine(Repository.Examples, "redis.yaml"))).Documents[0].Object, docs[0].Object));
    }

    [Fact]
    public async Task Rules_as_json_list_every_rule_with_options()
    {
        var (exit, output, _) = await RunAsync(["rules", "--format", "json"]);

        Assert.Equal(0, exit);
        var rules = JsonNode.Parse(output)!.AsArray();
        Assert.Equal(StatefulGuard.Core.Engine.RuleCatalog.Default.Rules.Count, rules.Count);
        var probes = rules.Single(r => r!["id"]!.GetValue<string>() == "probes")!;
        Assert.Equal(("mutating", "inject"), (probes["kind"]!.GetValue<string>(), probes["defaultAction"]!.GetValue<string>()));
        Assert.Contains(probes["options"]!.AsArray(), o => o!["key"]!.GetValue<string>() == "StatefulGuard:Rules:probes:StartupFailureThreshold" && o["default"]!.GetValue<string>() == "90");
    }

    [Fact]
    public async Task Rules_page_is_the_generated_one()
    {
        var (_, table, _) = await RunAsync(["rules", "--format", "markdown"]);
        var readme = File.ReadAllText(Path.Combine(Repository.Root, "docs", "rules.md"));
        var start = readme.IndexOf("<!-- rules:begin -->", StringComparison.Ordinal) + "<!-- rules:begin -->".Length;
        var end = readme.IndexOf("<!-- rules:end -->", StringComparison.Ordinal);

        Assert.True(start > 0 && end > start, "docs/rules.md has no rules:begin/rules:end markers");
        Assert.Equal(table.Trim(), readme[start..end].Trim());
    }
}
