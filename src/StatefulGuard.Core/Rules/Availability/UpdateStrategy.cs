namespace StatefulGuard.Core.Rules.Availability;

/// <summary>
/// <c>rollingUpdate.partition</c> is not above <c>replicas</c> (then no pod is ever updated), and
/// <c>OnDelete</c> is reported: template changes then reach pods only when someone deletes them.
/// </summary>
public sealed class UpdateStrategy : ValidatingRule<RuleOptions>
{
    public const string Id = "update-strategy";

    public override RuleDescriptor Descriptor { get; } = new(
        Id, RuleKind.Validating, RuleAction.Warn,
        "rollingUpdate.partition is not above replicas; OnDelete is reported")
    {
        Help = "A rollingUpdate.partition above replicas updates no pod at all, and OnDelete updates a pod only when someone deletes it, so template changes silently never roll out. Use RollingUpdate with a partition between 0 and replicas.",
        Category = "Availability",
        Severity = RuleSeverity.Low,
    };

    protected override IEnumerable<Finding> Check(RuleContext context, RuleOptions options)
    {
        var spec = context.StatefulSet.Spec;
        var strategy = spec?.UpdateStrategy;
        if (strategy?.Type == "OnDelete")
        {
            yield return Violation("on-delete", "spec.updateStrategy.type",
                "updateStrategy OnDelete: template changes reach a pod only when someone deletes it",
                "use RollingUpdate (with rollingUpdate.partition for staged rollouts)")
                with { Summary = "updateStrategy OnDelete rolls out nothing by itself; use RollingUpdate" };
            yield break;
        }

        var replicas = spec?.Replicas ?? 1;
        if (strategy?.RollingUpdate?.Partition is { } partition && partition > replicas)
        {
            yield return Violation("partition-above-replicas", "spec.updateStrategy.rollingUpdate.partition",
                $"rollingUpdate.partition {partition} is above replicas {replicas}: no pod will be updated",
                $"set partition to at most {replicas} (0 updates every pod)")
                with { Summary = $"partition {partition} is above replicas {replicas}: no pod updates; lower it" };
        }
    }
}
