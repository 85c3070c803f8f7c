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
}
