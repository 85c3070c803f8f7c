using System.Text.Json.Nodes;
using StatefulGuard.Tests.Commands;
using StatefulGuard.Core.Manifests;
using StatefulGuard.Tests.Support;

namespace StatefulGuard.Tests.Admission;

/// <summary>
/// Patterns found in real-world manifests (Fixtures/realworld, one folder a case, written for this project), each
/// with its expected verdicts in the folder's <c>expect</c> file, checked through <c>statefulguard audit</c> over
/// the folder and through POST /validate against a fake apiserver holding the folder's objects.
/// An <c>expect</c> line is <c>[@input|@cluster] STATEFULSET RULE-ID CODE... | none</c>; unprefixed lines hold for both.
/// </summary>
[Trait("Category", "Binary")]
public sealed class RealWorldPatternTests(ClusterFixture cluster) : IClassFixture<ClusterFixture>
{
    private static readonly string Root = Path.Combine(AppContext.BaseDirectory, "Fixtures", "realworld");

    public static TheoryData<string> Cases()
    {
        var cases = new TheoryData<string>();
        foreach (var dir in Directory.EnumerateDirectories(Root).Order(StringComparer.Ordinal))
        {
            cases.Add(Path.GetFileName(dir));
        }

        return cases;
    }

    private sealed record Expectation(string StatefulSet, string RuleId, string[] Codes);

    private static List<Expectation> Expectations(string name, string channel) =>
        File.ReadLines(Path.Combine(Root, name, "expect"))
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(p => !p[0].StartsWith('@') || p[0] == channel)
            .Select(p => p[0].StartsWith('@') ? p[1..] : p)
            .Select(p => new Expectation(p[0], p[1], p[2] == "none" ? [] : p[2..]))
            .ToList();

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Audit_reports_what_the_evidence_proves(string name)
    {
        var (exit, output, error) = await CliTests.RunAsync(["audit", "--format", "json", Path.Combine(Root, name)]);

        Assert.True(exit is 0 or 1, $"exit {exit}: {error}");
        var report = JsonNode.Parse(output)!;
        Assert.Equal(0, (int)report["summary"]!["inputErrors"]!);
        var objects = report["objects"]!.AsArray();
        foreach (var expected in Expectations(name, "@input"))
        {
            var obj = objects.SingleOrDefault(o => (string?)o!["name"] == expected.StatefulSet);
            Assert.True(obj is not null, $"{expected.StatefulSet} was not reported at all");
            var codes = obj!["findings"]!.AsArray().Where(f => (string?)f!["ruleId"] == expected.RuleId).Select(f => (string)f!["code"]!).Order().ToArray();
            Assert.True(expected.Codes.Order().SequenceEqual(codes),
                $"{expected.StatefulSet} {expected.RuleId}: expected [{string.Join(", ", expected.Codes)}], got [{string.Join(", ", codes)}]");
            foreach (var finding in obj["findings"]!.AsArray())
            {
                Assert.True((int)finding!["line"]! > 0, $"{expected.StatefulSet}: a finding without a line");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Validate_reports_the_same_with_the_cluster_holding_the_objects(string name)
    {
        var suffix = Guid.NewGuid().ToString("N")[..6];
        var input = ManifestReader.ReadPaths([Path.Combine(Root, name)]);
        var documents = input.Documents.Select(d => Renamed(d.Object, suffix)).ToList();
        foreach (var doc in documents)
        {
            if (Resource((string?)doc["kind"], (string?)doc["apiVersion"]) is { } resource)
            {
                await cluster.ApplyAndWaitAsync(resource, doc);
            }
        }

        var expectations = Expectations(name, "@cluster");
        foreach (var sts in documents.Where(d => (string?)d["kind"] == "StatefulSet" && (string?)d["apiVersion"] == "apps/v1"))
        {
            var review = AdmissionReviews.Create(ApiServerDefaults.Apply(sts.DeepClone().AsObject()));
            var response = (await cluster.Webhook.PostAsync("/validate", review)).AssertWellFormed();
            var said = response.Warnings.Append(response.Message ?? "").ToArray();
            foreach (var expected in expectations.Where(e => e.StatefulSet == (string?)sts["metadata"]!["name"]))
            {
                var reported = said.Any(line => line.Contains($"{expected.RuleId}: ", StringComparison.Ordinal) || line.Contains($"[{expected.RuleId}]", StringComparison.Ordinal));
                Assert.True(reported == expected.Codes.Length > 0,
                    $"{expected.StatefulSet} {expected.RuleId}: expected [{string.Join(", ", expected.Codes)}]; the webhook said: {string.Join(" | ", said)}");
            }

            Assert.All(response.Warnings, w => Assert.True(w.Length <= 120, w));
        }
    }

    [Fact]
    public async Task Mutate_prints_old_api_versions_unchanged_and_says_so()
    {
        var folder = Path.Combine(Root, "legacy-api-versions");
        var (exit, output, error) = await CliTests.RunAsync(["mutate", folder]);

        Assert.Equal(0, exit);
        Assert.Contains("old.yaml:11: warning: apps/v1beta1 StatefulSet is not served since Kubernetes 1.16: use apps/v1 and set spec.selector; printed unchanged", error);
        Assert.Contains("apps/v1beta2 StatefulSet is not served since Kubernetes 1.16", error);
        Assert.Contains("StatefulSet with apiVersion \"v1\" is served by no Kubernetes version", error);
        var printed = ManifestReader.ReadText("-", output);
        var original = ManifestReader.ReadPaths([folder]);
        Assert.Equal(original.Documents.Count, printed.Documents.Count);
        for (var i = 0; i < printed.Documents.Count; i++)
        {
            Assert.True(JsonNode.DeepEquals(original.Documents[i].Object, printed.Documents[i].Object), $"document {i} changed");
        }
    }

    private static string? Resource(string? kind, string? apiVersion) => (kind, apiVersion) switch
    {
        ("Service", "v1") => "services",
        ("PodDisruptionBudget", "policy/v1") => "poddisruptionbudgets",
        ("StorageClass", "storage.k8s.io/v1") => "storageclasses",
        ("StatefulSet", "apps/v1") => "statefulsets",
        _ => null,
    };

    /// <summary>
    /// A namespace of its own per run, so cases never see each other's objects; without what the server fills in
    /// (an exported object's status, uid, resourceVersion...), which the apiserver resets on create.
    /// </summary>
    private static JsonObject Renamed(JsonObject obj, string suffix)
    {
        var copy = obj.DeepClone().AsObject();
        copy.Remove("status");
        var meta = copy["metadata"]!.AsObject();
        foreach (var field in new[] { "uid", "resourceVersion", "creationTimestamp", "generation", "managedFields" })
        {
            meta.Remove(field);
        }

        if ((string?)copy["kind"] == "StorageClass")
        {
            return copy;
        }

        meta["namespace"] = $"{(string?)meta["namespace"] ?? "default"}-{suffix}";
        return copy;
    }
}
