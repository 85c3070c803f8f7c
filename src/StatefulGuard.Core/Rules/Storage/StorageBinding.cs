using StatefulGuard.Core.Cluster;

namespace StatefulGuard.Core.Rules.Storage;

/// <summary>
/// Each volumeClaimTemplate's StorageClass (or the cluster default when none is named) exists and uses
/// <c>volumeBindingMode: WaitForFirstConsumer</c>, so a volume is created in the zone where its pod is
/// scheduled — an Immediate class can put a replica's disk in a zone the pod can never run in.
/// </summary>
public sealed class StorageBinding : ValidatingRule<RuleOptions>
{
    public const string Id = "storage-binding";

    public override RuleDescriptor Descriptor { get; } = new(
        Id, RuleKind.Validating, RuleAction.Warn,
        "each volumeClaimTemplate's StorageClass (or the default) exists and binds WaitForFirstConsumer")
    {
        Help = "With volumeBindingMode Immediate a volume is provisioned before the pod is scheduled, possibly in a zone where the pod cannot run, leaving it Pending for good. Use a StorageClass with volumeBindingMode: WaitForFirstConsumer, and make sure the class (or a default class) exists.",
        Reads = [ClusterKinds.StorageClass],
        Category = "Storage",
        Severity = RuleSeverity.Medium,
    };

    protected override IEnumerable<Finding> Check(RuleContext context, RuleOptions options)
    {
        var templates = context.StatefulSet.Spec?.VolumeClaimTemplates ?? [];
        for (var i = 0; i < templates.Count; i++)
        {
            if (templates[i] is null)
            {
                continue; // absent, as the apiserver would never send it
            }

            var claim = templates[i].Metadata?.Name ?? $"#{i}";
            var path = $"spec.volumeClaimTemplates[{i}].spec.storageClassName";
            var className = templates[i].Spec?.StorageClassName;
            if (className == "")
            {
                continue; // explicitly no class: pre-provisioned volumes, bound by the user
            }

            var lookup = className is null ? context.Cluster.GetDefaultStorageClass() : context.Cluster.GetStorageClass(className);
            if (lookup.State == LookupState.Unknown)
            {
                yield return Unverifiable("class-unverifiable", path,
                    $"cannot verify the StorageClass of claim template \"{claim}\": cluster state is not available",
                    "make sure it exists and uses volumeBindingMode: WaitForFirstConsumer")
                    with { Summary = $"cannot verify the StorageClass of claim \"{claim}\" yet" };
                continue;
            }

            if (lookup.State == LookupState.NotFound)
            {
                yield return className is null
                    ? Violation("no-default-class", path,
                        $"claim template \"{claim}\" names no StorageClass and the cluster has no default: its claims stay Pending",
                        "set storageClassName to a StorageClass with volumeBindingMode: WaitForFirstConsumer")
                        with { Summary = $"claim \"{claim}\" has no class and no default exists; set storageClassName" }
                    : Violation("class-missing", path,
                        $"StorageClass \"{className}\" of claim template \"{claim}\" does not exist: its claims stay Pending",
                        "create it, or name an existing StorageClass (storageClassName cannot be changed after creation)")
                        with { Summary = $"StorageClass \"{className}\" does not exist: claims stay Pending" };
                continue;
            }

            var storageClass = lookup.Value!;
            if (storageClass.VolumeBindingMode != "WaitForFirstConsumer")
            {
                var name = storageClass.Name is { Length: > 0 } named ? named : className ?? "default";
                yield return Violation("immediate-binding", path,
                    $"StorageClass \"{name}\" binds volumes immediately: a replica's volume may land in a zone its pod cannot run in",
                    "use a StorageClass with volumeBindingMode: WaitForFirstConsumer")
                    with { Summary = $"StorageClass \"{name}\" binds Immediate; use WaitForFirstConsumer" };
            }
        }
    }
}
