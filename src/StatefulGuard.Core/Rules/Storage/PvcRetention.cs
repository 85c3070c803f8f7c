namespace StatefulGuard.Core.Rules.Storage;

/// <summary>
/// <c>persistentVolumeClaimRetentionPolicy.whenDeleted: Delete</c> ties the data to the StatefulSet object: one
/// <c>kubectl delete</c>, a <c>helm uninstall</c> or an Argo CD prune deletes every PersistentVolumeClaim and, with the
/// usual reclaim policy, the volumes. Reported only where the StatefulSet has volumeClaimTemplates (without them the
/// policy does nothing). <c>whenScaled: Delete</c> is reported only with <see cref="PvcRetentionOptions.ReportWhenScaled"/>.
/// </summary>
public sealed class PvcRetention : ValidatingRule<PvcRetentionOptions>
{
    public const string Id = "pvc-retention";

    private const string PolicyPath = "spec.persistentVolumeClaimRetentionPolicy";

    public override RuleDescriptor Descriptor { get; } = new(
        Id, RuleKind.Validating, RuleAction.Warn,
        "persistentVolumeClaimRetentionPolicy keeps the claims when the StatefulSet is deleted (whenDeleted: Retain)")
    {
        Help = "With persistentVolumeClaimRetentionPolicy.whenDeleted: Delete, deleting the StatefulSet — one kubectl delete, a helm uninstall, an Argo CD prune — deletes every PersistentVolumeClaim of its volumeClaimTemplates, and with the usual reclaim policy the volumes and the data. Keep whenDeleted: Retain (the default) and delete the claims on purpose. whenScaled: Delete (scaling down deletes the removed replicas' claims) is reported when StatefulGuard:Rules:pvc-retention:ReportWhenScaled is true.",
        SpecFields = ["persistentVolumeClaimRetentionPolicy", "volumeClaimTemplates"],
        Category = "Storage",
        Severity = RuleSeverity.High,
    };

    protected override IEnumerable<Finding> Check(RuleContext context, PvcRetentionOptions options)
    {
        var spec = context.StatefulSet.Spec;
        if (spec?.VolumeClaimTemplates?.Any(t => t is not null) != true || spec.PersistentVolumeClaimRetentionPolicy is not { } policy)
        {
            yield break;
        }

        var claims = string.Join(", ", spec.VolumeClaimTemplates.Where(t => t?.Metadata?.Name is { Length: > 0 }).Select(t => $"\"{t.Metadata.Name}\""));
        if (string.Equals(policy.WhenDeleted, "Delete", StringComparison.Ordinal))
        {
            yield return Violation("delete-on-statefulset-delete", PolicyPath + ".whenDeleted",
                    $"whenDeleted: Delete: deleting StatefulSet \"{context.Name}\" (kubectl delete, helm uninstall, a GitOps prune) deletes the claims {claims} and their data",
                    "set persistentVolumeClaimRetentionPolicy.whenDeleted: Retain (the default) and delete the claims on purpose when the data is no longer needed")
                with { Summary = "whenDeleted: Delete loses the data with the StatefulSet; use Retain" };
        }

        if (options.ReportWhenScaled && string.Equals(policy.WhenScaled, "Delete", StringComparison.Ordinal))
        {
            yield return Violation("delete-on-scale-down", PolicyPath + ".whenScaled",
                    $"whenScaled: Delete: scaling StatefulSet \"{context.Name}\" down deletes the removed replicas' claims {claims}; scaling up again starts them empty",
                    "set persistentVolumeClaimRetentionPolicy.whenScaled: Retain (the default), or keep Delete only where replicas rebuild their data from peers")
                with { Summary = "whenScaled: Delete drops the data of removed replicas; use Retain" };
        }
    }
}
