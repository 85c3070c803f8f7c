using StatefulGuard.Core.Rules.Defaults;

namespace StatefulGuard.Core.Rules.Availability;

/// <summary>
/// <c>terminationGracePeriodSeconds</c> is longer than each preStop sleep (the native sleep action or a
/// recognisable <c>sleep N</c> in an exec command): otherwise the kubelet kills the container before the
/// application has even been told to stop.
/// </summary>
public sealed class GracePeriod : ValidatingRule<RuleOptions>
{
    public const string Id = "grace-period";

    public override RuleDescriptor Descriptor { get; } = new(
        Id, RuleKind.Validating, RuleAction.Warn,
        "terminationGracePeriodSeconds is longer than every preStop sleep")
    {
        Help = "The grace period covers the preStop hook and the application's shutdown together; a preStop sleep as long as terminationGracePeriodSeconds gets the container killed before it is told to stop. Keep the grace period well above the sleep.",
        Category = "Availability",
        Severity = RuleSeverity.Low,
    };

    protected override IEnumerable<Finding> Check(RuleContext context, RuleOptions options)
    {
        var grace = context.StatefulSet.Spec?.Template?.Spec?.TerminationGracePeriodSeconds ?? 30;
        foreach (var container in TemplateContainer.Of(context.StatefulSet).Where(c => c.IsLongRunning))
        {
            if (container.Container.Lifecycle?.PreStop is { } hook && PreStop.SleepSeconds(hook) is { } sleep && sleep >= grace)
            {
                yield return Violation("prestop-exceeds-grace", $"{container.Path}.lifecycle.preStop",
                    $"preStop of container \"{container.Name}\" sleeps {sleep}s but the grace period is {grace}s: it is killed before it can stop",
                    $"raise terminationGracePeriodSeconds to at least {sleep + 10}, or shorten the sleep")
                    with { Summary = $"preStop of \"{container.Name}\" sleeps {sleep}s, grace is {grace}s; raise the grace period" };
            }
        }
    }
}
