using k8s.Models;
using Microsoft.Extensions.Configuration;
using StatefulGuard.Core.Admission;
using StatefulGuard.Core.Cluster;
using StatefulGuard.Core.Engine;
using StatefulGuard.Core.Rules;
using StatefulGuard.Core.Rules.Reachability;

namespace StatefulGuard.Core.Tests.Engine;

/// <summary>Modes, per-rule actions, UPDATE semantics and failure isolation: the same for every adapter.</summary>
public sealed class RuleEngineTests
{
    // The engine's behaviour is shown on one rule, so other rules' findings do not blur the counts.
    private static readonly RuleCatalog HeadlessOnly = new([new HeadlessService()]);

    private static RuleEngine Engine(GuardMode mode = GuardMode.Enforce, RuleAction unverifiable = RuleAction.Warn, RuleSet? rules = null) =>
        new(rules ?? RuleSet.Defaults(HeadlessOnly), new EngineSettings(mode, unverifiable));

    private static RuleInput Create(V1StatefulSet sts) => new(Operation.Create, sts.Metadata.NamespaceProperty, sts, null);

    private static StaticClusterView NoService(string ns = "shop", string? mode = null)
    {
        var view = new StaticClusterView();
        if (mode is not null)
        {
            view.Add(Objects.Namespace(ns, mode));
        }

        return view;
    }

    [Fact]
    public void Enforce_denies()
    {
        var result = Engine().Validate(Create(Objects.StatefulSet()), NoService());
        Assert.False(result.Allowed);
        var verdict = Assert.Single(result.Verdicts);
        Assert.Equal(RuleAction.Deny, verdict.Action);
        Assert.Equal(VerdictQualifier.None, verdict.Qualifier);
    }

    [Fact]
    public void Audit_warns_but_remembers_what_enforce_would_do()
    {
        var result = Engine(GuardMode.Audit).Validate(Create(Objects.StatefulSet()), NoService());
        Assert.True(result.Allowed);
        Assert.True(result.WouldDenyInEnforce);
        var verdict = Assert.Single(result.Verdicts);
        Assert.Equal((RuleAction.Warn, RuleAction.Deny, VerdictQualifier.Audit), (verdict.Action, verdict.EnforceAction, verdict.Qualifier));
    }

    [Fact]
    public void Off_evaluates_nothing()
    {
        var result = Engine(GuardMode.Off).Validate(Create(Objects.StatefulSet()), NoService());
        Assert.True(result.Allowed);
        Assert.Empty(result.Verdicts);
    }

    [Theory]
    [InlineData(GuardMode.Enforce, "audit", true)]
    [InlineData(GuardMode.Enforce, "off", true)]
    [InlineData(GuardMode.Audit, "enforce", false)]
    [InlineData(GuardMode.Off, "Enforce", false)]
    public void Namespace_label_overrides_the_global_mode(GuardMode global, string label, bool allowed) =>
        Assert.Equal(allowed, Engine(global).Validate(Create(Objects.StatefulSet()), NoService(mode: label)).Allowed);

    [Fact]
    public void Unreadable_namespace_label_keeps_the_global_mode_with_a_note()
    {
        var result = Engine().Validate(Create(Objects.StatefulSet()), NoService(mode: "strict"));
        Assert.False(result.Allowed);
        Assert.Contains("statefulguard.io/mode=\"strict\"", Assert.Single(result.Notes));
    }

