using System.Text.Json.Nodes;
using StatefulGuard.Commands;
using StatefulGuard.Core.Manifests;

namespace StatefulGuard.Tests.Commands;

/// <summary>
/// From finding to fix: <c>mutate --companions</c> prints the missing headless Service and PodDisruptionBudget, SARIF
/// carries them as fixes and the JSON report as suggested objects; what is printed audits clean and a second pass adds
/// nothing.
/// </summary>
public sealed class CompanionTests
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Fixtures", "companions");
    private static readonly string Cassandra = Path.Combine(Folder, "cassandra.yaml");

    private static async Task<(int Exit, string Out, string Err)> Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await CommandLine.RunAsync(args, new StringReader(""), output, error);
        return (exit, output.ToString(), error.ToString());
    }

    private static async Task<(int Exit, string Out, string Err)> RunOn(string text, params string[] args)
    {
        var file = Path.Combine(Path.GetTempPath(), $"sg-companions-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(file, text);
        try
        {
            return await Run([.. args, file]);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static IReadOnlyList<JsonObject> Documents(string yaml) => [.. ManifestReader.ReadText("out", yaml).Documents.Select(d => d.Object)];

    private static JsonNode Findings(string json) => JsonNode.Parse(json)!["objects"]![0]!["findings"]!;

    [Fact]
    public async Task The_missing_service_and_budget_are_printed_after_the_statefulset()
    {
        var (exit, output, error) = await Run("mutate", "--companions", "--kubernetes-version", "1.31", Cassandra);

        Assert.Equal(0, exit);
        var docs = Documents(output);
        Assert.Equal(["ConfigMap", "StatefulSet", "Service", "PodDisruptionBudget", "ConfigMap"], docs.Select(d => (string?)d["kind"]));
        var service = docs[2];
        Assert.Equal(("cassandra", "data", "None"), ((string?)service["metadata"]!["name"], (string?)service["metadata"]!["namespace"], (string?)service["spec"]!["clusterIP"]));
        Assert.Equal("""{"app.kubernetes.io/name":"cassandra"}""", service["spec"]!["selector"]!.ToJsonString());
        // One port per named container port, targeting it by name; the unnamed one is left out.
        Assert.Equal(["intra-node:7000", "tls-intra-node:7001", "jmx:7199", "cql:9042"],
            service["spec"]!["ports"]!.AsArray().Select(p => $"{p!["name"]}:{p["port"]}"));
        Assert.All(service["spec"]!["ports"]!.AsArray(), p => Assert.Equal((string?)p!["name"], (string?)p["targetPort"]));
        Assert.Null(service["spec"]!["publishNotReadyAddresses"]);
        Assert.Equal("ledger", (string?)service["metadata"]!["labels"]!["app.kubernetes.io/part-of"]);

        var budget = docs[3];
        Assert.Equal(("cassandra", "data", "1"), ((string?)budget["metadata"]!["name"], (string?)budget["metadata"]!["namespace"], budget["spec"]!["maxUnavailable"]!.ToJsonString()));
        Assert.Equal("""{"matchLabels":{"app.kubernetes.io/name":"cassandra"}}""", budget["spec"]!["selector"]!.ToJsonString());
        Assert.Contains("added Service cassandra", error);
        Assert.Contains("added PodDisruptionBudget cassandra", error);
    }

    [Fact]
    public async Task What_is_printed_audits_clean_of_both_findings_and_a_second_pass_adds_nothing()
    {
        var (_, before, _) = await Run("audit", "--format", "json", Cassandra);
        Assert.Contains(Findings(before).AsArray(), f => (string?)f!["code"] == "service-missing");
        Assert.Contains(Findings(before).AsArray(), f => (string?)f!["code"] == "no-budget");

        var (_, first, _) = await Run("mutate", "--companions", "--kubernetes-version", "1.31", Cassandra);
        var (exit, after, _) = await RunOn(first, "audit", "--format", "json");
        var (_, second, secondError) = await RunOn(first, "mutate", "--companions", "--kubernetes-version", "1.31");

        Assert.Equal(0, exit);
        Assert.DoesNotContain(Findings(after).AsArray(), f => (string?)f!["code"] is "service-missing" or "no-budget");
        Assert.Equal(first, second);
        Assert.DoesNotContain("added", secondError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Publish_not_ready_is_set_only_when_asked()
    {
        var (_, output, _) = await Run("mutate", "--companions", "--publish-not-ready", "--kubernetes-version", "1.31", Cassandra);

        var service = Documents(output).Single(d => (string?)d["kind"] == "Service");
        Assert.True((bool)service["spec"]!["publishNotReadyAddresses"]!);
    }

    [Fact]
    public async Task An_object_of_the_name_that_exists_is_never_printed_again_and_stays_a_finding()
    {
        var existing = Path.Combine(Folder, "existing.yaml");

        var (exit, output, _) = await Run("mutate", "--companions", "--kubernetes-version", "1.31", existing);
        var (_, report, _) = await Run("audit", "--format", "json", existing);

        Assert.Equal(0, exit);
        Assert.Equal(["Service", "PodDisruptionBudget", "StatefulSet"], Documents(output).Select(d => (string?)d["kind"]));
        var findings = Findings(report).AsArray();
        var notHeadless = Assert.Single(findings, f => (string?)f!["code"] == "service-not-headless")!;
        Assert.Contains("recreate Service \"queue\" with clusterIP: None", (string?)notHeadless["fix"]);
        var noBudget = Assert.Single(findings, f => (string?)f!["code"] == "no-budget")!;
        Assert.Null(noBudget["suggested"]); // a budget named "queue" exists: it is to be fixed, not doubled
    }

    [Fact]
    public async Task The_json_report_carries_the_suggested_objects()
    {
        var (_, json, _) = await Run("audit", "--format", "json", Cassandra);

        var findings = Findings(json).AsArray();
        var service = findings.Single(f => (string?)f!["code"] == "service-missing")!["suggested"]!;
        Assert.Equal(("Service", "None"), ((string?)service["kind"], (string?)service["spec"]!["clusterIP"]));
        var budget = findings.Single(f => (string?)f!["code"] == "no-budget")!["suggested"]!;
        Assert.Equal("PodDisruptionBudget", (string?)budget["kind"]);
    }

    [Fact]
    public async Task Sarif_fixes_insert_the_objects_after_the_statefulset_and_the_fixed_file_audits_clean()
    {
        var (_, sarif, _) = await Run("audit", "--format", "sarif", Cassandra);

        var results = JsonNode.Parse(sarif)!["runs"]![0]!["results"]!.AsArray();
        var withFixes = results.Where(r => r!["fixes"] is not null).ToList();
        Assert.Equal(["disruption-budget", "headless-service"], withFixes.Select(r => (string?)r!["ruleId"]).Order());
        var replacements = withFixes.Select(r => r!["fixes"]![0]!["artifactChanges"]![0]!["replacements"]![0]!).ToList();

        // Both insert where the StatefulSet's document ends: at the start of the line of the next "---".
        var lines = (await File.ReadAllTextAsync(Cassandra)).Split('\n').ToList();
        var at = (int)replacements[0]["deletedRegion"]!["startLine"]!;
        Assert.Equal("---", lines[at - 1]);
        Assert.All(replacements, r => Assert.Equal(at, (int)r["deletedRegion"]!["endLine"]!));
        Assert.All(replacements, r => Assert.Equal(1, (int)r["deletedRegion"]!["startColumn"]!));

        foreach (var inserted in replacements.Select(r => (string)r["insertedContent"]!["text"]!).Reverse())
        {
            lines.InsertRange(at - 1, inserted.TrimEnd('\n').Split('\n'));
        }

        var (exit, report, _) = await RunOn(string.Join('\n', lines), "audit", "--format", "json");
        Assert.Equal(0, exit);
        Assert.DoesNotContain(Findings(report).AsArray(), f => (string?)f!["code"] is "service-missing" or "no-budget");
        Assert.Equal(5, JsonNode.Parse(report)!["summary"]!["documents"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_waived_finding_gets_no_companion()
    {
        var exception = """
            apiVersion: statefulguard.io/v1alpha1
            kind: StatefulGuardException
            metadata:
              name: no-dns
              namespace: data
            spec:
              rules: [headless-service]
              statefulSets: [cassandra]
              reason: seeds are given by IP
              expires: "2027-01-31T00:00:00Z"
            """;
        var file = Path.Combine(Path.GetTempPath(), $"sg-waiver-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(file, exception);
        try
        {
            var (_, output, _) = await Run("mutate", "--companions", "--kubernetes-version", "1.31", "--exceptions", file, "--now", "2026-12-20T00:00:00Z", Cassandra);

            Assert.Equal(["ConfigMap", "StatefulSet", "PodDisruptionBudget", "ConfigMap"], Documents(output).Select(d => (string?)d["kind"]));
        }
        finally
        {
            File.Delete(file);
        }
    }
}
