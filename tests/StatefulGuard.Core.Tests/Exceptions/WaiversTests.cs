using Microsoft.Extensions.Time.Testing;
using StatefulGuard.Core.Exceptions;

namespace StatefulGuard.Core.Tests.Exceptions;

/// <summary>Which exception waives what, and when it stops; and what admission refuses.</summary>
public sealed class WaiversTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);

    private static StatefulGuardException Exception(string name, string[] rules, string[]? statefulSets = null, string[]? services = null,
        DateTimeOffset? expires = null, string ns = "gitops", string? reason = "sharded") => new()
    {
        Metadata = new k8s.Models.V1ObjectMeta { Name = name, NamespaceProperty = ns },
        Spec = new StatefulGuardExceptionSpec { Rules = rules, StatefulSets = statefulSets, Services = services, Reason = reason, Expires = expires },
    };

    [Theory]
    [InlineData("controller", true)]
    [InlineData("controller-0", false)]
    [InlineData("shard-1", true)]
    [InlineData("shard-12", false)]
    [InlineData("db-east", true)]
    public void Targets_are_names_or_globs(string name, bool waived)
    {
        var exceptions = new[] { Exception("e", ["headless-service"], ["controller", "shard-?", "db-*"], expires: Now.AddDays(30)) };
        Assert.Equal(waived, Waivers.Find(exceptions, "gitops", WaivedKind.StatefulSet, name, "headless-service", Now) is not null);
    }

    [Fact]
    public void Only_the_named_rule_in_the_same_namespace_and_kind_is_waived()
    {
        var exceptions = new[] { Exception("e", ["headless-service"], ["web"], ["web"], Now.AddDays(30)) };
        Assert.Null(Waivers.Find(exceptions, "gitops", WaivedKind.StatefulSet, "web", "image-tag", Now));
        Assert.Null(Waivers.Find(exceptions, "other", WaivedKind.StatefulSet, "web", "headless-service", Now));
        Assert.NotNull(Waivers.Find(exceptions, "gitops", WaivedKind.Service, "web", "headless-service", Now));
    }

    [Fact]
    public void Expiry_ends_the_waiver_and_the_last_two_weeks_are_flagged()
    {
        var expires = Now.AddDays(14);
        var exceptions = new[] { Exception("e", ["probes"], ["web"], expires: expires) };

        Assert.False(Waivers.Find(exceptions, "gitops", WaivedKind.StatefulSet, "web", "probes", Now.AddDays(-1))!.ExpiringSoon);
        var soon = Waivers.Find(exceptions, "gitops", WaivedKind.StatefulSet, "web", "probes", Now)!;
        Assert.True(soon.ExpiringSoon);
        Assert.Equal("probes waived by exception gitops/e until 2026-12-17, expiring soon", soon.Warning);
        Assert.Null(Waivers.Find(exceptions, "gitops", WaivedKind.StatefulSet, "web", "probes", expires));
        Assert.Equal(ExceptionState.Expired, Waivers.State(exceptions[0], expires));
    }

    [Fact]
    public void The_first_exception_by_name_is_the_one_named_and_null_parts_are_absent()
    {
        var exceptions = new[]
        {
            Exception("zeta", ["probes"], ["web"], expires: Now.AddDays(30)),
            Exception("alpha", ["probes"], ["web"], expires: Now.AddDays(30)),
            new StatefulGuardException { Metadata = new k8s.Models.V1ObjectMeta { Name = "empty", NamespaceProperty = "gitops" } },
            Exception("nulls", [null!], [null!], expires: Now.AddDays(30)),
        };
        Assert.Equal("gitops/alpha", Waivers.Find(exceptions, "gitops", WaivedKind.StatefulSet, "web", "probes", Now)!.Exception);
    }

    [Fact]
    public void The_validator_reports_every_problem_with_its_field()
    {
        var validator = new ExceptionValidator(new HashSet<string> { "headless-service", "probes" }, new ExceptionPolicy(), new FakeTimeProvider(Now));
        var bad = Exception("bad", ["probes", "*", "nope"], [], [], Now.AddDays(181), reason: "");

        var messages = validator.Validate(bad).Errors.Select(e => e.ErrorMessage).ToList();

        Assert.Contains(messages, m => m.StartsWith("spec.rules[1]: \"*\" is not allowed", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("spec.rules[2]: unknown rule id \"nope\"", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("spec.statefulSets or spec.services must name at least one object", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("spec.reason is required", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Contains("more than 180 days after the exception's creation", StringComparison.Ordinal));

        var permanent = Exception("ok", ["probes"], ["web"], expires: null);
        Assert.False(validator.Validate(permanent).IsValid);
        var lenient = new ExceptionValidator(new HashSet<string> { "probes" }, new ExceptionPolicy(RequireExpiry: false), new FakeTimeProvider(Now));
        Assert.True(lenient.Validate(permanent).IsValid);
    }

    [Fact]
    public void The_lifetime_is_counted_from_the_exceptions_creation_and_an_expiry_in_the_past_is_only_refused_at_admission()
    {
        var validator = new ExceptionValidator(new HashSet<string> { "headless-service" }, new ExceptionPolicy(), new FakeTimeProvider(Now));
        var old = Exception("old", ["headless-service"], ["web"], expires: Now.AddDays(20));
        old.Metadata.CreationTimestamp = Now.AddDays(-170).UtcDateTime;
        var tenYears = Exception("decade", ["headless-service"], ["web"], expires: Now.AddYears(10));
        tenYears.Metadata.CreationTimestamp = Now.AddDays(-1).UtcDateTime;
        var lapsed = Exception("lapsed", ["headless-service"], ["web"], expires: Now.AddDays(-1));
        lapsed.Metadata.CreationTimestamp = Now.AddDays(-30).UtcDateTime;

        Assert.Contains(validator.Problems(old), p => p.Contains("more than 180 days after the exception's creation", StringComparison.Ordinal));
        Assert.False(validator.MayWaive(tenYears));
        Assert.True(validator.MayWaive(lapsed)); // expired, which is not the same as invalid
        Assert.Contains(validator.AdmissionProblems(lapsed), p => p.Contains("is in the past", StringComparison.Ordinal));
    }

    [Fact]
    public void An_exception_admission_would_refuse_waives_nothing_in_the_engine()
    {
        var sts = Objects.StatefulSet("gitops", j => j["spec"]!["serviceName"] = "missing");
        var forever = Exception("forever", ["headless-service"], ["web"], expires: Now.AddYears(10));
        forever.Metadata.CreationTimestamp = Now.AddDays(-1).UtcDateTime;
        var fine = Exception("fine", ["headless-service"], ["web"], expires: Now.AddDays(30));
        fine.Metadata.CreationTimestamp = Now.AddDays(-1).UtcDateTime;
        var engine = new StatefulGuard.Core.Engine.RuleEngine(StatefulGuard.Core.Engine.RuleSet.Defaults(StatefulGuard.Core.Engine.RuleCatalog.Default),
            StatefulGuard.Core.Engine.EngineSettings.Default, clock: new FakeTimeProvider(Now));
        var input = new StatefulGuard.Core.Engine.RuleInput(StatefulGuard.Core.Admission.Operation.Create, "gitops", sts, null);

        var withForever = engine.Validate(input, new StatefulGuard.Core.Cluster.StaticClusterView().Add(forever, "gitops"));
        var withFine = engine.Validate(input, new StatefulGuard.Core.Cluster.StaticClusterView().Add(fine, "gitops"));

        Assert.False(withForever.Allowed);
        Assert.DoesNotContain(withForever.Verdicts, v => v.Waiver is not null);
        Assert.True(withFine.Allowed);
    }
}