    [Theory]
    [InlineData("Warn", true, 1)]
    [InlineData("Off", true, 0)]
    [InlineData("Deny", false, 1)]
    public void Per_rule_action_comes_from_configuration(string action, bool allowed, int verdicts)
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Rules:headless-service:Action"] = action,
        }).Build();
        var rules = RuleSet.Bind(HeadlessOnly, config.GetSection("Rules"), out var errors);
        Assert.Empty(errors);

        var result = Engine(rules: rules).Validate(Create(Objects.StatefulSet()), NoService());

        Assert.Equal(allowed, result.Allowed);
        Assert.Equal(verdicts, result.Verdicts.Count);
    }

    [Fact]
    public void Update_does_not_block_on_a_violation_the_stored_object_already_had()
    {
        var old = Objects.StatefulSet();
        var scaled = Objects.StatefulSet(edit: j => j["spec"]!["replicas"] = 0);

        var result = Engine().Validate(new RuleInput(Operation.Update, "shop", scaled, old), NoService());

        Assert.True(result.Allowed);
        var verdict = Assert.Single(result.Verdicts);
        Assert.Equal((RuleAction.Warn, VerdictQualifier.PreExisting), (verdict.Action, verdict.Qualifier));
        Assert.False(result.WouldDenyInEnforce);
    }

    [Fact]
    public void Update_that_introduces_a_violation_is_denied()
    {
        var cluster = new StaticClusterView().Add(Objects.Service(), "shop");
        var old = Objects.StatefulSet();
        var relabelled = Objects.StatefulSet(edit: j => j["spec"]!["template"]!["metadata"]!["labels"]!["app.kubernetes.io/name"] = "web2");

        var result = Engine().Validate(new RuleInput(Operation.Update, "shop", relabelled, old), cluster);

        Assert.False(result.Allowed);
        Assert.Equal("service-selector-mismatch", Assert.Single(result.Verdicts).Finding.Code);
    }

    [Fact]
    public void Update_that_changes_the_kind_of_violation_is_denied()
    {
        var cluster = new StaticClusterView().Add(Objects.Service(edit: j => j["spec"]!["selector"] = new System.Text.Json.Nodes.JsonObject { ["app"] = "x" }), "shop");
        var old = Objects.StatefulSet(edit: j => j["spec"]!["serviceName"] = "missing");
        var renamed = Objects.StatefulSet();

        var result = Engine().Validate(new RuleInput(Operation.Update, "shop", renamed, old), cluster);

        Assert.False(result.Allowed);
    }

    [Theory]
    [InlineData(RuleAction.Warn, true, 1)]
    [InlineData(RuleAction.Deny, false, 1)]
    [InlineData(RuleAction.Off, true, 0)]
    public void Unverifiable_lookups_follow_the_configured_policy(RuleAction policy, bool allowed, int verdicts)
    {
        var result = Engine(unverifiable: policy).Validate(Create(Objects.StatefulSet()), new UnknownCluster());
        Assert.Equal(allowed, result.Allowed);
        Assert.Equal(verdicts, result.Verdicts.Count);
        Assert.All(result.Verdicts, v => Assert.Equal(VerdictQualifier.Unverifiable, v.Qualifier));
    }

    [Theory]
    [InlineData(RuleErrorPolicy.Deny, RuleAction.Deny, RuleAction.Deny)]
    [InlineData(RuleErrorPolicy.Allow, RuleAction.Deny, RuleAction.Warn)]
    [InlineData(RuleErrorPolicy.Deny, RuleAction.Warn, RuleAction.Warn)]
    [InlineData(RuleErrorPolicy.Allow, RuleAction.Warn, RuleAction.Warn)]
    public void A_throwing_rule_follows_the_rule_errors_policy_and_does_not_stop_the_others(RuleErrorPolicy policy, RuleAction ruleAction, RuleAction expected)
    {
        var catalog = new RuleCatalog([new ThrowingRule(ruleAction), new HeadlessService()]);
        var engine = new RuleEngine(RuleSet.Defaults(catalog), new EngineSettings(GuardMode.Enforce, RuleAction.Warn, policy));
        var result = engine.Validate(Create(Objects.StatefulSet()), NoService());

        var verdict = Assert.Single(result.Verdicts, v => v.RuleId == "always-throws");
        Assert.Equal((RuleEngine.RuleErrorCode, expected), (verdict.Finding.Code, verdict.Action));
        Assert.Contains("could not evaluate the object (InvalidOperationException: boom)", verdict.Finding.Message);
        Assert.Contains(result.Verdicts, v => v is { RuleId: "headless-service", Action: RuleAction.Deny });
    }

    [Fact]
    public void A_deny_rule_that_throws_is_a_denial_in_enforce_and_a_warning_in_audit()
    {
        var catalog = new RuleCatalog([new ThrowingRule(RuleAction.Deny)]);
        var rules = RuleSet.Defaults(catalog);

        var enforced = new RuleEngine(rules, EngineSettings.Default).Validate(Create(Objects.StatefulSet()), NoService());
        var audited = new RuleEngine(rules, EngineSettings.Default with { Mode = GuardMode.Audit }).Validate(Create(Objects.StatefulSet()), NoService());

        Assert.False(enforced.Allowed);
        Assert.Contains("always-throws", Messages.DenialMessage("StatefulSet", "shop", "web", enforced));
        Assert.True(audited.Allowed);
        Assert.Equal("always-throws: would deny: could not evaluate the object (InvalidOperationException); see the webhook's log", Assert.Single(Messages.Warnings(audited)));
    }

    [Fact]
    public void Catalogue_finds_the_built_in_rules_by_reflection() =>
        Assert.Contains(RuleCatalog.Default.Rules, r => r is HeadlessService);

    private sealed class ThrowingRule(RuleAction action) : ValidatingRule<RuleOptions>
    {
        public ThrowingRule()
            : this(RuleAction.Deny)
        {
        }

        public override RuleDescriptor Descriptor { get; } = new("always-throws", RuleKind.Validating, action, "test rule");

        protected override IEnumerable<Finding> Check(RuleContext context, RuleOptions options) =>
            throw new InvalidOperationException("boom");
    }
}
