using System.Text.Json.Nodes;
using StatefulGuard.Commands;

namespace StatefulGuard.Tests.Commands;

/// <summary>StatefulGuardExceptions offline: in the input or from <c>--exceptions</c>, against <c>--now</c>.</summary>
public sealed class ExceptionCommandTests
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Fixtures", "exceptions");
    private static readonly string Controller = Path.Combine(Folder, "controller.yaml");
    private static readonly string Waivers = Path.Combine(Folder, "waivers.yaml");

    private static async Task<(int Exit, string Out, string Err)> Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await CommandLine.RunAsync(args, new StringReader(""), output, error);
        return (exit, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Without_the_exception_the_controller_would_be_denied()
    {
        var (exit, output, _) = await Run("audit", "--no-color", "--now", "2026-12-03T00:00:00Z", Controller);
        Assert.Equal(1, exit);
        Assert.Contains("DENY  headless-service", output);
    }

    [Fact]
    public async Task An_exception_in_the_input_waives_the_finding_and_the_report_says_by_whom_and_why()
    {
        var (exit, output, _) = await Run("audit", "--no-color", "--now", "2026-12-03T00:00:00Z", Folder);

        Assert.Equal(0, exit);
        Assert.Contains("WAIVED  headless-service  by exception gitops/controller-sharding until 2027-03-01", output);
        Assert.Contains("reason: shards are assigned by ordinal; no peer needs another pod's DNS name (PLAT-1234)", output);
    }

    [Fact]
    public async Task Exceptions_from_their_own_path_apply_and_expire_against_now()
    {
        var (activeExit, activeJson, _) = await Run("audit", "--format", "json", "--exceptions", Waivers, "--now", "2027-02-20T00:00:00Z", Controller);
        Assert.Equal(0, activeExit);
        var finding = JsonNode.Parse(activeJson)!["objects"]![0]!["findings"]!.AsArray().Single(f => (string?)f!["ruleId"] == "headless-service")!;
        Assert.Equal("waived", (string?)finding["qualifier"]);
        Assert.Equal("gitops/controller-sharding", (string?)finding["waived"]!["exception"]);
        Assert.Equal("PLAT-1234", (string?)finding["waived"]!["ticket"]);
        Assert.True((bool)finding["waived"]!["expiringSoon"]!);

        var (expiredExit, expiredOutput, _) = await Run("audit", "--no-color", "--exceptions", Waivers, "--now", "2027-03-02T00:00:00Z", Controller);
        Assert.Equal(1, expiredExit);
        Assert.Contains("DENY  headless-service", expiredOutput);
    }

    [Fact]
    public async Task Sarif_reports_a_waived_finding_as_a_suppression_with_its_justification()
    {
        var (_, sarif, _) = await Run("audit", "--format", "sarif", "--now", "2026-12-03T00:00:00Z", Folder);

        var result = JsonNode.Parse(sarif)!["runs"]![0]!["results"]!.AsArray().Single(r => (string?)r!["ruleId"] == "headless-service")!;
        Assert.Equal("error", (string?)result["level"]);
        var suppression = result["suppressions"]![0]!;
        Assert.Equal("external", (string?)suppression["kind"]);
        Assert.Equal("shards are assigned by ordinal; no peer needs another pod's DNS name", (string?)suppression["justification"]);
        Assert.Equal("gitops/controller-sharding", (string?)suppression["properties"]!["exception"]);
    }

    [Fact]
    public async Task Mutate_does_not_inject_a_waived_default()
    {
        var (exit, output, error) = await Run("mutate", "--kubernetes-version", "1.31", "--now", "2026-09-01T00:00:00Z", Folder);

        Assert.Equal(0, exit);
        Assert.Contains("probes waived by exception gitops/old-migration until 2026-10-01", error);
        Assert.DoesNotContain("startupProbe", output);
        Assert.Contains("preStop", output);
    }

    [Fact]
    public async Task Exceptions_lists_each_with_its_state()
    {
        var (exit, output, _) = await Run("exceptions", "--now", "2027-01-05T00:00:00Z", Folder);

        Assert.Equal(0, exit);
        var lines = output.Split('\n');
        Assert.Contains(lines, l => l.StartsWith("gitops     controller-sharding", StringComparison.Ordinal) && l.Contains("active", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("old-migration", StringComparison.Ordinal) && l.Contains("expired", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("legacy-db", StringComparison.Ordinal) && l.Contains("matching nothing", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("typo", StringComparison.Ordinal) && l.Contains("invalid", StringComparison.Ordinal));
        Assert.Contains("invalid: spec.rules[0]: unknown rule id \"headless-servce\"", output);

        var (_, soon, _) = await Run("exceptions", "--now", "2027-02-20T00:00:00Z", "--format", "json", Folder);
        Assert.Equal("expiring soon", (string?)JsonNode.Parse(soon)!.AsArray().Single(e => (string?)e!["name"] == "controller-sharding")!["state"]);
    }

    [Fact]
    public async Task An_exception_admission_would_refuse_is_listed_invalid_with_its_reason_and_waives_nothing()
    {
        var forever = Path.Combine(AppContext.BaseDirectory, "Fixtures", "exceptions-stored", "forever.yaml");

        var (listed, output, _) = await Run("exceptions", "--now", "2026-12-03T00:00:00Z", forever);
        var (audited, report, _) = await Run("audit", "--no-color", "--exceptions", forever, "--now", "2026-12-03T00:00:00Z", Controller);

        Assert.Equal(0, listed);
        Assert.Contains(output.Split('\n'), l => l.Contains("forever", StringComparison.Ordinal) && l.Contains("invalid", StringComparison.Ordinal));
        Assert.Contains("invalid: spec.expires 2036-11-01 is more than 180 days after the exception's creation (2026-11-01", output);
        Assert.Equal(1, audited);
        Assert.Contains("DENY  headless-service", report);
    }
}
