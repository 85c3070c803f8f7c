using StatefulGuard.Core.Engine;
using StatefulGuard.Core.Rules;

namespace StatefulGuard.Core.Tests.Engine;

public sealed class MessagesTests
{
    private static Verdict Verdict(string message, RuleAction action = RuleAction.Warn, VerdictQualifier qualifier = VerdictQualifier.None) =>
        new(new Finding("headless-service", "code", message, "do this", "spec.serviceName"), action, action, qualifier);

    [Fact]
    public void Warnings_are_at_most_120_characters_and_free_of_control_characters()
    {
        var evaluation = new Evaluation(GuardMode.Enforce, [Verdict("Service \"a\nb\" " + new string('x', 300))], []);
        var warning = Assert.Single(Messages.Warnings(evaluation));
        Assert.Equal(120, warning.Length);
        Assert.EndsWith("…", warning);
        Assert.DoesNotContain('\n', warning);
    }

    [Fact]
    public void More_than_five_warnings_are_summarised()
    {
        var evaluation = new Evaluation(GuardMode.Enforce, Enumerable.Range(0, 9).Select(i => Verdict($"finding {i}")).ToArray(), []);
        var warnings = Messages.Warnings(evaluation);
        Assert.Equal(5, warnings.Count);
        Assert.Contains("5 more findings", warnings[^1]);
    }

    [Fact]
    public void Audit_and_pre_existing_warnings_say_so()
    {
        var evaluation = new Evaluation(GuardMode.Audit,
            [Verdict("a", qualifier: VerdictQualifier.Audit), Verdict("b", qualifier: VerdictQualifier.PreExisting)], []);
        Assert.Equal(["headless-service: would deny: a", "headless-service: pre-existing, allowed: b"], Messages.Warnings(evaluation));
    }

    [Fact]
    public void Denial_message_lists_every_denial_with_its_fix()
    {
        var evaluation = new Evaluation(GuardMode.Enforce, [Verdict("first", RuleAction.Deny), Verdict("second", RuleAction.Deny), Verdict("third")], []);
        var message = Messages.DenialMessage("StatefulSet", "shop", "web", evaluation);
        Assert.StartsWith("StatefulGuard denied StatefulSet shop/web:", message);
        Assert.Contains("- [headless-service] first. Fix: do this.", message);
        Assert.Contains("- [headless-service] second. Fix: do this.", message);
        Assert.DoesNotContain("third", message);
    }

    [Fact]
    public void A_long_warning_shortens_the_quoted_names_and_keeps_the_fix_whole()
    {
        var name = "orders-" + new string('x', 60) + "-primary";
        var finding = new Finding("headless-service", "service-missing", "long message", "fix", "spec.serviceName")
        {
            Summary = $"Service \"{name}\" not in the input; add it headless or fix serviceName",
        };
        var warning = Assert.Single(Messages.Warnings(new Evaluation(GuardMode.Enforce,
            [new Verdict(finding, RuleAction.Warn, RuleAction.Deny, VerdictQualifier.PreExisting)], [])));

        Assert.True(warning.Length <= Messages.WarningWidth, warning);
        Assert.EndsWith("not in the input; add it headless or fix serviceName", warning);
        Assert.Contains("\"orders-", warning);
        Assert.Contains("primary\"", warning);
        Assert.Contains("…", warning);
    }
}
