using Microsoft.Extensions.Configuration;
using StatefulGuard.Core.Engine;
using StatefulGuard.Core.Rules;
using StatefulGuard.Core.Rules.Reachability;

namespace StatefulGuard.Core.Tests.Engine;

public sealed class RuleSetTests
{
    private static RuleSet Bind(IReadOnlyList<string> errorsOut, params (string Key, string Value)[] settings)
    {
        var config = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.ToDictionary(s => $"StatefulGuard:Rules:{s.Key}", s => (string?)s.Value))
            .Build();
        var rules = RuleSet.Bind(RuleCatalog.Default, config.GetSection("StatefulGuard:Rules"), out var errors);
        ((List<string>)errorsOut).AddRange(errors);
        return rules;
    }

    [Fact]
    public void Defaults_apply_when_nothing_is_configured()
    {
        var errors = new List<string>();
        var rule = Bind(errors).Rules.Single(r => r.Id == HeadlessService.Id);
        Assert.Empty(errors);
        Assert.Equal(RuleAction.Deny, rule.Action);
        Assert.True(((HeadlessServiceOptions)rule.Options).RequireServiceName);
    }

    [Fact]
    public void Action_and_parameters_are_bound()
    {
        var errors = new List<string>();
        var rule = Bind(errors, ("headless-service:Action", "warn"), ("headless-service:RequireServiceName", "false"))
            .Rules.Single(r => r.Id == HeadlessService.Id);
        Assert.Empty(errors);
        Assert.Equal(RuleAction.Warn, rule.Action);
        Assert.False(((HeadlessServiceOptions)rule.Options).RequireServiceName);
    }

    [Theory]
    [InlineData("headless-servic:Action", "Warn", "StatefulGuard:Rules:headless-servic: unknown rule id")]
    [InlineData("headless-service:Action", "Block", "'StatefulGuard:Rules:headless-service:Action'")]
    [InlineData("headless-service:RequireServiceNam", "false", "RequireServiceNam")]
    [InlineData("headless-service:RequireServiceName", "maybe", "'StatefulGuard:Rules:headless-service:RequireServiceName'")]
    public void Mistakes_are_reported_with_their_key(string key, string value, string expected)
    {
        var errors = new List<string>();
        Bind(errors, (key, value));
        Assert.Contains(errors, e => e.Contains(expected, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("probes:TimeoutSeconds", "0", "StatefulGuard:Rules:probes:TimeoutSeconds: must be between 1 and 300 (was 0)")]
    [InlineData("probes:StartupFailureThreshold", "10001", "StatefulGuard:Rules:probes:StartupFailureThreshold: must be between 1 and 10000 (was 10001)")]
    [InlineData("prestop:SleepSeconds", "601", "StatefulGuard:Rules:prestop:SleepSeconds: must be between 1 and 600 (was 601)")]
    [InlineData("prestop:AssumeKubernetesVersion", "latest", "StatefulGuard:Rules:prestop:AssumeKubernetesVersion: must look like 1.31")]
    [InlineData("topology-spread:MaxSkew", "-1", "StatefulGuard:Rules:topology-spread:MaxSkew: must be between 1 and 100 (was -1)")]
    [InlineData("topology-spread:WhenUnsatisfiable", "Never", "StatefulGuard:Rules:topology-spread:WhenUnsatisfiable: must be ScheduleAnyway or DoNotSchedule")]
    [InlineData("topology-spread:TopologyKeys:1", " ", "StatefulGuard:Rules:topology-spread:TopologyKeys:1: must name a node label")]
    [InlineData("security-context:Profile", "7", "StatefulGuard:Rules:security-context:Profile: must be Baseline or Restricted")]
    [InlineData("volume-mounts:Action", "3", "StatefulGuard:Rules:volume-mounts:Action: must be Deny, Warn or Off")]
    public void Out_of_range_rule_settings_are_reported_with_their_key_and_value(string key, string value, string expected)
    {
        var errors = new List<string>();
        var settings = key.EndsWith(":1", StringComparison.Ordinal)
            ? new[] { (key[..^1] + "0", "kubernetes.io/hostname"), (key, value) }
            : new[] { (key, value) };
        Bind(errors, settings);
        var error = Assert.Single(errors);
        Assert.StartsWith(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_problem_in_a_rule_section_is_reported_at_once()
    {
        var errors = new List<string>();
        Bind(errors, ("topology-spread:MaxSkew", "0"), ("topology-spread:TopologyKeys:0", ""), ("topology-spread:WhenUnsatisfiable", "Never"),
            ("prestop:SleepSeconds", "0"), ("prestop:AssumeKubernetesVersion", "v1"));
        Assert.Equal(
            [
                "StatefulGuard:Rules:prestop:AssumeKubernetesVersion: must look like 1.31",
                "StatefulGuard:Rules:prestop:SleepSeconds: must be between 1 and 600 (was 0)",
                "StatefulGuard:Rules:topology-spread:MaxSkew: must be between 1 and 100 (was 0)",
                "StatefulGuard:Rules:topology-spread:TopologyKeys:0: must name a node label, e.g. topology.kubernetes.io/zone",
                "StatefulGuard:Rules:topology-spread:WhenUnsatisfiable: must be ScheduleAnyway or DoNotSchedule",
            ],
            errors.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Valid_rule_settings_report_nothing()
    {
        var errors = new List<string>();
        Bind(errors, ("probes:TimeoutSeconds", "300"), ("prestop:SleepSeconds", "1"), ("prestop:MinShutdownSeconds", "0"),
            ("prestop:AssumeKubernetesVersion", "1.31"), ("topology-spread:WhenUnsatisfiable", "DoNotSchedule"),
            ("topology-spread:TopologyKeys:0", "kubernetes.io/hostname"), ("security-context:Profile", "Restricted"));
        Assert.Empty(errors);
    }
}
