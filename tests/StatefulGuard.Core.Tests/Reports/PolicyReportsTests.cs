using System.Text.Json.Nodes;
using StatefulGuard.Core.Engine;
using StatefulGuard.Core.Reports;

namespace StatefulGuard.Core.Tests.Reports;

public sealed class PolicyReportsTests
{
    private static readonly DateTimeOffset Then = new(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);

    private static (JsonObject Report, IReadOnlyList<ReportResult> Results) Report(Action<System.Text.Json.Nodes.JsonObject>? edit = null, DateTimeOffset? at = null)
    {
        var sts = Objects.StatefulSet(edit: edit);
        sts.Metadata.Uid = "4e0c2b1a-5d6f-4a3b-9c8d-7e6f5a4b3c2d";
        var engine = new RuleEngine(RuleSet.Defaults(RuleCatalog.Default), EngineSettings.Default);
        var results = PolicyReports.Evaluate(engine, sts, Mutation.Cluster(1, 31).Add(Objects.Service(), "shop"));
        return (PolicyReports.Build(ReportFormat.OpenReports, sts, results, _ => at ?? Then), results);
    }

    [Fact]
    public void The_same_state_gives_the_same_report_and_a_report_read_back_with_server_fields_in_another_order_says_the_same()
    {
        var (report, _) = Report();
        var (again, _) = Report(at: Then.AddHours(3));

        Assert.True(StoredReport.TryOf(report, out _)!.Says(again)); // only the timestamps differ

        // As the apiserver returns it: its own metadata, keys in another order, defaults added.
        var stored = new JsonObject(report.Reverse().Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone())));
        stored["metadata"]!["resourceVersion"] = "81234";
        stored["metadata"]!["uid"] = "c0ffee00-0000-4000-8000-000000000001";
        stored["metadata"]!["managedFields"] = new JsonArray(new JsonObject { ["manager"] = "statefulguard" });
        stored["results"]![0]!["resourceSelector"] = null;
        Assert.True(StoredReport.TryOf(stored, out _)!.Says(again));
    }

    [Fact]
    public void A_changed_result_changes_what_the_report_says_and_unchanged_results_keep_their_first_seen_time()
    {
        var (report, _) = Report();
        var (changed, results) = Report(edit: j => j["spec"]!["serviceName"] = "missing", at: Then.AddHours(1));

        var stored = StoredReport.TryOf(report, out _)!;
        Assert.False(stored.Says(changed));
        var headless = results.Single(r => r.Policy == "headless-service");
        var probes = results.Single(r => r.Policy == "probes");
        Assert.Equal(PolicyReports.Fail, headless.Result);
        Assert.Null(stored.FirstSeen(headless));
        Assert.Equal(Then, stored.FirstSeen(probes));
    }

    [Fact]
    public void Results_cover_every_statefulset_rule_and_the_summary_counts_them()
    {
        var (report, results) = Report();

        Assert.Equal(RuleCatalog.Default.Rules.Count(r => r is StatefulGuard.Core.Rules.IValidatingRule or StatefulGuard.Core.Rules.IMutatingRule), results.Count);
        Assert.Equal(results.Count, report["results"]!.AsArray().Count);
        foreach (var outcome in new[] { "pass", "fail", "warn", "error", "skip" })
        {
            Assert.Equal(results.Count(r => r.Result == outcome), (int)report["summary"]![outcome]!);
        }
    }

    public static TheoryData<string> Malformed =>
    [
        "[]",
        "\"a report\"",
        """{"metadata":[],"scope":{"name":"web"}}""",
        """{"metadata":{"name":"statefulguard-web","namespace":5},"scope":{"name":"web"}}""",
        """{"metadata":{"name":"statefulguard-web","namespace":"shop"},"scope":"web"}""",
    ];

    [Theory]
    [MemberData(nameof(Malformed))]
    public void A_stored_report_of_another_shape_is_no_report_and_nothing_throws(string json)
    {
        Assert.Null(StoredReport.TryOf(JsonNode.Parse(json), out var problem));
        Assert.NotEmpty(problem);
    }

    [Fact]
    public void Fields_of_another_type_inside_a_report_read_as_absent()
    {
        var (report, _) = Report();
        report["results"] = "none";
        report["summary"] = new JsonArray(1, 2);
        report["metadata"]!["labels"] = "x";
        report["metadata"]!["ownerReferences"] = new JsonObject();

        var stored = StoredReport.TryOf(report, out _);

        Assert.NotNull(stored);
        Assert.False(stored.Says(Report().Report));
    }
}
